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
 * line) rather than listr2, which shows the login's other steps (src/ui/steps.ts) and is not running
 * while this screen is: one line is all we animate, a full task-list renderer would own the screen
 * region below our QR code, and the redraw never clears before it writes, so nothing flickers. It is
 * cut to fit the width, and drawn again when the window is resized (SIGWINCH). Text is wrapped at
 * spaces to the width (wrapText), so the terminal never breaks a word.
 *
 * How the login ended is said once, by the command: its success line, or the error with its hint.
 * The screen only takes its status line away.
 */
import {bigText, bigTextWidth} from './big-text.js'
import {type Paint, painter, stripAnsi, useColor, visibleWidth, wrapText} from './style.js'
import {safeText} from './terminal-text.js'

export interface DeviceCodeView {
  expiresIn: number
  userCode: string
  verificationUri: string
  verificationUriComplete?: string
}

export interface DeviceScreen {
  /** The person approved in the browser: the wait is over. The command says how it ended, once. */
  approved(): void
  /** The login failed: the wait is over. The error the command prints says what happened, once. */
  fail(error: unknown): void
  /** A one-line message (browser failed to start, code copied) that must not break the status line. */
  note(message: string): void
  /** Shows the code and URL and starts the wait. */
  show(code: DeviceCodeView): Promise<void>
  /** Leaves the terminal as it was found (cursor shown, status line gone). Safe to call more than once. */
  stop(): void
}

export interface DeviceScreenOptions {
  /** The command's bin. */
  bin: string
  env: Record<string, string | undefined>
  /** --json: plain lines only, whatever stderr is. */
  json?: boolean
  now?: () => number
  /** The product's name (package.json oclif.latch.product): "Open URL to sign in to Acme". */
  product?: string
  /** Aborted on Ctrl-C or SIGTERM: the status line goes at once, before the error is printed. */
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

function openLine(code: DeviceCodeView, product: string | undefined): string {
  return `Open ${urlOf(code)} to ${product ? `sign in to ${safeText(product, 64)}` : 'approve this login'}${code.verificationUriComplete ? ` (or go to ${safeText(code.verificationUri, MAX_URL_LENGTH)} and enter the code)` : ''}.`
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
    this.note(openLine(code, this.options.product))
    this.note(`Waiting for approval (the code expires in ${formatDuration(code.expiresIn)})...`)
  }

  stop(): void {}
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const HIDE_CURSOR = '\u001B[?25l'
const SHOW_CURSOR = '\u001B[?25h'
const ERASE_TO_END = '\u001B[K'

class TerminalScreen implements DeviceScreen {
  private deadline = 0
  private frame = 0
  private readonly now: () => number
  private readonly paint: Paint
  private readonly restoreOnExit = () => this.stop()
  /** Ctrl-C or SIGTERM: the status line goes at once; the error the command prints says what happened. */
  private readonly onAbort = () => this.stop()
  private readonly onResize = () => this.resized()

  /** Whether the status line is on screen and the cursor hidden. */
  private active = false
  /** Columns the status line on screen takes, to erase all of it after the window narrows. */
  private statusWidth = 0
  /** The width the status line was drawn for. */
  private drawnColumns = 0
  private timer?: NodeJS.Timeout

  constructor(private readonly options: DeviceScreenOptions) {
    this.now = options.now ?? Date.now
    this.paint = painter(useColor(options.env, options.stream))
  }

  /** The login's last step ("Authenticated successfully as ...") says it: the status line just goes. */
  approved(): void {
    this.stop()
  }

  /** The error the command prints says what happened, with its hint: the status line just goes. */
  fail(): void {
    this.stop()
  }

  note(message: string): void {
    const {stream} = this.options
    const text = wrapText(message, this.columns()).join('\n')
    if (!this.active) {
      stream.write(`${text}\n`)
      return
    }

    stream.write(`${this.eraseStatus()}${text}\n${this.statusLine()}`)
  }

