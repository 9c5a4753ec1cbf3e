/**
 * What latch makes of servers it did not write (issue 11 §1): a refused refresh with an empty body, a
 * bare 401, a revocation endpoint that wants client authentication, a scope subset, a plain OAuth 2.0
 * server, a token rejected before it expires, the refresh margin of short-lived tokens, `whoami` when
 * only the project lookup fails, and the DEBUG=latch:http trace. Off-spec servers come from
 * test/helpers/quirky-server.ts; everything the emulator can do runs against the emulator.
 */
import {afterEach, describe, expect, it} from '@jest/globals'
import {readFile, writeFile, mkdir} from 'node:fs/promises'
import {dirname} from 'node:path'

import {printedInstant} from '../../src/auth/instant.js'
import {makeSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {useEmulator} from '../helpers/emulator.js'
import {type QuirkyOptions, type QuirkyServer, startQuirkyServer} from '../helpers/quirky-server.js'
import {readLogin, writeLogin} from '../helpers/files.js'

const KEY = 'sk_proj_kept0kept0kept0kept0kept0kept0kept0'

let sandbox: Sandbox | undefined
let server: QuirkyServer | undefined

afterEach(async () => {
  await sandbox?.cleanup()
  await server?.stop()
  sandbox = undefined
  server = undefined
})

async function quirky(options: QuirkyOptions): Promise<{sandbox: Sandbox; server: QuirkyServer}> {
  server = await startQuirkyServer(options)
  sandbox = await makeSandbox(server.issuer)
  return {sandbox, server}
}

interface StoredFile {
  access_key?: string
  issuer: string
  token?: {access_token: string; expires_at?: string; issued_at?: string; refresh_token?: string; scopes: string[]; type: string}
  user?: {id: string; name: string}
}

async function stored(box: Sandbox): Promise<StoredFile> {
  return readLogin<StoredFile>(box.credentialsPath)
}

/** Credentials as a login at `server` would have left them; `expired` makes latch refresh first. */
async function storeLogin(box: Sandbox, quirk: QuirkyServer, options: {expired?: boolean} = {}): Promise<{access_token: string; refresh_token: string}> {
  const tokens = quirk.issue()
  const file = {
    access_key: KEY,
    created_at: new Date().toISOString(),
    issuer: quirk.issuer,
    token: {
      access_token: tokens.access_token,
      expires_at: options.expired ? new Date(Date.now() - 1000).toISOString() : tokens.expires_at,
      refresh_token: tokens.refresh_token,
      scopes: ['openid', 'offline_access', 'inference'],
      type: 'oauth',
    },
    version: 1,
  }
  await mkdir(dirname(box.credentialsPath), {recursive: true, mode: 0o700})
  await writeFile(box.credentialsPath, JSON.stringify(file), {mode: 0o600})
  return tokens
}

function refreshes(quirk: QuirkyServer): number {
  return quirk.requests.filter((entry) => entry.grant_type === 'refresh_token').length
}

describe('a refused refresh is a dead grant', () => {
  for (const refresh of ['empty-400', 'html-401'] as const) {
    it(`${refresh}: "Token is invalid or expired", exit 5, the dead token removed and the project key kept`, async () => {
      const {sandbox: box, server: quirk} = await quirky({platform: 'ok', refresh})
      await storeLogin(box, quirk, {expired: true})

      const first = await runCli(['token'], {env: box.env()})
      expect(first.stderr).toContain('Token is invalid or expired')
      expect(first.stderr).toContain('latch login')
      expect(first.code).toBe(5)
      expect(first.stdout).toBe('')
      const after = await stored(box)
      expect(after.token).toBeUndefined()
      expect(after.access_key).toBe(KEY)

      // The next run does not try the dead token again.
      const second = await runCli(['token'], {env: box.env()})
      expect(second.code).toBe(4)
      expect(refreshes(quirk)).toBe(1)
    })
  }

  it('a 503 keeps everything (exit 3): the grant may still be alive', async () => {
    const {sandbox: box, server: quirk} = await quirky({platform: 'ok', refresh: 'unavailable-503'})
    const tokens = await storeLogin(box, quirk, {expired: true})

    const result = await runCli(['token'], {env: box.env()})

    expect(result.code).toBe(3)
    expect(result.stderr).toContain('503')
    expect((await stored(box)).token?.refresh_token).toBe(tokens.refresh_token)
  })
})

describe('a bare 401 means the token is bad', () => {
  it('from userinfo (no WWW-Authenticate, no body): exit 5', async () => {
    const {sandbox: box, server: quirk} = await quirky({platform: 'none', userinfo: 'bare-401'})
    await storeLogin(box, quirk)
    const result = await runCli(['whoami'], {env: box.env({LATCH_ACCESS_KEY: undefined})})
    expect(result.stderr).toContain('Token is invalid or expired')
    expect(result.code).toBe(5)
  })

  it('from the platform API: exit 5', async () => {
    const {sandbox: box, server: quirk} = await quirky({platform: 'bare-401'})
    await storeLogin(box, quirk)
    const result = await runCli(['whoami'], {env: box.env()})
    expect(result.stderr).toContain('Token is invalid or expired')
    expect(result.code).toBe(5)
  })
})

describe('an access token rejected before it expires', () => {
  it('is refreshed once and the request retried once', async () => {
    const {sandbox: box, server: quirk} = await quirky({platform: 'ok'})
    const tokens = await storeLogin(box, quirk)
    quirk.reject(tokens.access_token)

    const result = await runCli(['whoami', '--json'], {env: box.env({LATCH_ACCESS_KEY: undefined})})

    expect(result.stderr).toBe('')
    expect(result.code).toBe(7) // the stored key is unknown to this server: reported, the identity still shown
    expect(JSON.parse(result.stdout)).toMatchObject({user: {id: 'usr_quinn'}})
    expect(refreshes(quirk)).toBe(1)
    expect((await stored(box)).token?.access_token).not.toBe(tokens.access_token)
  })

  it('says "Token is invalid or expired" when the renewed token is refused too, after one refresh', async () => {
    const {sandbox: box, server: quirk} = await quirky({platform: 'bare-401'})
    await storeLogin(box, quirk)
    const result = await runCli(['whoami'], {env: box.env()})
    expect(result.code).toBe(5)
    expect(refreshes(quirk)).toBe(1)
    expect(quirk.requests.filter((entry) => entry.path === '/v1/me')).toHaveLength(2)
  })
})

describe('revocation that fails', () => {
  it('names the status and what it means, still removes the credentials, and never says "revoked"', async () => {
    const {sandbox: box, server: quirk} = await quirky({platform: 'ok', revocation: 'client-auth-401'})
    const tokens = await storeLogin(box, quirk)
    const expiresAt = (await stored(box)).token!.expires_at!

    const result = await runCli(['logout', '--force', '--json'], {env: box.env()})

    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({removed: true, revoked: 'failed'})
    expect(report.revocation_error).toMatch(/401.*client authentication/)
    expect(result.stderr).toMatch(/could not revoke the token on the server \(the server answered 401: the server requires client authentication, which a public client cannot give\)/)
    expect(result.stderr).toContain(`the access token stays valid until ${printedInstant(expiresAt)}`)
    expect(result.stderr).not.toMatch(/Revoked/)
    expect(result.stderr).not.toContain('content-type')
    expect(JSON.stringify(result)).not.toContain(tokens.access_token)
  })
})

describe('fewer scopes than asked', () => {
  it('names the scopes not granted on stderr and in login --json', async () => {
    const {sandbox: box} = await quirky({knownScopes: ['openid', 'offline_access', 'inference'], platform: 'ok'})

    const result = await runCli(['login', '--no-browser', '--json', '--scopes', 'inference,projects.read'], {env: box.env()})

    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.scopes_not_granted).toEqual(['projects.read'])
    expect(report.token.scopes).toEqual(['inference'])
    expect(result.stderr).toMatch(/did not grant projects\.read/)
  })

  it('says nothing when everything was granted', async () => {
    const {sandbox: box} = await quirky({platform: 'ok'})
    const result = await runCli(['login', '--no-browser', '--json', '--scopes', 'inference'], {env: box.env()})
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).scopes_not_granted).toEqual([])
    expect(result.stderr).not.toMatch(/did not grant/)
  })
})

