/**
 * What a person sees in a real terminal: `bin/run.js` inside tmux, driven with send-keys and read with
 * capture-pane. The device screen (code in large letters, URL, QR code, live countdown), Ctrl-C and
 * failures giving the terminal back, hidden prompts, and the logout confirmation. Then the same login
 * without a terminal (pipes), where only plain lines may appear.
 */
import {afterEach, beforeEach, describe, expect, it} from '@jest/globals'
import {chmod, mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {bigText} from '../../src/ui/big-text.js'
import {DEVICE_CODE, makeSandbox, runCli, type Sandbox, startCli} from '../helpers/cli.js'
import {startEmulator, useEmulator} from '../helpers/emulator.js'
import {commandExists, decodeTerminalQr, describeWithTools, Terminal} from '../helpers/tmux.js'

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

const COUNTDOWN = /the code expires in (\d+:\d\d)/
/** The escape sequences a screen would use; none may reach a log. */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001B\[/

describeWithTools({tmux: commandExists('tmux')}, 'in a real terminal (tmux)', () => {
  it('shows the code large, the URL, a QR code of the URL and a live countdown, then gives the terminal back on approval', async () => {
    terminal = await Terminal.start({args: ['login', '--no-browser'], env: terminalEnv()})
    const screen = await terminal.waitFor(COUNTDOWN)
    const [, userCode] = screen.match(DEVICE_CODE)!
    const url = `${emulator.issuer}/device?user_code=${userCode}`

    expect(screen).toContain(`Open ${url} to approve this login (or go to ${emulator.issuer}/device and enter the code).`)
    for (const line of bigText(userCode)!) expect(screen).toContain(line)
    expect(decodeTerminalQr(screen)).toBe(url)
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
    expect(done).toContain('✓ Approved in the browser.')
    expect(done).toContain('Authenticated successfully as Alice Example (usr_alice).')
    expect(done).not.toContain('Waiting for approval')
    expect(await terminal.cursorVisible()).toBe(true)
    expect(JSON.parse(await readFile(sandbox.credentialsPath, 'utf8')).user.id).toBe('usr_alice')
  })

  it('Ctrl-C clears the status line, shows the cursor, exits 130 and leaves the credentials as they were', async () => {
    const previous = await seedCredentials()
    terminal = await Terminal.start({args: ['login', '--no-browser'], env: terminalEnv()})
    await terminal.waitFor(COUNTDOWN)
    await terminal.keys('C-c')

    expect(await terminal.exitCode()).toBe(130)
    const screen = await terminal.capture()
    expect(screen).toContain('✗ Cancelled. Nothing was saved.')
    expect(screen).toContain('Error: Login cancelled')
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
    expect(screen).toContain('✗ Denied in the browser. Nothing was saved.')
    expect(screen).toContain('Error: Login denied')
    expect(await terminal.cursorVisible()).toBe(true)
  })

  it('NO_COLOR: no colour at all, and the (inverted) QR code still decodes', async () => {
    terminal = await Terminal.start({args: ['login', '--no-browser'], env: terminalEnv({NO_COLOR: '1'})})
    const screen = await terminal.waitFor(COUNTDOWN)
    const [, userCode] = screen.match(DEVICE_CODE)!
    expect(decodeTerminalQr(screen)).toBe(`${emulator.issuer}/device?user_code=${userCode}`)
    // Cursor movement remains (it is not colour); SGR colour and bold codes do not.
    expect(await terminal.capture({colors: true})).not.toMatch(/\u001B\[[\d;]*m/)
    await terminal.keys('C-c')
    expect(await terminal.exitCode()).toBe(130)
  })

  it('login --token: the pasted token is never echoed, and it signs in', async () => {
    const {token} = await emulator.createPat({name: 'tmux', scopes: ['inference', 'account.read'], user: 'bob'})
    terminal = await Terminal.start({args: ['login', '--token'], env: terminalEnv()})
    await terminal.waitFor(/Paste your personal access token \(input is hidden\):/)
    await terminal.type(token)
    await terminal.keys('Enter')

    expect(await terminal.exitCode()).toBe(0)
    const screen = await terminal.capture()
    expect(screen).toContain('Authenticated successfully as')
    // Nothing of the token was echoed, before or after Enter.
    expect(screen).not.toContain(token.slice(7, 19))
    expect(JSON.parse(await readFile(sandbox.credentialsPath, 'utf8')).token.type).toBe('pat')
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
      expect(screen).toContain('✗ The code expired before it was approved. Run `latch login` again for a new code.')
      expect(screen).toContain('Error: Login expired')
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
    expect(result.stderr).toContain('Authenticated successfully as Alice Example (usr_alice).')
    expect(JSON.parse(result.stdout)).toMatchObject({authenticated: true, user: {id: 'usr_alice'}})
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
