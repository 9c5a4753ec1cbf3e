/**
 * What a person sees in a real terminal: `bin/run.js` inside tmux, driven with send-keys and read with
 * capture-pane. The device screen (code in large letters, URL, QR code, live countdown), Ctrl-C and
 * failures giving the terminal back, hidden prompts, and the logout confirmation. Then the same login
 * without a terminal (pipes), where only plain lines may appear.
 */
import {afterEach, beforeEach, describe, expect, it} from '@jest/globals'
import {chmod, mkdir, readFile, writeFile} from 'node:fs/promises'
import {createServer} from 'node:http'
import {type AddressInfo, createServer as createTcpServer} from 'node:net'
import {join} from 'node:path'

import {bigText} from '../../src/ui/big-text.js'
import {DEVICE_CODE, makeSandbox, runCli, type Sandbox, startCli} from '../helpers/cli.js'
import {startEmulator, useEmulator} from '../helpers/emulator.js'
import {decodeScreen} from '../helpers/screen-image.js'
import {commandExists, describeWithTools, Terminal} from '../helpers/tmux.js'
import {readLogin} from '../helpers/files.js'

const emulator = useEmulator(['--interval', '0.2'])
let sandbox: Sandbox
let terminal: Terminal | undefined

beforeEach(async () => {
  sandbox = await makeSandbox(emulator.issuer)
})
afterEach(async () => {
  await terminal?.stop()
  terminal = undefined
  await sandbox.cleanup()
})

/** The CLI's environment in the terminal: the sandbox, and none of the runner's colour, CI or NODE_ENV=test settings. */
function terminalEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  return sandbox.env({CI: undefined, FORCE_COLOR: undefined, NO_COLOR: undefined, NODE_ENV: undefined, ...extra})
}

async function seedCredentials(): Promise<string> {
  const text = `${JSON.stringify(
    {
      created_at: '2026-01-01T00:00:00.000Z',
      issuer: emulator.issuer,
      token: {access_token: 'previous-token', scopes: ['inference'], type: 'pat'},
      user: {id: 'usr_alice', name: 'Alice Example'},
      version: 1,
    },
    null,
    2,
  )}\n`
  await mkdir(sandbox.configDir, {mode: 0o700, recursive: true})
  await writeFile(sandbox.credentialsPath, text, {mode: 0o600})
  return text
}

const COUNTDOWN = /[Tt]he code expires in (\d+:\d\d)/

/** Lines the terminal had to wrap: joined back (capture-pane -J), they are wider than the window. */
async function terminalWrapped(terminal: Terminal, width: number): Promise<string[]> {
  return (await terminal.capture()).split('\n').filter((line) => [...line.trimEnd()].length > width)
}

/** The QR code read from the screen as shown by a light and by a dark theme, never trying the inverted image. */
async function decodeBothThemes(terminal: Terminal): Promise<[string | undefined, string | undefined]> {
  const screen = await terminal.capture({colors: true, rows: true})
  return [decodeScreen(screen, 'light'), decodeScreen(screen, 'dark')]
}

