/**
 * Issue 10, sections 1-4, end to end: the real CLI against the real emulator (server A) and a
 * deliberately hostile test server (server B, or a server whose every string is escape sequences, or
 * whose numbers are absurd). The hostile server speaks just enough OAuth (discovery, device code,
 * token, revocation) and platform API (/v1/me, /v1/projects/current) for latch, and records every
 * request it gets, so a test can prove that nothing was sent to it.
 *
 * Test names start with the section they cover: "§1 issuer binding", "§2 terminal safety",
 * "§3 device-flow numbers", "§4 local files", "§4 child processes".
 */
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {chmod, chown, link, lstat, mkdir, readFile, readdir, stat, symlink, writeFile} from 'node:fs/promises'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {DEVICE_CODE, makeSandbox, runCli, type Sandbox, startCli} from '../helpers/cli.js'
import {type RunningEmulator, startEmulator} from '../helpers/emulator.js'
import {commandExists, describeWithTools, pause, Terminal} from '../helpers/tmux.js'
import {readLogin} from '../helpers/files.js'

const ESC = '\u001B'
/** Every kind of terminal control a string can carry: clear screen, OSC title, OSC 8 link, CR overwrite, colour, C1 CSI. */
const HOSTILE = `${ESC}[2J${ESC}[H${ESC}]0;pwned${ESC}\\${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\\rOVERWRITE${ESC}[31mred\u009B1mC1\u0007`
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/
const PAT = `sk_pat_${'cd'.repeat(32)}`
const KEY = `sk_proj_${'k'.repeat(40)}`

interface Recorded {
  body: string
  headers: IncomingMessage['headers']
  method: string
  path: string
}

type Reply = {body: unknown; headers?: Record<string, string>; status: number}

/** A scripted OAuth + platform server on loopback; `routes` overrides any answer. */
class HostileServer {
  requests: Recorded[] = []
  routes: Record<string, (request: Recorded) => Reply> = {}
  private server!: Server

  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  metadata(): Record<string, unknown> {
    const base = this.base
    return {
      device_authorization_endpoint: `${base}/device`,
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      issuer: base,
      response_types_supported: ['code'],
      revocation_endpoint: `${base}/revoke`,
      subject_types_supported: ['public'],
      token_endpoint: `${base}/token`,
      userinfo_endpoint: `${base}/userinfo`,
    }
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => this.handle(request, response))
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }

  reset(): void {
    this.requests = []
    this.routes = {}
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    let body = ''
    request.on('data', (chunk) => {
      body += chunk
    })
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://x').pathname
      const recorded = {body, headers: request.headers, method: request.method ?? 'GET', path}
      this.requests.push(recorded)
      const reply = this.routes[path]?.(recorded) ?? this.defaults(path)
      response.writeHead(reply.status, {'content-type': 'application/json', ...reply.headers}).end(JSON.stringify(reply.body))
    })
  }

  private defaults(path: string): Reply {
    switch (path) {
      case '/.well-known/openid-configuration': {
        return {body: this.metadata(), status: 200}
      }

      case '/device': {
        return {body: {device_code: 'dc', expires_in: 60, interval: 1, user_code: 'ABCD-EFGH', verification_uri: `${this.base}/activate`}, status: 200}
      }

      case '/token': {
        return {body: {access_token: 'hostile-access', expires_in: 3600, refresh_token: 'hostile-refresh', scope: 'openid offline_access account.read', token_type: 'Bearer'}, status: 200}
      }

      case '/revoke': {
        return {body: {}, status: 200}
      }

      case '/v1/me': {
        return {body: {email: `e${HOSTILE}@x`, id: `id${HOSTILE}`, name: `Mallory${HOSTILE}`, scopes: ['account.read', `projects.read${HOSTILE}`], token: {expires_at: null, type: 'oauth'}}, status: 200}
      }

      case '/v1/projects/current': {
        return {body: {id: `p${HOSTILE}`, name: `Project${HOSTILE}`}, status: 200}
      }

      default: {
        return {body: {error: 'not_found'}, status: 404}
      }
    }
  }
}

