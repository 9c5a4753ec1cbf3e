/**
 * What a person sees while a device login waits: the code, the URL and, on a terminal, the code in
 * large letters, a QR code of the URL and one status line with a countdown, redrawn in place.
 *
 * Two shapes behind one interface. Without a terminal on stderr (CI, pipes, --json, TERM=dumb) it
 * writes the plain lines a log can hold and nothing else. On a terminal it hides the cursor while the
 * status line ticks and gives it back on every way out: approval, failure, Ctrl-C (the abort signal),
 * and process exit as a last resort.
 *
 * The status line is a hand-written single-line redraw (carriage return, the line, erase to end of
 * line) rather than listr2: one line is all we animate, a full task-list renderer would own the screen
 * region below our QR code, and the redraw never clears before it writes, so nothing flickers.
 */
import {ErrorKind, isLatchError} from '../errors.js'
import {bigText, bigTextWidth} from './big-text.js'
import {type Paint, painter, stripAnsi, useColor} from './style.js'
import {safeText} from './terminal-text.js'

export interface DeviceCodeView {
  expiresIn: number
  userCode: string
  verificationUri: string
  verificationUriComplete?: string
}

export interface DeviceScreen {
  /** The person approved in the browser: the wait is over. */
  approved(): void
  /** The login failed: says so in a word on the terminal; the error itself is printed by the command. */
  fail(error: unknown): void
  /** A one-line message (browser failed to start, code copied) that must not break the status line. */
  note(message: string): void
  /** Shows the code and URL and starts the wait. */
  show(code: DeviceCodeView): Promise<void>
  /** Leaves the terminal as it was found (cursor shown, status line gone). Safe to call more than once. */
  stop(): void
}

export interface DeviceScreenOptions {
  /** The command's bin, for "run `latch login` again". */
  bin: string
  env: Record<string, string | undefined>
  /** --json: plain lines only, whatever stderr is. */
  json?: boolean
  now?: () => number
  /** Aborted on Ctrl-C or SIGTERM: the screen shows it at once, before the error is printed. */
  signal?: AbortSignal
  stream: NodeJS.WriteStream
  /** Milliseconds between redraws of the status line. */
  tickMs?: number
}

/** A terminal that can redraw a line in place, and a person in front of it. */
export function isInteractive(options: Pick<DeviceScreenOptions, 'env' | 'json' | 'stream'>): boolean {
  return !options.json && Boolean(options.stream.isTTY) && options.env.TERM !== 'dumb'
}

export function createDeviceScreen(options: DeviceScreenOptions): DeviceScreen {
  return isInteractive(options) ? new TerminalScreen(options) : new PlainScreen(options)
}

export function formatDuration(seconds: number): string {
  if (seconds >= 120) return `${Math.round(seconds / 60)} minutes`
  return `${Math.round(seconds)} seconds`
}