/** A port nothing listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = createTcpServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Occurrences of `text` on the screen, ignoring case. */
function count(screen: string, text: string): number {
  return screen.toLowerCase().split(text.toLowerCase()).length - 1
}
/** The escape sequences a screen would use; none may reach a log. */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001B\[/

describeWithTools({tmux: commandExists('tmux')}, 'in a real terminal (tmux)', () => {
  it('shows the code large, the URL, a QR code of the URL and a live countdown, then gives the terminal back on approval', async () => {
    terminal = await Terminal.start({args: ['login', '--no-browser'], env: terminalEnv()})
    const screen = await terminal.waitFor(COUNTDOWN)
    const [, userCode] = screen.match(DEVICE_CODE)!
    const url = `${emulator.issuer}/device?user_code=${userCode}`

    // Wrapped at a space to the 100 columns, never inside a word.
    expect(screen.replaceAll('\n', ' ')).toContain(`Open ${url} to approve this login (or go to ${emulator.issuer}/device and enter the code).`)
    for (const line of bigText(userCode)!) expect(screen).toContain(line)
    expect(await decodeBothThemes(terminal)).toEqual([url, url])
    expect(await terminal.cursorVisible()).toBe(false)
    // Colour on a terminal: the code is bold and the QR sits on an explicit white background.
    const colored = await terminal.capture({colors: true})
    expect(colored).toContain(`\u001B[1m${userCode}`)
    expect(colored).toContain('\u001B[47m')

    // The countdown moves: wait for a different value rather than for a time.
    const first = screen.match(COUNTDOWN)![1]
    const later = await terminal.waitFor((text) => (text.match(COUNTDOWN)?.[1] ?? first) !== first)
    // Redrawn in place: one status line, never a second one.
    expect(later.match(/Waiting for approval/g)).toHaveLength(1)

    await emulator.approve(userCode, 'alice')
    expect(await terminal.exitCode()).toBe(0)
    const done = await terminal.capture()
    // Said once: the status line goes, and the last step's line says how it ended.
    expect(done).toMatch(/^✔ Discovering the authorization server\n✔ Initiating device authorization\n/)
    expect(done).toContain('and enter the code).\n✔ Reading your account\n✔ Authenticated successfully as Alice Example (usr_alice).\nCredentials saved to ')
    expect(count(done, 'authenticated')).toBe(1)
    expect(done).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏❯✖]/)
    // The step lines are green ticks.
    expect(await terminal.capture({colors: true})).toMatch(/\u001B\[32m✔\u001B\[39m Reading your account/)
    expect(count(done, 'approved')).toBe(0)
    expect(done).not.toContain('Waiting for approval')
    expect(await terminal.cursorVisible()).toBe(true)
    expect((await readLogin(sandbox.credentialsPath)).user.id).toBe('usr_alice')
  })

  it('Ctrl-C clears the status line, shows the cursor, exits 130 and leaves the credentials as they were', async () => {
    const previous = await seedCredentials()
    terminal = await Terminal.start({args: ['login', '--no-browser'], env: terminalEnv()})
    await terminal.waitFor(COUNTDOWN)
    await terminal.keys('C-c')

    expect(await terminal.exitCode()).toBe(130)
    const screen = await terminal.capture()
    // Said once: one line and one hint, right where the status line was.
    expect(screen).toContain('and enter the code).\nError: Login cancelled\nHint: nothing was saved; your previous credentials are unchanged\n[exit status 130]')
    expect(count(screen, 'cancel')).toBe(1)
    expect(count(screen, 'nothing was saved')).toBe(1)
    expect(screen).not.toContain('Waiting for approval')
    expect(await terminal.cursorVisible()).toBe(true)
    expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(previous)
  })

  it('a denied login says so on the screen, exits 8 and gives the cursor back', async () => {
    terminal = await Terminal.start({args: ['login', '--no-browser'], env: terminalEnv()})
    const [, userCode] = (await terminal.waitFor(COUNTDOWN)).match(DEVICE_CODE)!
    await emulator.deny(userCode)

    expect(await terminal.exitCode()).toBe(8)
    const screen = await terminal.capture()
    expect(screen).toContain('and enter the code).\nError: Login denied: the request was declined in the browser\nHint: run `latch login` again if that was a mistake\n[exit status 8]')
    expect(count(screen, 'denied')).toBe(1)
    expect(await terminal.cursorVisible()).toBe(true)
  })

  it('NO_COLOR: no colour at all, and the QR code reads on light and dark themes alike', async () => {
    terminal = await Terminal.start({args: ['login', '--no-browser'], env: terminalEnv({NO_COLOR: '1'})})
    const screen = await terminal.waitFor(COUNTDOWN)
    const [, userCode] = screen.match(DEVICE_CODE)!
    const url = `${emulator.issuer}/device?user_code=${userCode}`
    // A light theme reads the code drawn in the foreground, a dark theme the one drawn in the background.
    expect(await decodeBothThemes(terminal)).toEqual([url, url])
    // Cursor movement remains (it is not colour); SGR colour and bold codes do not.
    expect(await terminal.capture({colors: true})).not.toMatch(/\u001B\[[\d;]*m/)
    await terminal.keys('C-c')
    expect(await terminal.exitCode()).toBe(130)
  })

  for (const width of [60, 80, 200]) {
    for (const env of [{}, {NO_COLOR: '1'}]) {
      it(`at ${width} columns${env.NO_COLOR ? ' with NO_COLOR' : ''}: nothing wraps mid-word, the QR code reads on both themes, and each outcome is said once`, async () => {
        terminal = await Terminal.start({args: ['login', '--no-browser'], env: terminalEnv(env), height: 50, width})
        const screen = await terminal.waitFor(COUNTDOWN)
        const [, userCode] = screen.match(DEVICE_CODE)!
        const url = `${emulator.issuer}/device?user_code=${userCode}`
        expect(await terminalWrapped(terminal, width)).toEqual([])
        expect(screen).toMatch(/ to\s+approve this login/)
        expect(screen.split(/\s+/)).toEqual(expect.arrayContaining([url, `${emulator.issuer}/device`, 'code).']))
        expect(await decodeBothThemes(terminal)).toEqual([url, url])
        expect(screen.match(/Waiting for approval/g)).toHaveLength(1)

        if (env.NO_COLOR) {
          await emulator.deny(userCode)
          expect(await terminal.exitCode()).toBe(8)
          const done = await terminal.capture()
          expect(await terminalWrapped(terminal, width)).toEqual([])
          expect(done).toMatch(/code\)\.\nError: Login denied: the request was declined in the\s+browser\nHint: run `latch login` again if that was a\s+mistake\n\[exit status 8\]/)
          expect(count(done, 'denied')).toBe(1)
        } else {
          await emulator.approve(userCode, 'alice')
          expect(await terminal.exitCode()).toBe(0)
          const done = await terminal.capture()
          // The lines after the screen are wrapped too (the credentials path is longer than 60 columns).
          expect(await terminalWrapped(terminal, width)).toEqual([])
          // Step lines wrap at spaces too (listr2 indents the rest of a wrapped line).
          expect(done.replaceAll(/\n */g, ' ')).toContain('code). ✔ Reading your account ✔ Authenticated successfully as Alice Example (usr_alice). Credentials saved to')
          expect(done.replaceAll('\n', ' ')).toContain(`Credentials saved to ${sandbox.credentialsPath}`)
          expect(count(done, 'approved')).toBe(0)
        }
      })
    }
  }

  it('a resized window gets one status line redrawn for its new width, with nothing stale left over', async () => {
    terminal = await Terminal.start({args: ['login', '--no-browser'], env: terminalEnv(), height: 50, width: 120})
    const wide = await terminal.waitFor(COUNTDOWN)
    expect(wide).toContain('Waiting for approval in the browser · the code expires in')
    await terminal.resize(60, 50)
    const narrow = await terminal.waitFor((text) => /Waiting for approval · the code expires in \d+:\d\d$/m.test(text) && !text.includes('in the browser'))
    expect(narrow.match(/Waiting for approval/g)).toHaveLength(1)
    expect((await terminal.capture({rows: true})).trimEnd().split('\n').at(-1)).toMatch(/^. Waiting for approval · the code expires in \d+:\d\d$/)
    await terminal.resize(200, 50)
    const widened = await terminal.waitFor(/in the browser · the code expires in \d+:\d\d · Ctrl-C to cancel/)
    expect(widened.match(/Waiting for approval/g)).toHaveLength(1)
    await terminal.keys('C-c')
    expect(await terminal.exitCode()).toBe(130)
    expect((await terminal.capture()).match(/Waiting for approval/g)).toBeNull()
  })

  it('login --token: the pasted token is never echoed, and it signs in', async () => {
    const {token} = await emulator.createPat({name: 'tmux', scopes: ['inference', 'account.read'], user: 'bob'})
    terminal = await Terminal.start({args: ['login', '--token'], env: terminalEnv()})
    const prompt = await terminal.waitFor(/Paste your personal access token \(input is hidden\):/)
    // Said once: not again as "[input is masked]".
    expect(count(prompt, 'input is')).toBe(1)
    expect(prompt).not.toContain('masked')
    await terminal.type(token)
    await terminal.keys('Enter')

    expect(await terminal.exitCode()).toBe(0)
    const screen = await terminal.capture()
    expect(screen).toMatch(/input is hidden\): *\n✔ Checking the token and reading your account\n✔ Authenticated successfully as Bob [^\n]*\nCredentials saved to /)
    expect(screen).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏❯✖]/)
    // Nothing of the token was echoed, before or after Enter.
    expect(screen).not.toContain(token.slice(7, 19))
    expect((await readLogin(sandbox.credentialsPath)).token.type).toBe('pat')
  })

  it('a step that fails keeps its title with a cross, the error is said once, and the cursor comes back', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`
    terminal = await Terminal.start({args: ['login', '--no-browser'], env: terminalEnv({LATCH_ISSUER: closed})})
    expect(await terminal.exitCode()).toBe(3)
    const screen = await terminal.capture()
    expect(screen).toMatch(/^✖ Discovering the authorization server\nError: Could not discover the server at /)
    expect(count(screen, 'could not discover')).toBe(1)
    expect(await terminal.cursorVisible()).toBe(true)
  })

  it('Ctrl-C during a step: the spinner line goes, the cursor comes back, exit 130', async () => {
    // A server that accepts the connection and never answers: discovery waits, its spinner turning.
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const issuer = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`
      terminal = await Terminal.start({args: ['login', '--no-browser'], env: terminalEnv({LATCH_ISSUER: issuer})})
      await terminal.waitFor(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Discovering the authorization server\.\.\./m)
      expect(await terminal.cursorVisible()).toBe(false)
      await terminal.keys('C-c')

      expect(await terminal.exitCode()).toBe(130)
      const screen = await terminal.capture()
      expect(screen).toMatch(/^Error: Login cancelled\n/)
      expect(screen).not.toContain('Discovering')
      expect(await terminal.cursorVisible()).toBe(true)
    } finally {
      silent.closeAllConnections()
      await new Promise((resolve) => silent.close(resolve))
    }
  })

  it('login --token: a note made during a step comes after its line, once, and nothing is lost', async () => {
    const {token} = await emulator.createPat({name: 'narrow', scopes: ['inference'], user: 'bob'})
    terminal = await Terminal.start({args: ['login', '--token'], env: terminalEnv()})
    await terminal.waitFor(/input is hidden/)
    await terminal.type(token)
    await terminal.keys('Enter')

    expect(await terminal.exitCode()).toBe(0)
    const screen = (await terminal.capture()).replaceAll(/\n */g, ' ')
    expect(screen).toContain('✔ Checking the token and reading your account Note: this token cannot read account information')
    expect(screen).toContain('✔ Authenticated successfully. Credentials saved to ')
    expect(count(screen, 'cannot read account')).toBe(1)
  })

  it('login --token: Ctrl-C at the hidden prompt exits 130 and changes nothing', async () => {
    const previous = await seedCredentials()
    terminal = await Terminal.start({args: ['login', '--token'], env: terminalEnv()})
    await terminal.waitFor(/input is hidden/)
    await terminal.type('sk_pat_half-typed')
    await terminal.keys('C-c')

    expect(await terminal.exitCode()).toBe(130)
    const screen = await terminal.capture()
    expect(screen).not.toContain('half-typed')
    expect(screen).toContain('Error: Cancelled')
    expect(await terminal.cursorVisible()).toBe(true)
    expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(previous)
  })

  it('link: the key prompt hides what is pasted, and Ctrl-C changes nothing', async () => {
    const previous = await seedCredentials()
    terminal = await Terminal.start({args: ['link'], env: terminalEnv()})
    await terminal.waitFor(/input is hidden/)
    await terminal.type('sk_proj_secretpart')
    await terminal.keys('C-c')

    expect(await terminal.exitCode()).toBe(130)
    expect(await terminal.capture()).not.toContain('secretpart')
    expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(previous)
  })

  it('logout asks first and Enter means No: "Nothing changed", exit 0, nothing is removed', async () => {
    const previous = await seedCredentials()
    terminal = await Terminal.start({args: ['logout'], env: terminalEnv()})
    await terminal.waitFor(/Log out Alice Example \(usr_alice\) from .*\(y\/N\)/)
    await terminal.keys('Enter')

    expect(await terminal.exitCode()).toBe(0)
    expect(await terminal.capture()).toContain('Nothing changed.')
    expect(await terminal.capture()).not.toContain('Error')
    expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(previous)
  })

  it('Ctrl-C at the logout prompt is still "Cancelled", exit 130', async () => {
    const previous = await seedCredentials()
    terminal = await Terminal.start({args: ['logout'], env: terminalEnv()})
    await terminal.waitFor(/Log out Alice Example/)
    await terminal.keys('C-c')

    expect(await terminal.exitCode()).toBe(130)
    expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(previous)
  })

  it('an expired code says so, tells the user to run login again, and exits 9', async () => {
    const shortLived = await startEmulator(['--interval', '0.2', '--device-code-ttl', '3'])
    try {
      terminal = await Terminal.start({args: ['login', '--no-browser'], env: terminalEnv({LATCH_ISSUER: shortLived.issuer})})
      expect(await terminal.exitCode()).toBe(9)
      const screen = await terminal.capture()
      expect(screen).toContain('and enter the code).\nError: Login expired: the code was not approved in time\nHint: run `latch login` again to get a new code\n[exit status 9]')
      expect(count(screen, 'expired')).toBe(1)
      expect(await terminal.cursorVisible()).toBe(true)
    } finally {
      await shortLived.stop()
    }
  })
})