  async show(code: DeviceCodeView): Promise<void> {
    const {stream} = this.options
    const color = useColor(this.options.env, stream)
    const columns = this.columns()
    const url = urlOf(code)

    const userCode = userCodeOf(code)
    const text: string[] = [`Your device code is: ${this.paint(userCode, 'bold')}`]
    const big = bigText(userCode)
    if (big && bigTextWidth(userCode) + 4 <= columns) text.push('', ...big.map((line) => `  ${this.paint(line, 'bold')}`), '')
    text.push(...wrapText(openLine(code, this.options.product).replace(url, this.paint(url, 'cyan')), columns))

    const out: string[] = ['']
    // No QR when the encoder fails or the URL is too long for one: the code and URL below are enough.
    const qr = url.length <= MAX_QR_URL_LENGTH ? await import('./qr.js').then(({terminalQr}) => terminalQr(url, color, {columns: columns - 2})).catch(() => undefined) : undefined
    const caption = wrapText(`  Scan ${color ? 'the code' : 'either code'} to open the URL on another device.`, columns, '  ').map((line) => this.paint(line, 'dim'))
    const rows = stream.rows || Number.POSITIVE_INFINITY
    // The QR goes first so that, on a short terminal, what scrolls away is the QR and not the code.
    if (qr && qr.width + 2 <= columns && qr.lines.length + caption.length + text.length + 3 <= rows) {
      out.push(...qr.lines.map((line) => `  ${line}`), ...caption, '')
    }

    out.push(...text)
    stream.write(`${out.join('\n')}\n`)

    this.deadline = this.now() + code.expiresIn * 1000
    this.active = true
    stream.write(HIDE_CURSOR + this.statusLine())
    this.timer = setInterval(() => this.redraw(), this.options.tickMs ?? 100)
    this.timer.unref()
    this.options.signal?.addEventListener('abort', this.onAbort, {once: true})
    stream.on('resize', this.onResize)
    process.once('exit', this.restoreOnExit)
  }

  stop(): void {
    if (!this.active) return
    this.active = false
    clearInterval(this.timer)
    this.options.signal?.removeEventListener('abort', this.onAbort)
    this.options.stream.off('resize', this.onResize)
    process.off('exit', this.restoreOnExit)
    this.options.stream.write(this.eraseStatus() + SHOW_CURSOR)
  }

  /** The width now: asked of the terminal itself, as `stream.columns` changes only once SIGWINCH has been handled. */
  private columns(): number {
    return windowColumns(this.options.stream) || this.options.stream.columns || 80
  }

  /**
   * Back to the start of the status line and erase it to the end of the screen. After the window
   * narrows, a terminal that reflows its lines (tmux, VTE, iTerm2, Windows Terminal, kitty) has
   * wrapped the old status line onto more rows: go up over those too, or their start stays on screen.
   */
  private eraseStatus(): string {
    const rows = Math.max(1, Math.ceil(this.statusWidth / this.columns()))
    this.statusWidth = 0
    return `\r${rows > 1 ? `\u001B[${rows - 1}A` : ''}\u001B[J`
  }

  private redraw(): void {
    if (!this.active) return
    // SIGWINCH waits its turn behind timers: a redraw at the old width over rows the terminal has
    // already reflowed would leave the start of the old line behind. Check the width first.
    if (this.columns() !== this.drawnColumns) {
      this.resized()
      return
    }

    this.frame = (this.frame + 1) % SPINNER.length
    this.options.stream.write(`\r${this.statusLine()}${ERASE_TO_END}`)
  }

  /** SIGWINCH: the status line is drawn again for the new width, and nothing of the old one stays. */
  private resized(): void {
    if (!this.active) return
    this.options.stream.write(this.eraseStatus() + this.statusLine())
  }

  private statusLine(): string {
    const left = this.deadline - this.now()
    const countdown = this.paint(formatCountdown(left), ...(left <= 60_000 ? (['yellow', 'bold'] as const) : (['bold'] as const)))
    const spinner = this.paint(SPINNER[this.frame], 'cyan')
    const columns = this.columns()
    const line = fitLine(
      [
        `${spinner} Waiting for approval in the browser · the code expires in ${countdown} · Ctrl-C to cancel`,
        `${spinner} Waiting for approval · the code expires in ${countdown} · Ctrl-C to cancel`,
        `${spinner} Waiting for approval · the code expires in ${countdown}`,
        `${spinner} The code expires in ${countdown}`,
      ],
      columns - 1,
    )
    this.drawnColumns = columns
    this.statusWidth = visibleWidth(line)
    return line
  }
}

/** The terminal's width from the terminal (a TTY handle's ioctl), or undefined for other streams. */
function windowColumns(stream: NodeJS.WriteStream): number | undefined {
  const handle = (stream as {_handle?: {getWindowSize?: (size: number[]) => unknown}})._handle
  const size = [0, 0]
  if (typeof handle?.getWindowSize !== 'function' || handle.getWindowSize(size) || !size[0]) return undefined
  return size[0]
}

/**
 * The longest of `lines` (longest first) that fits: a status line must never wrap, or the carriage
 * return would redraw only its last row. Cut short as a last resort.
 */
function fitLine(lines: string[], columns: number): string {
  const fitting = lines.find((line) => visibleWidth(line) <= columns)
  return fitting ?? [...stripAnsi(lines.at(-1)!)].slice(0, Math.max(0, columns)).join('')
}