/** "14:05", "0:09": the countdown, never negative. */
export function formatCountdown(milliseconds: number): string {
  const total = Math.max(0, Math.ceil(milliseconds / 1000))
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`
}

/**
 * URLs are shown whole (a shortened URL would not open); they are bounded by the 1 MB response cap and
 * go through safeText like every other string from the server.
 */
const MAX_URL_LENGTH = 1024 * 1024

/** The URL to open, as shown: safe for the terminal. */
function urlOf(code: DeviceCodeView): string {
  return safeText(code.verificationUriComplete ?? code.verificationUri, MAX_URL_LENGTH)
}

function openLine(code: DeviceCodeView): string {
  return `Open ${urlOf(code)} to approve this login${code.verificationUriComplete ? ` (or go to ${safeText(code.verificationUri, MAX_URL_LENGTH)} and enter the code)` : ''}.`
}

function userCodeOf(code: DeviceCodeView): string {
  return safeText(code.userCode, 64)
}

/** Beyond this a QR code cannot hold the URL (or no phone would read it): the URL and code are shown without one. */
const MAX_QR_URL_LENGTH = 2000

/** Lines for logs. FORCE_COLOR may colour a whole line, never part of one, so the text stays greppable. */
class PlainScreen implements DeviceScreen {
  private readonly paint: Paint

  constructor(private readonly options: DeviceScreenOptions) {
    this.paint = painter(useColor(options.env, options.stream))
  }

  approved(): void {}

  fail(): void {}

  note(message: string): void {
    this.options.stream.write(`${message}\n`)
  }

  async show(code: DeviceCodeView): Promise<void> {
    this.note(this.paint(`Your device code is: ${userCodeOf(code)}`, 'bold'))
    this.note(openLine(code))
    this.note(`Waiting for approval (the code expires in ${formatDuration(code.expiresIn)})...`)
  }

  stop(): void {}
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const HIDE_CURSOR = '\u001B[?25l'
const SHOW_CURSOR = '\u001B[?25h'
/** Back to column 0 and erase the line. */
const CLEAR_LINE = '\r\u001B[2K'
const ERASE_TO_END = '\u001B[K'

class TerminalScreen implements DeviceScreen {
  private deadline = 0
  private frame = 0
  private readonly now: () => number
  private readonly paint: Paint
  private readonly restoreOnExit = () => this.stop()
  private readonly onAbort = () => {
    const terminated = this.options.signal?.reason === 'SIGTERM'
    this.finish(this.paint('✗', 'red'), terminated ? 'Stopped (SIGTERM). Nothing was saved.' : 'Cancelled. Nothing was saved.')
  }

  /** Whether the status line is on screen and the cursor hidden. */
  private active = false
  private timer?: NodeJS.Timeout

  constructor(private readonly options: DeviceScreenOptions) {
    this.now = options.now ?? Date.now
    this.paint = painter(useColor(options.env, options.stream))
  }

  approved(): void {
    this.finish(this.paint('✓', 'green'), 'Approved in the browser.')
  }

  fail(error: unknown): void {
    if (!this.active) return
    const kind = isLatchError(error) ? error.kind : undefined
    switch (kind) {
      case ErrorKind.LoginExpired: {
        this.finish(this.paint('✗', 'red'), `The code expired before it was approved. Run \`${this.options.bin} login\` again for a new code.`)
        break
      }

      case ErrorKind.LoginDenied: {
        this.finish(this.paint('✗', 'red'), 'Denied in the browser. Nothing was saved.')
        break
      }

      case ErrorKind.Cancelled:
      case ErrorKind.Terminated: {
        this.onAbort()
        break
      }

      default: {
        this.finish(this.paint('✗', 'red'), 'The login failed: see the error below. Nothing was saved.')
      }
    }
  }

  note(message: string): void {
    const {stream} = this.options
    if (!this.active) {
      stream.write(`${message}\n`)
      return
    }

    stream.write(`${CLEAR_LINE}${message}\n${this.statusLine()}`)
  }

  async show(code: DeviceCodeView): Promise<void> {
    const {stream} = this.options
    const color = useColor(this.options.env, stream)
    const columns = stream.columns || 80
    const url = urlOf(code)
    const out: string[] = ['']

    const qr = url.length <= MAX_QR_URL_LENGTH ? await import('./qr.js').then(({terminalQr}) => terminalQr(url, color)).catch(() => undefined) : undefined
    const rows = stream.rows || Number.POSITIVE_INFINITY
    // The QR goes first so that, on a short terminal, what scrolls away is the QR and not the code.
    // No QR (the encoder failed, or the URL is too long for one): the code and URL below are enough.
    if (qr && qr.width + 2 <= columns && qr.lines.length + 12 <= rows) {
      out.push(...qr.lines.map((line) => `  ${line}`), this.paint('  Scan to open the URL on another device.', 'dim'), '')
    }

    const userCode = userCodeOf(code)
    out.push(`Your device code is: ${this.paint(userCode, 'bold')}`)
    const big = bigText(userCode)
    if (big && bigTextWidth(userCode) + 4 <= columns) out.push('', ...big.map((line) => `  ${this.paint(line, 'bold')}`), '')
    out.push(openLine(code).replace(url, this.paint(url, 'cyan')))
    stream.write(`${out.join('\n')}\n`)

    this.deadline = this.now() + code.expiresIn * 1000
    this.active = true
    stream.write(HIDE_CURSOR + this.statusLine())
    this.timer = setInterval(() => this.redraw(), this.options.tickMs ?? 100)
    this.timer.unref()
    this.options.signal?.addEventListener('abort', this.onAbort, {once: true})
    process.once('exit', this.restoreOnExit)
  }

  stop(): void {
    if (!this.active) return
    this.active = false
    this.detach()
    this.options.stream.write(CLEAR_LINE + SHOW_CURSOR)
  }

  private detach(): void {
    clearInterval(this.timer)
    this.options.signal?.removeEventListener('abort', this.onAbort)
    process.off('exit', this.restoreOnExit)
  }

  /** Replaces the status line with a final one and gives the cursor back. */
  private finish(mark: string, message: string): void {
    if (!this.active) return
    this.active = false
    this.detach()
    this.options.stream.write(`${CLEAR_LINE}${mark} ${message}\n${SHOW_CURSOR}`)
  }

  private redraw(): void {
    if (!this.active) return
    this.frame = (this.frame + 1) % SPINNER.length
    this.options.stream.write(`\r${this.statusLine()}${ERASE_TO_END}`)
  }

  private statusLine(): string {
    const left = this.deadline - this.now()
    const countdown = this.paint(formatCountdown(left), ...(left <= 60_000 ? (['yellow', 'bold'] as const) : (['bold'] as const)))
    const line = `${this.paint(SPINNER[this.frame], 'cyan')} Waiting for approval in the browser · the code expires in ${countdown} · Ctrl-C to cancel`
    return fitLine(line, (this.options.stream.columns || 80) - 1)
  }
}

/** A status line must never wrap, or the carriage return would redraw only its last row. */
function fitLine(line: string, columns: number): string {
  if (stripAnsi(line).length <= columns) return line
  // Drop the trailing parts, keeping the spinner and the countdown.
  const parts = line.split(' · ')
  while (parts.length > 1 && stripAnsi(parts.join(' · ')).length > columns) parts.pop()
  const fitted = parts.join(' · ')
  return stripAnsi(fitted).length <= columns ? fitted : stripAnsi(fitted).slice(0, Math.max(0, columns))
}