describe('without a terminal (pipes, CI)', () => {
  it('writes only plain lines to stderr and the JSON result to stdout', async () => {
    const login = startCli(['login', '--no-browser', '--json'], {env: sandbox.env({FORCE_COLOR: undefined, NODE_ENV: undefined})})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await emulator.approve(userCode, 'alice')
    const result = await login.done

    expect(result.code).toBe(0)
    expect(result.stderr).not.toMatch(ESCAPES)
    expect(result.stderr).not.toMatch(/[█▀▄⠋]/)
    const lines = result.stderr.split('\n')
    const first = lines.indexOf(`Your device code is: ${userCode}`)
    expect(lines.slice(first, first + 3)).toEqual([
      `Your device code is: ${userCode}`,
      `Open ${emulator.issuer}/device?user_code=${userCode} to approve this login (or go to ${emulator.issuer}/device and enter the code).`,
      'Waiting for approval (the code expires in 15 minutes)...',
    ])
    // --json: no steps and no success line on stderr; the JSON document says how it ended.
    expect(lines.filter(Boolean)).toHaveLength(3)
    expect(JSON.parse(result.stdout)).toMatchObject({authenticated: true, user: {id: 'usr_alice'}})
  })

  it('says each outcome once: one line, and for a failure one hint', async () => {
    const denied = startCli(['login', '--no-browser'], {env: sandbox.env({FORCE_COLOR: undefined})})
    await emulator.deny((await denied.waitFor(DEVICE_CODE))[1])
    const deniedResult = await denied.done
    expect(deniedResult.code).toBe(8)
    expect(deniedResult.stderr.split('Waiting for approval (the code expires in 15 minutes)...\n')[1]).toBe(
      'Error: Login denied: the request was declined in the browser\nHint: run `latch login` again if that was a mistake\n',
    )

    const cancelled = startCli(['login', '--no-browser'], {env: sandbox.env({FORCE_COLOR: undefined})})
    await cancelled.waitFor(/Waiting for approval/)
    cancelled.process.kill('SIGINT')
    const cancelledResult = await cancelled.done
    expect(cancelledResult.code).toBe(130)
    expect(cancelledResult.stderr.split('Waiting for approval (the code expires in 15 minutes)...\n')[1]).toBe(
      'Error: Login cancelled\nHint: nothing was saved; your previous credentials are unchanged\n',
    )
  })

  it('login --token: its steps as plain lines, and with --json nothing at all on stderr', async () => {
    const {token} = await emulator.createPat({name: 'pipe', scopes: ['inference', 'account.read'], user: 'bob'})
    const plain = await runCli(['login', '--token'], {env: sandbox.env({FORCE_COLOR: undefined}), input: `${token}\n`})
    expect(plain.code).toBe(0)
    expect(plain.stderr).not.toMatch(ESCAPES)
    expect(plain.stderr.replace(/Credentials saved to .*/, 'Credentials saved to')).toMatch(
      /^Checking the token and reading your account\.\.\.\nSaving the credentials\.\.\.\nAuthenticated successfully as Bob [^\n]+\.\nCredentials saved to\n$/,
    )

    const json = await runCli(['login', '--token', '--json'], {env: sandbox.env({FORCE_COLOR: undefined}), input: `${token}\n`})
    expect(json.code).toBe(0)
    expect(json.stderr).toBe('')
    expect(JSON.parse(json.stdout)).toMatchObject({authenticated: true, token: {type: 'pat'}})
  })

  it('FORCE_COLOR colours whole lines only, so the plain text stays greppable', async () => {
    const login = startCli(['login', '--no-browser'], {env: sandbox.env({FORCE_COLOR: '1'})})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await emulator.approve(userCode)
    const result = await login.done
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`\u001B[1mYour device code is: ${userCode}\u001B[22m`)
  })

  it('--copy hands the code to the clipboard tool on stdin, never in argv, and still prints it', async () => {
    const bin = join(sandbox.home, 'bin')
    await mkdir(bin)
    const record = join(sandbox.home, 'clipboard')
    await writeFile(join(bin, 'xclip'), `#!/bin/sh\necho "$@" > '${record}.args'\ncat > '${record}'\n`)
    await chmod(join(bin, 'xclip'), 0o755)
    const login = startCli(['login', '--no-browser', '--copy'], {env: sandbox.env({DISPLAY: ':99', PATH: `${bin}:${process.env.PATH}`})})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await login.waitFor(/Copied the code to the clipboard\./)
    await emulator.approve(userCode)
    const result = await login.done

    expect(result.code).toBe(0)
    expect(await readFile(record, 'utf8')).toBe(userCode)
    expect(await readFile(`${record}.args`, 'utf8')).toBe('-selection clipboard\n')
  })

  it('--copy without any clipboard tool is one line, and the login goes on', async () => {
    const login = startCli(['login', '--no-browser', '--copy'], {env: sandbox.env({DISPLAY: undefined, WAYLAND_DISPLAY: undefined})})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await login.waitFor(/Could not copy the code \(no clipboard in this session\)\./)
    await emulator.approve(userCode)
    expect((await login.done).code).toBe(0)
  })

  it('logout without a terminal refuses instead of prompting', async () => {
    const previous = await seedCredentials()
    const result = await runCli(['logout'], {env: sandbox.env()})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Refusing to log out without confirmation')
    expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(previous)
  })
})