let emulator: RunningEmulator
const hostile = new HostileServer()
let sandbox: Sandbox

beforeAll(async () => {
  emulator = await startEmulator(['--interval', '0.2'])
  await hostile.start()
})
afterAll(async () => {
  await emulator?.stop()
  await hostile.stop()
})
beforeEach(async () => {
  hostile.reset()
  sandbox = await makeSandbox()
})
afterEach(async () => {
  await sandbox.cleanup()
})

/** A device login at the emulator (server A), approved as alice; returns the stored file. */
async function loginAtEmulator(extra: Record<string, string | undefined> = {}): Promise<{access_token: string; refresh_token: string}> {
  const login = startCli(['login', '--no-browser', '--scopes', 'account.read,projects.read'], {env: sandbox.env({LATCH_ISSUER: emulator.issuer, ...extra})})
  login.process.stdin?.end()
  const [, userCode] = await login.waitFor(DEVICE_CODE)
  await emulator.approve(userCode)
  const result = await login.done
  expect(result.stderr).toContain('Authenticated successfully')
  expect(result.code).toBe(0)
  return (await readLogin(sandbox.credentialsPath)).token
}

async function emulatorAccepts(accessToken: string): Promise<boolean> {
  const response = await fetch(`${emulator.issuer}/v1/me`, {headers: {authorization: `Bearer ${accessToken}`}})
  await response.body?.cancel()
  return response.ok
}

describe('§1 issuer binding: a credential goes only where it came from', () => {
  it('§1 LATCH_ISSUER=B whoami, token and link stop with issuer_mismatch (exit 11) and send nothing to B', async () => {
    await loginAtEmulator()
    const before = await readFile(sandbox.credentialsPath, 'utf8')
    const env = sandbox.env({LATCH_ISSUER: hostile.base})
    for (const args of [['whoami'], ['token'], ['link', KEY], ['whoami', '--json']]) {
      // eslint-disable-next-line no-await-in-loop
      const result = await runCli(args, {env})
      expect({args, code: result.code}).toEqual({args, code: 11})
      expect(result.stderr).toContain(`Error: The stored credentials belong to ${emulator.issuer}, but LATCH_ISSUER names ${hostile.base}`)
      expect(result.stderr).toContain(`Hint: run \`latch login --issuer ${hostile.base}\` to sign in there, or unset LATCH_ISSUER to use ${emulator.issuer}`)
    }

    expect(hostile.requests).toEqual([])
    expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(before)
  })

  it('§1 LATCH_ISSUER=B with LATCH_TOKEN still never sends the stored project key to B', async () => {
    await loginAtEmulator()
    const project = await emulator.createProject({name: 'Bound'})
    expect((await runCli(['link', project.access_key], {env: sandbox.env()})).code).toBe(0)
    const result = await runCli(['whoami'], {env: sandbox.env({LATCH_ISSUER: hostile.base, LATCH_TOKEN: PAT})})
    expect(result.code).toBe(11)
    expect(JSON.stringify(hostile.requests)).not.toContain(project.access_key)
  })

  it('§1 the same issuer with a trailing slash or explicit default port is not a mismatch', async () => {
    await loginAtEmulator()
    const result = await runCli(['whoami'], {env: sandbox.env({LATCH_ISSUER: `${emulator.issuer}/`})})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })

  it('§1 LATCH_ISSUER=B logout --force revokes at A (the stored issuer), sends nothing to B, and the tokens die at A', async () => {
    const tokens = await loginAtEmulator()
    expect(await emulatorAccepts(tokens.access_token)).toBe(true)
    const result = await runCli(['logout', '--force', '--json'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({removed: true, revoked: 'revoked'})
    expect(result.stderr).toContain(`revoking them there, not at ${hostile.base}`)
    expect(hostile.requests).toEqual([])
    expect(await emulatorAccepts(tokens.access_token)).toBe(false)
  })

  it('§1 logout reports "failed", not "revoked", when the issuing server does not confirm', async () => {
    // Logged in at the hostile server, whose revocation endpoint answers 500.
    hostile.routes['/revoke'] = () => ({body: {error: 'server_error'}, status: 500})
    expect((await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})).code).toBe(0)
    const result = await runCli(['logout', '--force', '--json'], {env: sandbox.env({LATCH_ISSUER: emulator.issuer})})
    expect(JSON.parse(result.stdout)).toMatchObject({revoked: 'failed'})
    expect(result.stderr).not.toContain('Revoked the token')
    // Revocation went to the server that issued the tokens, with its tokens.
    expect(hostile.requests.filter((request) => request.path === '/revoke').length).toBeGreaterThan(0)
  })

  it('§1 the API URL is stored with the login and the token goes only there', async () => {
    await loginAtEmulator()
    const stored = await readLogin(sandbox.credentialsPath)
    expect(stored.api_url).toBe(emulator.issuer)
    expect(stored.issuer).toBe(emulator.issuer)
  })

  it('§1 discovery endpoints obey the issuer rule: plain http to another host is refused before any token is sent', async () => {
    hostile.routes['/.well-known/openid-configuration'] = () => ({body: {...hostile.metadata(), token_endpoint: 'http://10.0.0.1/token'}, status: 200})
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('Refusing plain http to 10.0.0.1 (from token_endpoint in the metadata of')
    expect(hostile.requests.map((request) => request.path)).toEqual(['/.well-known/openid-configuration'])
  })
})

