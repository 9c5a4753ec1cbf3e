/**
 * `latch login` through the device flow, end to end: the real CLI against the real emulator.
 */
import {describe, expect, it} from '@jest/globals'
import {readFile, stat, writeFile, mkdir} from 'node:fs/promises'
import {type AddressInfo, createServer} from 'node:net'

import {DEVICE_CODE, runCli, startCli} from '../helpers/cli.js'
import {useEmulator, useSandbox} from '../helpers/emulator.js'
import {readLogin} from '../helpers/files.js'

const emulator = useEmulator(['--interval', '0.2'])
const sandbox = useSandbox(emulator)

/** A port nothing listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Writes a recognisable previous login, to prove a failed login leaves it byte for byte. */
async function seedPreviousCredentials(): Promise<string> {
  const text = `${JSON.stringify({created_at: '2026-01-01T00:00:00.000Z', issuer: emulator.issuer, token: {access_token: 'previous-token', scopes: ['inference'], type: 'oauth'}, version: 1}, null, 2)}\n`
  await mkdir(sandbox.configDir, {mode: 0o700, recursive: true})
  await writeFile(sandbox.credentialsPath, text, {mode: 0o600})
  return text
}

describe('latch login (device flow)', () => {
  it('shows the code and URL, waits for approval, saves the tokens at 0600 and names the user', async () => {
    const login = startCli(['login', '--no-browser', '--json'], {env: sandbox.env()})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await emulator.approve(userCode, 'alice')
    const result = await login.done

    expect(result.stderr).toContain(`Open ${emulator.issuer}/device`)
    expect(result.code).toBe(0)
    const output = JSON.parse(result.stdout)
    expect(output).toMatchObject({authenticated: true, credentials_path: sandbox.credentialsPath, issuer: emulator.issuer, user: {id: 'usr_alice', name: 'Alice Example'}})
    expect(output.token.scopes.sort()).toEqual(['account.read', 'deployments.read', 'inference', 'projects.read'])
    // With --json, stderr holds what the person must act on (the code and URL) and nothing else: no
    // steps, no success line (the JSON document says how it ended).
    const lines = result.stderr.split('\n').filter(Boolean)
    expect(lines).toHaveLength(3)
    expect(lines[0]).toBe(`Your device code is: ${userCode}`)
    expect(lines[1]).toMatch(/^Open \S+ to approve this login/)
    expect(lines[2]).toMatch(/^Waiting for approval \(the code expires in/)

    const stored = await readLogin(sandbox.credentialsPath)
    expect(stored).toMatchObject({issuer: emulator.issuer, token: {type: 'oauth'}, user: {id: 'usr_alice', name: 'Alice Example'}})
    expect(JSON.parse(await readFile(sandbox.credentialsPath, 'utf8')).version).toBe(2)
    expect(stored.token.refresh_token).toEqual(expect.any(String))
    expect(Date.parse(stored.token.expires_at)).toBeGreaterThan(Date.now())
    expect((await stat(sandbox.credentialsPath)).mode & 0o777).toBe(0o600)
    expect((await stat(sandbox.configDir)).mode & 0o777).toBe(0o700)
    // The token is never printed without --show-token.
    expect(result.stdout + result.stderr).not.toContain(stored.token.access_token)

    const whoami = await runCli(['whoami', '--json'], {env: sandbox.env()})
    expect(whoami.code).toBe(0)
    expect(JSON.parse(whoami.stdout).user.name).toBe('Alice Example')
  })

  it('asks for exactly --scopes and stores only what the person granted', async () => {
    const login = startCli(['login', '--no-browser', '--json', '--scopes', 'inference,keys.read,account.read'], {env: sandbox.env()})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await emulator.approve(userCode, 'bob', ['openid', 'offline_access', 'inference', 'account.read'])
    const result = await login.done

    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).token.scopes.sort()).toEqual(['account.read', 'inference'])
    const stored = await readLogin(sandbox.credentialsPath)
    expect(stored.token.scopes).not.toContain('keys.read')
    expect(stored.user.id).toBe('usr_bob')
  })

  it('refuses unknown scopes before sending any request', async () => {
    const serverRequests = async () => (await emulator.requests()).filter((entry) => !entry.path.startsWith('/_emulator')).length
    const before = await serverRequests()
    const result = await runCli(['login', '--no-browser', '--scopes', 'inference,admin.everything'], {env: sandbox.env()})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Unknown scope: "admin.everything"')
    expect(result.stderr).toContain('Hint: choose from: inference, projects.read')
    expect(await serverRequests()).toBe(before)
  })

  it('a denied login exits 8 and leaves the previous credentials byte for byte', async () => {
    const previous = await seedPreviousCredentials()
    const login = startCli(['login', '--no-browser'], {env: sandbox.env()})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await emulator.deny(userCode)
    const result = await login.done

    expect(result.code).toBe(8)
    expect(result.stderr).toContain('Error: Login denied')
    expect(result.stderr).not.toContain('    at ')
    expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(previous)
  })

  it('Ctrl-C while waiting exits 130 and leaves the previous credentials byte for byte', async () => {
    const previous = await seedPreviousCredentials()
    const login = startCli(['login', '--no-browser'], {env: sandbox.env()})
    await login.waitFor(DEVICE_CODE)
    login.process.kill('SIGINT')
    const result = await login.done

    expect(result.code).toBe(130)
    expect(result.stderr).toContain('Error: Login cancelled')
    expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(previous)
  })

  it('warns that LATCH_TOKEN will keep winning over the login it saves', async () => {
    const login = startCli(['login', '--no-browser'], {env: sandbox.env({LATCH_TOKEN: 'env-token'})})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await emulator.approve(userCode)
    const result = await login.done
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('Warning: LATCH_TOKEN is set; it will keep taking precedence')
  })

  it('--issuer beats LATCH_ISSUER and a refused plain-http issuer sends nothing', async () => {
    const result = await runCli(['login', '--no-browser', '--issuer', 'http://auth.example.com'], {env: sandbox.env()})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Refusing plain http to auth.example.com (from --issuer)')

    const login = startCli(['login', '--no-browser', '--json', '--issuer', emulator.issuer], {env: sandbox.env({LATCH_ISSUER: 'http://127.0.0.1:1'})})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await emulator.approve(userCode)
    expect((await login.done).code).toBe(0)
  })

  it('in a pipe: each step as a plain line a log can hold, no spinner, no escape sequence', async () => {
    const login = startCli(['login', '--no-browser'], {env: sandbox.env({FORCE_COLOR: undefined, TERM: 'xterm-256color'})})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await emulator.approve(userCode, 'alice')
    const result = await login.done

    expect(result.code).toBe(0)
    expect(result.stderr).not.toContain('\u001B')
    expect(result.stderr).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✔✖]/)
    expect(result.stderr.split('\n').map((line) => line.replace(/^(Your device code is:|Open|Waiting for approval|Credentials saved to) .*/, '$1'))).toEqual([
      'Discovering the authorization server...',
      'Initiating device authorization...',
      'Your device code is:',
      'Open',
      'Waiting for approval',
      'Reading your account...',
      'Saving the credentials...',
      'Authenticated successfully as Alice Example (usr_alice).',
      'Credentials saved to',
      '',
    ])
  })

  it('a failing step leaves its plain line and one error, said once', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: closed})})
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^Discovering the authorization server\.\.\.\nError: Could not discover the server at /)
    expect(result.stderr.match(/Could not discover/g)).toHaveLength(1)
  })

  it('names the server and the cause when it cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: closed})})
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(`Could not discover the server at ${closed}: connection refused`)

    const blocked = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: 'http://127.0.0.1:1'})})
    expect(blocked.code).toBe(3)
    expect(blocked.stderr).toContain('Could not discover the server at http://127.0.0.1:1: fetch refuses to connect to this port')
  })
})

describe('latch login against a short-lived code', () => {
  const shortLived = useEmulator(['--interval', '0.2', '--device-code-ttl', '2'])

  it('an expired code exits 9 and tells the user to log in again', async () => {
    const previous = await seedPreviousCredentials()
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_ISSUER: shortLived.issuer})})
    expect(result.code).toBe(9)
    expect(result.stderr).toContain('Error: Login expired')
    expect(result.stderr).toContain('Hint: run `latch login` again')
    expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(previous)
  })
})
