/**
 * A real terminal for end-to-end tests: the CLI runs inside tmux (its own server socket per session),
 * keys go in with send-keys and the screen comes back with capture-pane. Nothing here sleeps for a
 * fixed time: every wait polls the screen until what is expected shows up, within an overall timeout.
 */
import {describe, it} from '@jest/globals'
import {execFile, execFileSync} from 'node:child_process'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import jsQRModule from 'jsqr'

import {BIN} from './cli.js'

const run = promisify(execFile)

type DecodeQr = typeof jsQRModule.default
/** jsqr is CommonJS with an `export default` typing: take the function whichever way it arrives. */
export const jsQR: DecodeQr = (jsQRModule as unknown as {default?: DecodeQr}).default ?? (jsQRModule as unknown as DecodeQr)

export function commandExists(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

const inCI = Boolean(process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0')

/**
 * `describe` when the tools are here. Without them: a loud skip on a workstation, and in CI a failing
 * test that names the missing tool, so CI never passes by skipping.
 */
export function describeWithTools(tools: Record<string, boolean>, name: string, body: () => void): void {
  const missing = Object.entries(tools)
    .filter(([, present]) => !present)
    .map(([tool]) => tool)
  if (missing.length === 0) {
    describe(name, body)
    return
  }

  const why = `${missing.join(' and ')} not found (apt-get install -y tmux chromium)`
  if (inCI) {
    describe(name, () => {
      it(`needs ${missing.join(' and ')}`, () => {
        throw new Error(`CI is set and ${why}: these tests must run in CI`)
      })
    })
    return
  }

  console.warn(`SKIPPED "${name}": ${why}`)
  describe.skip(name, body)
}

export interface TerminalOptions {
  args: string[]
  /** The program and its first arguments, before `args`; node with bin/run.js unless given. */
  command?: string[]
  env: Record<string, string>
  height?: number
  width?: number
}

let sessions = 0

const EXIT_LINE = /^\[exit status (\d+)\]$/m

/** One CLI run in its own tmux server; the pane stays after the program exits so its status can be read. */
export class Terminal {
  private constructor(
    private readonly socket: string,
    private readonly dir: string,
  ) {}

  static async start(options: TerminalOptions): Promise<Terminal> {
    const dir = await mkdtemp(join(tmpdir(), 'latch-tmux-'))
    const socket = `latch-test-${process.pid}-${++sessions}`
    const config = join(dir, 'tmux.conf')
    // A long history keeps the QR code; no status bar, so the pane is the whole window.
    await writeFile(config, 'set -g history-limit 5000\nset -g status off\n')
    // The CLI gets exactly `env` (plus the TERM tmux sets), not the test runner's environment.
    const script = join(dir, 'run.sh')
    const assignments = Object.entries(options.env)
      .filter(([key]) => key !== 'TERM' && /^\w+$/.test(key))
      .map(([key, value]) => `${key}=${shellQuote(value)}`)
    // After the CLI exits, the wrapper prints its status and keeps the pane alive: a dead pane would
    // no longer report the cursor state the CLI left behind.
    const cli = `env -i TERM="$TERM" ${assignments.join(' ')} ${[...(options.command ?? [process.execPath, BIN]), ...options.args].map(shellQuote).join(' ')}`
    // `trap : INT` keeps the wrapper alive through Ctrl-C; the CLI itself gets the default disposition.
    await writeFile(script, `#!/bin/sh\ntrap : INT\n${cli}\necho "[exit status $?]"\nexec sleep 600\n`, {mode: 0o755})
    await run('tmux', ['-L', socket, '-f', config, 'new-session', '-d', '-x', String(options.width ?? 100), '-y', String(options.height ?? 50), '-s', 'latch', script])
    return new Terminal(socket, dir)
  }

  /**
   * The screen as text, from the start of the history; `colors` keeps the SGR escapes (capture-pane -e).
   * Lines the terminal wrapped are joined back into one, unless `rows` asks for the rows as shown
   * (then with their trailing spaces, which may carry a background colour).
   */
  async capture(options: {colors?: boolean; rows?: boolean} = {}): Promise<string> {
    const {stdout} = await this.tmux('capture-pane', '-p', ...(options.rows ? ['-N'] : ['-J']), '-S', '-', ...(options.colors ? ['-e'] : []), '-t', 'latch')
    return stdout.replace(/\n+$/, '\n')
  }

  async cursorVisible(): Promise<boolean> {
    return (await this.display('#{cursor_flag}')) === '1'
  }

  /** The CLI's exit status, once it has exited (the wrapper prints it, then keeps the pane open). */
  async exitCode(timeoutMs = 20_000): Promise<number> {
    const screen = await this.waitFor(EXIT_LINE, timeoutMs)
    return Number(screen.match(EXIT_LINE)![1])
  }

  /** Keys by tmux name (`Enter`, `C-c`). */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', 'latch', ...keys)
  }

  /** Resizes the window, as a person dragging its corner would: the program gets SIGWINCH. */
  async resize(width: number, height: number): Promise<void> {
    await this.tmux('resize-window', '-t', 'latch', '-x', String(width), '-y', String(height))
  }

  async stop(): Promise<void> {
    await this.tmux('kill-server').catch(() => {})
    await rm(this.dir, {force: true, recursive: true})
  }

  /** Text typed (or pasted) literally. */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'latch', '-l', text)
  }

  /** Polls the screen until `test` matches it; returns the screen. */
  async waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs = 20_000): Promise<string> {
    const matches = typeof test === 'function' ? test : (screen: string) => test.test(screen)
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const screen = await this.capture()
      if (matches(screen)) return screen
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${test}; screen:\n${screen}`)
      await pause(100)
    }
  }

  private async display(format: string): Promise<string> {
    return (await this.tmux('display-message', '-p', '-t', 'latch', format)).stdout.trim()
  }

  private tmux(...args: string[]) {
    return run('tmux', ['-L', this.socket, ...args])
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms)
  })
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}