describe('§2 terminal safety: server text is data, never terminal control', () => {
  async function hostileLogin(): Promise<string> {
    // Granted scopes carry escape sequences too; they are stored and replayed in later hints.
    hostile.routes['/token'] = () => ({body: {access_token: 'hostile-access', expires_in: 3600, refresh_token: 'r', scope: `openid account.read x${HOSTILE}`, token_type: 'Bearer'}, status: 200})
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})
    expect(result.code).toBe(0)
    return result.stderr
  }

  it('§2 login, whoami, link, logout and an insufficient_scope hint print no raw control character in a pipe', async () => {
    const outputs: Record<string, string> = {}
    outputs.login = await hostileLogin()
    expect(outputs.login).toContain(String.raw`Authenticated successfully as Mallory\u001b[2J`)
    const env = sandbox.env({LATCH_ISSUER: hostile.base})
    const whoami = await runCli(['whoami'], {env})
    outputs.whoami = whoami.stdout + whoami.stderr
    expect(whoami.code).toBe(0)
    const linked = await runCli(['link', KEY], {env})
    outputs.link = linked.stdout + linked.stderr
    expect(linked.stderr).toContain(String.raw`Linked project Project\u001b[2J`)
    const whoamiLinked = await runCli(['whoami'], {env})
    outputs.whoamiLinked = whoamiLinked.stdout + whoamiLinked.stderr
    expect(whoamiLinked.stdout).toContain(String.raw`Project:  Project\u001b[2J`)

    hostile.routes['/v1/projects/current'] = () => ({body: {error: 'insufficient_scope'}, headers: {'www-authenticate': 'Bearer error="insufficient_scope", scope="deployments.write"'}, status: 403})
    const denied = await runCli(['whoami'], {env})
    outputs.denied = denied.stdout + denied.stderr
    expect(denied.code).toBe(6)
    // whoami reports the identity and the project's error with its hint (issue 11): the hint is escaped too.
    expect(outputs.denied).toContain('run `latch login --scopes account.read,x\\u001b[2J')

    const logout = await runCli(['logout', '--force'], {env})
    outputs.logout = logout.stderr
    for (const [name, text] of Object.entries(outputs)) expect({name, raw: RAW_CONTROL.test(text)}).toEqual({name, raw: false})
  })

  it('§2 --json keeps the server data as it came (JSON-escaped)', async () => {
    await hostileLogin()
    const result = await runCli(['whoami', '--json'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})
    expect(result.code).toBe(0)
    expect(result.stdout).not.toMatch(RAW_CONTROL)
    const report = JSON.parse(result.stdout)
    expect(report.user.name).toBe(`Mallory${HOSTILE}`)
    expect(report.user.email).toBe(`e${HOSTILE}@x`)
  })

  describeWithTools({tmux: commandExists('tmux')}, 'on a terminal (tmux)', () => {
    let terminal: Terminal | undefined
    afterEach(async () => {
      await terminal?.stop()
      terminal = undefined
    })

    it('§2 whoami and the logout prompt on a TTY show the escapes as text; the screen is not cleared or overwritten', async () => {
      await hostileLogin()
      const env = sandbox.env({CI: undefined, LATCH_ISSUER: hostile.base})
      terminal = await Terminal.start({args: ['whoami'], env})
      expect(await terminal.exitCode()).toBe(0)
      let screen = await terminal.capture()
      expect(screen).toContain(String.raw`Signed in to ${hostile.base} as Mallory\u001b[2J\u001b[H\u001b]0;pwned`)
      expect(screen).not.toContain('\nOVERWRITE')
      await terminal.stop()

      terminal = await Terminal.start({args: ['logout'], env})
      screen = await terminal.waitFor(/Log out/)
      expect(screen).toContain(String.raw`Log out Mallory\u001b[2J`)
      await terminal.keys('n', 'Enter')
      // No is a choice, not an error (issue 12): nothing changed, exit 0.
      expect(await terminal.exitCode()).toBe(0)
    })
  })
})