describe('a plain OAuth 2.0 server (RFC 8414 metadata only, no userinfo, no platform API)', () => {
  it('login keeps the tokens with the identity unknown; whoami says so; token works', async () => {
    const {sandbox: box, server: quirk} = await quirky({metadata: 'oauth2', platform: 'none'})

    const login = await runCli(['login', '--no-browser', '--json'], {env: box.env()})
    expect(login.stderr).not.toMatch(/Error/)
    expect(login.code).toBe(0)
    expect(JSON.parse(login.stdout)).toMatchObject({authenticated: true, user: null})
    expect(login.stderr).toMatch(/does not say who you are/)
    expect(quirk.requests.map((entry) => entry.path)).toContain('/.well-known/oauth-authorization-server')

    const text = await runCli(['whoami'], {env: box.env()})
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/Signed in to http:\/\/127\.0\.0\.1:\d+ \(user unknown/)

    const json = await runCli(['whoami', '--json'], {env: box.env()})
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({authenticated: true, user: null, token: {source: 'file', type: 'oauth'}})

    const token = await runCli(['token'], {env: box.env()})
    expect(token.code).toBe(0)
    expect(token.stdout.trim()).toBe((await stored(box)).token!.access_token)
  })
})

describe('the debug trace', () => {
  it('DEBUG=latch:* shows each request with its status and the error fields, and no secret', async () => {
    const {sandbox: box, server: quirk} = await quirky({platform: 'ok', refresh: 'empty-400', revocation: 'client-auth-401'})
    const env = box.env({DEBUG: 'latch:*'})
    const login = await runCli(['login', '--no-browser'], {env})
    expect(login.code).toBe(0)
    const whoami = await runCli(['whoami'], {env})
    const file = await stored(box)
    file.token!.expires_at = new Date(Date.now() - 1000).toISOString()
    file.access_key = KEY
    await writeLogin(box.credentialsPath, file)
    const refresh = await runCli(['token'], {env})
    expect(refresh.code).toBe(5)
    await storeLogin(box, quirk)
    const logout = await runCli(['logout', '--force'], {env})
    const trace = [login, whoami, refresh, logout].map((result) => result.stderr).join('\n')

    expect(trace).toMatch(/latch:http GET http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration -> 200 in \d+ ms/)
    expect(trace).toMatch(/latch:http POST http:\/\/127\.0\.0\.1:\d+\/device -> 200/)
    expect(trace).toMatch(/latch:http POST \S+\/token \(grant_type=urn:ietf:params:oauth:grant-type:device_code\) -> 200/)
    expect(trace).toMatch(/latch:http GET \S+\/v1\/me -> 200/)
    expect(trace).toMatch(/latch:http POST \S+\/token \(grant_type=refresh_token\) -> 400/)
    expect(trace).toMatch(/latch:http POST \S+\/revoke -> 401/)
    expect(trace).toContain('(the body is not a JSON error)')
    const secrets = [...quirk.issuedSecrets(), KEY]
    expect(secrets.length).toBeGreaterThan(5)
    for (const secret of secrets) expect(trace).not.toContain(secret)
    expect(trace).not.toMatch(/authorization:|bearer /i)
  })

  it('DEBUG=* traces too; a -latch:http exclusion or another namespace does not', async () => {
    const {sandbox: box, server: quirk} = await quirky({platform: 'ok'})
    await storeLogin(box, quirk)
    const all = await runCli(['whoami'], {env: box.env({DEBUG: '*', LATCH_ACCESS_KEY: undefined})})
    expect(all.stderr).toMatch(/latch:http GET \S+\/v1\/me -> 200/)
    const excluded = await runCli(['whoami'], {env: box.env({DEBUG: 'latch:*,-latch:http'})})
    expect(excluded.stderr).not.toContain('latch:http')
    const other = await runCli(['whoami'], {env: box.env({DEBUG: 'express:*'})})
    expect(other.stderr).not.toContain('latch:http')
  })

  it('the hint for an unexpected error names a namespace that works', async () => {
    const {describeError} = await import('../../src/ui/error-report.js')
    const {debugEnabled} = await import('../../src/debug-log.js')
    const hint = describeError(new Error('boom'), 'latch').hint!
    const named = /DEBUG=(\S+)/.exec(hint)![1]
    expect(debugEnabled('latch:http', named)).toBe(true)
  })
})