describe('§3 device-flow numbers are bounded', () => {
  it('§3 interval 0.001 polls at most once a second', async () => {
    hostile.routes['/device'] = () => ({body: {device_code: 'dc', expires_in: 3, interval: 0.001, user_code: 'ABCD-EFGH', verification_uri: `${hostile.base}/activate`}, status: 200})
    hostile.routes['/token'] = () => ({body: {error: 'authorization_pending'}, status: 400})
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: hostile.base}), timeoutMs: 20_000})
    expect(result.code).toBe(9)
    const polls = hostile.requests.filter((request) => request.path === '/token').length
    expect(polls).toBeGreaterThanOrEqual(1)
    expect(polls).toBeLessThanOrEqual(3)
  })

  it('§3 interval 0 is the RFC default of 5 s, not a refused response', async () => {
    hostile.routes['/device'] = () => ({body: {device_code: 'dc', expires_in: 60, interval: 0, user_code: 'ABCD-EFGH', verification_uri: `${hostile.base}/activate`}, status: 200})
    const started = Date.now()
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})
    expect(result.stderr).toContain('Authenticated successfully')
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000)
  })

  it('§3 expires_in 1e20 at login is capped (about a year), not "Invalid time value"', async () => {
    hostile.routes['/token'] = () => ({body: {access_token: 'a', expires_in: 1e20, refresh_token: 'r', token_type: 'Bearer'}, status: 200})
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})
    expect(result.stderr).not.toContain('Invalid time value')
    expect(result.code).toBe(0)
    const stored = await readLogin(sandbox.credentialsPath)
    const years = (Date.parse(stored.token.expires_at) - Date.now()) / (365 * 24 * 3600 * 1000)
    expect(years).toBeGreaterThan(0.99)
    expect(years).toBeLessThanOrEqual(1)
  })

  it('§3 a refresh answered with expires_in 1e20 keeps the rotated refresh token', async () => {
    await mkdir(sandbox.configDir, {mode: 0o700, recursive: true})
    const soon = new Date(Date.now() + 5000).toISOString()
    await writeFile(
      sandbox.credentialsPath,
      JSON.stringify({created_at: soon, issuer: hostile.base, token: {access_token: 'old', expires_at: soon, refresh_token: 'old-refresh', scopes: ['openid'], type: 'oauth'}, version: 1}),
      {mode: 0o600},
    )
    hostile.routes['/token'] = () => ({body: {access_token: 'new-access', expires_in: 1e20, refresh_token: 'rotated-refresh', token_type: 'Bearer'}, status: 200})
    const result = await runCli(['token'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})
    expect(result.stderr).toBe('')
    expect(result.stdout.trim()).toBe('new-access')
    const stored = await readLogin(sandbox.credentialsPath)
    expect(stored.token.refresh_token).toBe('rotated-refresh')
  })

  it('§3 a verification URL that is plain http to another host is refused like an issuer', async () => {
    hostile.routes['/device'] = () => ({body: {device_code: 'dc', expires_in: 60, interval: 1, user_code: 'ABCD-EFGH', verification_uri: 'http://phish.example/device'}, status: 200})
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('verification_uri is not an https URL (or http to this machine)')
    expect(result.stderr).not.toContain('phish.example')
  })

  describeWithTools({tmux: commandExists('tmux')}, 'on a terminal (tmux)', () => {
    let terminal: Terminal | undefined
    afterEach(async () => {
      await terminal?.stop()
      terminal = undefined
    })

    it('§3 a ~100 KB verification URL: no QR, the code and URL still shown, the login completes', async () => {
      const long = `${hostile.base}/activate?x=${'a'.repeat(100 * 1024)}`
      hostile.routes['/device'] = () => ({body: {device_code: 'dc', expires_in: 60, interval: 1, user_code: 'ABCD-EFGH', verification_uri: `${hostile.base}/activate`, verification_uri_complete: long}, status: 200})
      terminal = await Terminal.start({args: ['login', '--no-browser'], env: sandbox.env({CI: undefined, LATCH_ISSUER: hostile.base})})
      expect(await terminal.exitCode()).toBe(0)
      const screen = await terminal.capture()
      expect(screen).toContain('Your device code is: ABCD-EFGH')
      // Wrapped at the space before the URL, which is shown whole.
      expect(screen).toMatch(/Open\s+http:\/\/127\.0\.0\.1:\d+\/activate\?x=a{1000}/)
      expect(screen).not.toContain('to open the URL on another device')
      expect(screen).toContain('Authenticated successfully')
    })
  })
})

describe('§4 local files', () => {
  it('§4 LATCH_CONFIG_DIR="~/.latch" is the home directory, not a folder named ~', async () => {
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_CONFIG_DIR: '~/.latch', LATCH_ISSUER: hostile.base})})
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`Credentials saved to ${join(sandbox.home, '.latch', 'credentials.json')}`)
    expect((await stat(join(sandbox.home, '.latch', 'credentials.json'))).isFile()).toBe(true)
    expect(await readdir(process.cwd())).not.toContain('~')
  })

  it('§4 a relative LATCH_CONFIG_DIR is refused (exit 2) and nothing is created', async () => {
    const result = await runCli(['whoami'], {env: sandbox.env({LATCH_CONFIG_DIR: 'relative-latch-dir'})})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Error: LATCH_CONFIG_DIR must be an absolute path, not "relative-latch-dir"')
    expect(await readdir(process.cwd())).not.toContain('relative-latch-dir')
  })

  async function seeded(): Promise<string> {
    expect((await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})).code).toBe(0)
    return readFile(sandbox.credentialsPath, 'utf8')
  }

  it('§4 a config directory that is a symlink is refused (exit 10), naming the path', async () => {
    const real = join(sandbox.home, 'elsewhere')
    await mkdir(real, {mode: 0o700})
    await mkdir(join(sandbox.home, '.config'), {recursive: true})
    await symlink(real, sandbox.configDir)
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})
    expect(result.code).toBe(10)
    expect(result.stderr).toContain(`Error: Config directory ${sandbox.configDir} is a symbolic link`)
    expect(await readdir(real)).toEqual([])
  })

  it('§4 a group- or world-writable config directory is refused (exit 10), not used', async () => {
    const before = await seeded()
    await chmod(sandbox.configDir, 0o777)
    const result = await runCli(['whoami'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})
    expect(result.code).toBe(10)
    expect(result.stderr).toContain(`Error: Config directory ${sandbox.configDir} is writable by others (mode 0777)`)
    expect(result.stderr).toContain(`Hint: run \`chmod 700 ${sandbox.configDir}\``)
    expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(before)
    expect(hostile.requests.filter((request) => request.path === '/v1/me').length).toBe(1)
  })

  ;(process.getuid?.() === 0 ? it : it.skip)('§4 a config directory owned by another user is refused (exit 10) (as root: chown to nobody)', async () => {
    await seeded()
    await chown(sandbox.configDir, 65_534, 65_534)
    const result = await runCli(['whoami'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})
    expect(result.code).toBe(10)
    expect(result.stderr).toContain(`Error: Config directory ${sandbox.configDir} is owned by another user (uid 65534`)
  })

  it('§4 a credentials file with a second hard link is refused (exit 10) and not chmodded through it', async () => {
    await seeded()
    const other = join(sandbox.home, 'second-name.json')
    await link(sandbox.credentialsPath, other)
    await chmod(other, 0o644)
    const result = await runCli(['whoami'], {env: sandbox.env({LATCH_ISSUER: hostile.base})})
    expect(result.code).toBe(10)
    expect(result.stderr).toContain(`Error: Credentials file ${sandbox.credentialsPath} has 2 hard links`)
    expect((await lstat(other)).mode & 0o777).toBe(0o644)
  })
})