describe('against the emulator', () => {
  const emulator = useEmulator(['--access-token-ttl', '30', '--interval', '0.2', '--auto-approve', 'alice'])

  it('a 30 s token is not refreshed in the first half of its life (three `latch token` calls, no refresh)', async () => {
    sandbox = await makeSandbox(emulator.issuer)
    const login = await runCli(['login', '--no-browser', '--json'], {env: sandbox.env()})
    expect(login.code).toBe(0)
    const before = (await emulator.requests()).filter((entry) => entry.grant_type === 'refresh_token').length
    const token = (await stored(sandbox)).token!

    for (let run = 0; run < 3; run++) {
      const result = await runCli(['token'], {env: sandbox.env()})
      expect(result.code).toBe(0)
    }

    expect((await emulator.requests()).filter((entry) => entry.grant_type === 'refresh_token').length).toBe(before)
    expect((await stored(sandbox)).token!.access_token).toBe(token.access_token)
    expect(Date.parse(token.expires_at!) - Date.parse(token.issued_at!)).toBeGreaterThan(25_000)
  })

  it('whoami reports identity and token when the key belongs to another user, and exits 7', async () => {
    sandbox = await makeSandbox(emulator.issuer)
    const pat = await emulator.createPat({scopes: ['account.read', 'projects.read'], user: 'alice'})
    const bobs = await emulator.createProject({name: 'bobs', user: 'bob'})

    const result = await runCli(['whoami', '--json'], {env: sandbox.env({LATCH_ACCESS_KEY: bobs.access_key, LATCH_TOKEN: pat.token})})

    expect(result.code).toBe(7)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({project: null, project_error: {code: 'access_key', exit: 7}, token: {source: 'env', origin: 'LATCH_TOKEN'}, user: {id: 'usr_alice'}})
    expect(result.stdout + result.stderr).not.toContain(bobs.access_key)
    expect(result.stdout + result.stderr).not.toContain(pat.token)
  })

  it('whoami reports identity and token when the token lacks projects.read, and exits 6 (text too)', async () => {
    sandbox = await makeSandbox(emulator.issuer)
    const pat = await emulator.createPat({scopes: ['account.read', 'inference'], user: 'alice'})
    const project = await emulator.createProject({name: 'mine', user: 'alice'})
    const env = sandbox.env({LATCH_ACCESS_KEY: project.access_key, LATCH_TOKEN: pat.token})

    const json = await runCli(['whoami', '--json'], {env})
    expect(json.code).toBe(6)
    expect(JSON.parse(json.stdout)).toMatchObject({project_error: {code: 'insufficient_scope', exit: 6}, user: {id: 'usr_alice'}})

    const text = await runCli(['whoami'], {env})
    expect(text.code).toBe(6)
    expect(text.stdout).toMatch(/Signed in to .* as Alice/)
    expect(text.stdout).toMatch(/Project: +unavailable: Insufficient scope: this needs projects\.read/)
  })
})