describe('§4 child processes', () => {
  it('§4 the browser (LATCH_BROWSER) and the clipboard tool get no LATCH_TOKEN, LATCH_ACCESS_KEY or LATCH_API_KEY', async () => {
    const bin = join(sandbox.home, 'bin')
    await mkdir(bin)
    const browserDump = join(sandbox.home, 'browser-env')
    const clipboardDump = join(sandbox.home, 'clipboard-env')
    await writeFile(join(bin, 'fake-browser'), `#!/bin/sh\nenv > '${browserDump}.tmp' && mv '${browserDump}.tmp' '${browserDump}'\n`, {mode: 0o755})
    await writeFile(join(bin, 'xclip'), `#!/bin/sh\ncat > /dev/null\nenv > '${clipboardDump}.tmp' && mv '${clipboardDump}.tmp' '${clipboardDump}'\n`, {mode: 0o755})
    hostile.routes['/token'] = () => ({body: {error: 'authorization_pending'}, status: 400})
    const login = startCli(['login', '--browser', '--copy'], {
      env: sandbox.env({
        CI: undefined,
        DISPLAY: ':99',
        LATCH_ACCESS_KEY: KEY,
        LATCH_API_KEY: 'api-key-secret',
        LATCH_BROWSER: join(bin, 'fake-browser'),
        LATCH_ISSUER: hostile.base,
        LATCH_TOKEN: PAT,
        PATH: `${bin}:${process.env.PATH}`,
      }),
    })
    login.process.stdin?.end()
    await login.waitFor(/Copied the code to the clipboard\./)
    let browserEnv = ''
    for (let i = 0; i < 100 && !browserEnv; i++) {
      // eslint-disable-next-line no-await-in-loop
      browserEnv = await readFile(browserDump, 'utf8').catch(() => '')
      // eslint-disable-next-line no-await-in-loop
      if (!browserEnv) await pause(100)
    }

    login.process.kill('SIGINT')
    await login.done
    const clipboardEnv = await readFile(clipboardDump, 'utf8')
    for (const dumped of [browserEnv, clipboardEnv]) {
      expect(dumped).toContain(`LATCH_ISSUER=${hostile.base}`)
      expect(dumped).not.toContain('LATCH_TOKEN')
      expect(dumped).not.toContain('LATCH_ACCESS_KEY')
      expect(dumped).not.toContain('LATCH_API_KEY')
      expect(dumped).not.toContain(PAT)
    }
  })
})
