/**
 * API keys end to end against the emulator (issue 15 §2, §3): `latch keys …`, and LATCH_API_KEY
 * exchanged at the token endpoint (RFC 8693) for a short-lived token that alone goes to the platform
 * API, cached per key (named by its hash, 0600, under a lock: 50 parallel runs make one exchange), with
 * LATCH_TOKEN > LATCH_API_KEY > the stored login; and a server without token exchange (the quirky test
 * server, test/helpers/quirky-server.ts).
 */
import {afterEach, beforeEach, describe, expect, it} from '@jest/globals'
import {createHash} from 'node:crypto'
import {readdir, readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {useEmulator, useSandbox} from '../helpers/emulator.js'
import {type FaultyProxy, startFaultyProxy} from '../helpers/faulty-proxy.js'
import {startQuirkyServer} from '../helpers/quirky-server.js'

const emulator = useEmulator(['--interval', '0.2'])
const sandbox = useSandbox(emulator)
const KEY = /^sk_live_[0-9a-f]{64}$/
const MANAGER = ['keys.read', 'keys.write', 'inference', 'projects.read', 'deployments.read', 'account.read']

async function cli(args: string[], extra: Record<string, string | undefined> = {}) {
  return runCli(args, {env: sandbox.env(extra)})
}

async function exchanges(): Promise<number> {
  return (await emulator.requests()).filter((request) => request.grant_type === 'urn:ietf:params:oauth:grant-type:token-exchange').length
}

function cacheFile(key: string): string {
  return join(sandbox.configDir, 'exchanged-tokens', `${createHash('sha256').update(key).digest('hex')}.json`)
}

async function platformStatus(token: string): Promise<number> {
  return (await fetch(`${emulator.issuer}/v1/me`, {headers: {authorization: `Bearer ${token}`}})).status
}

describe('keys create, list, revoke, rotate', () => {
  it('create prints the key alone on stdout; list shows it masked with no EXPIRES column; revoke kills it at once', async () => {
    const pat = await emulator.createPat({scopes: MANAGER})
    const env = {LATCH_TOKEN: pat.token}
    const created = await cli(['keys', 'create', '--name', 'inference-service', '--scopes', 'inference'], env)
    expect(created.code).toBe(0)
    const key = created.stdout.trim()
    expect(created.stdout).toMatch(/^sk_live_[0-9a-f]{64}\n$/)
    expect(created.stderr).toContain('This is the only time the API key is shown')
    const table = await cli(['keys', 'list'], env)
    expect(table.stdout.split('\n')[0]).toMatch(/^ +ID +NAME +SCOPES +CREATED +LAST USED +KEY$/)
    expect(table.stdout).toContain(`${key.slice(0, 12)}…${key.slice(-4)}`)
    expect(table.stdout + table.stderr).not.toContain(key)
    const listed = JSON.parse((await cli(['keys', 'list', '--json'], env)).stdout) as Array<{expires_at: null; id: string; name: string}>
    const record = listed.find((item) => item.name === 'inference-service')!
    expect(record.expires_at).toBeNull()
    expect((await cli(['keys', 'create', '--name', 'x', '--expires', '30d'], env)).code).toBe(2)
    expect((await cli(['token'], {LATCH_API_KEY: key})).code).toBe(0)
    const revoked = await cli(['keys', 'revoke', record.id, '--force'], env)
    expect(revoked.code).toBe(0)
    // A fresh config directory: no cached token, so the next run exchanges, and the revoked key is refused.
    const after = await runCli(['token'], {env: sandbox.env({LATCH_API_KEY: key, LATCH_CONFIG_DIR: join(sandbox.home, 'other')})})
    expect(after.code).toBe(5)
    expect(after.stderr).toContain('Error: Token is invalid or expired (from LATCH_API_KEY)')
    expect(after.stdout).toBe('')
  })

  it('rotate: KEY-2 with the same scopes, verified by an exchange, the old one revoked; the cache of the old key goes', async () => {
    const {id, key} = await emulator.createApiKey({name: 'deployer', scopes: MANAGER})
    expect((await cli(['token'], {LATCH_API_KEY: key})).code).toBe(0)
    await expect(stat(cacheFile(key))).resolves.toBeTruthy()
    const before = await exchanges()
    const result = await cli(['keys', 'rotate', id], {LATCH_API_KEY: key})
    expect(result.code).toBe(0)
    const fresh = result.stdout.trim()
    expect(fresh).toMatch(KEY)
    expect(await exchanges()).toBe(before + 1)
    expect(result.stderr).toContain('LATCH_API_KEY still holds the old API key, which no longer works: set it to the new one.')
    await expect(stat(cacheFile(key))).rejects.toThrow()
    const listed = JSON.parse((await cli(['keys', 'list', '--json'], {LATCH_API_KEY: fresh})).stdout) as Array<{id: string; in_use: boolean; name: string; scopes: string[]}>
    expect(listed.find((item) => item.name === 'deployer-2')).toMatchObject({in_use: true, scopes: MANAGER})
    expect(listed.map((item) => item.id)).not.toContain(id)
  })

  describe('rotate failing at verification', () => {
    let proxy: FaultyProxy
    beforeEach(async () => {
      proxy = await startFaultyProxy(emulator.issuer)
    })
    afterEach(async () => {
      await proxy.stop()
    })

    it('the old key stays valid, the new one is revoked again, and nothing secret is printed', async () => {
      const pat = await emulator.createPat({scopes: MANAGER})
      const {id, key} = await emulator.createApiKey({name: 'verify-me', scopes: ['inference', 'account.read']})
      proxy.fail({answer: {status: 401}, method: 'GET', path: /^\/v1\/me$/})
      const result = await cli(['keys', 'rotate', id], {LATCH_API_URL: proxy.url, LATCH_TOKEN: pat.token})
      expect(result.code).toBe(5)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(/The old API key key_[0-9a-f]+ \(verify-me\) is still valid \(not revoked\); the new API key key_[0-9a-f]+ \(verify-me-2\) was created but did not pass verification, and was revoked again/)
      expect((await cli(['token'], {LATCH_API_KEY: key})).code).toBe(0)
    })
  })
})

describe('LATCH_API_KEY in a pipeline', () => {
  it('is exchanged for a short-lived token; only that token reaches the platform API; whoami names the source', async () => {
    const {key} = await emulator.createApiKey({scopes: ['inference', 'account.read']})
    const proxy = await startFaultyProxy(emulator.issuer)
    try {
      const whoami = await cli(['whoami', '--json'], {LATCH_API_KEY: key, LATCH_API_URL: proxy.url})
      expect(whoami.code).toBe(0)
      const report = JSON.parse(whoami.stdout)
      expect(report.token).toMatchObject({origin: 'LATCH_API_KEY', refreshable: true, scopes: ['inference', 'account.read'], source: 'env', type: 'exchanged'})
      expect(proxy.bearers.length).toBeGreaterThan(0)
      for (const bearer of proxy.bearers) expect(bearer).not.toContain('sk_live_')
      const text = await cli(['whoami'], {LATCH_API_KEY: key})
      expect(text.stdout).toContain('Token:    short-lived access token exchanged for the API key in environment variable LATCH_API_KEY')
      const token = await cli(['token', '--json'], {LATCH_API_KEY: key})
      const printed = JSON.parse(token.stdout)
      expect(printed).toMatchObject({source: 'env', type: 'exchanged'})
      expect(printed.token).not.toContain('sk_live_')
      expect(Date.parse(printed.expires_at) - Date.now()).toBeLessThanOrEqual(15 * 60_000)
      expect(token.stderr).toBe('Using a token exchanged for the API key in LATCH_API_KEY.\n')
    } finally {
      await proxy.stop()
    }
  })

  it('the exchanged token is cached 0600 in a file named by the key hash, without the key; 50 parallel runs make one exchange', async () => {
    const {key} = await emulator.createApiKey({scopes: ['inference']})
    const before = await exchanges()
    const runs = await Promise.all(Array.from({length: 50}, () => cli(['token'], {LATCH_API_KEY: key})))
    for (const run of runs) expect(run.code).toBe(0)
    expect(new Set(runs.map((run) => run.stdout)).size).toBe(1)
    expect(await exchanges()).toBe(before + 1)
    const file = cacheFile(key)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(join(sandbox.configDir, 'exchanged-tokens'))).mode & 0o777).toBe(0o700)
    const content = await readFile(file, 'utf8')
    expect(content).not.toContain(key)
    expect(content).toContain(runs[0].stdout.trim())
    expect(await readdir(join(sandbox.configDir, 'exchanged-tokens'))).toEqual([`${createHash('sha256').update(key).digest('hex')}.json`])
  }, 120_000)

  it('a token due for renewal is exchanged again (the emulator lets exchanged tokens live 2 s here)', async () => {
    await emulator.settings({exchanged_token_ttl: 2})
    try {
      const {key} = await emulator.createApiKey({scopes: ['inference']})
      const before = await exchanges()
      const first = (await cli(['token'], {LATCH_API_KEY: key})).stdout
      await new Promise((resolve) => setTimeout(resolve, 1500))
      const second = (await cli(['token'], {LATCH_API_KEY: key})).stdout
      expect(second).not.toBe(first)
      expect(await exchanges()).toBe(before + 2)
    } finally {
      await emulator.settings({exchanged_token_ttl: 900})
    }
  })

  it('a revoked key fails the next command at once, cached token or not: "Token is invalid or expired"', async () => {
    const pat = await emulator.createPat({scopes: MANAGER})
    const {id, key} = await emulator.createApiKey({scopes: ['account.read']})
    const exchanged = (await cli(['token'], {LATCH_API_KEY: key})).stdout.trim()
    expect((await cli(['keys', 'revoke', id, '--force'], {LATCH_TOKEN: pat.token})).code).toBe(0)
    expect(await platformStatus(exchanged)).toBe(401)
    const whoami = await cli(['whoami'], {LATCH_API_KEY: key})
    expect(whoami.code).toBe(5)
    expect(whoami.stderr).toContain('Error: Token is invalid or expired (from LATCH_API_KEY): the server refused to exchange the API key')
    expect(whoami.stderr).toContain('Hint: set LATCH_API_KEY to a current API key')
  })

  it('precedence: LATCH_TOKEN > LATCH_API_KEY > the stored login', async () => {
    const stored = await emulator.createPat({name: 'stored', scopes: ['account.read']})
    expect((await runCli(['login', '--token'], {env: sandbox.env(), input: `${stored.token}\n`})).code).toBe(0)
    const {key} = await emulator.createApiKey({scopes: ['account.read']})
    const env = await emulator.createPat({name: 'env', scopes: ['account.read']})
    const origin = async (extra: Record<string, string>) => JSON.parse((await cli(['whoami', '--json'], extra)).stdout).token
    expect(await origin({})).toMatchObject({source: 'file', type: 'pat'})
    expect(await origin({LATCH_API_KEY: key})).toMatchObject({origin: 'LATCH_API_KEY', shadows_stored: true, type: 'exchanged'})
    expect(await origin({LATCH_API_KEY: key, LATCH_TOKEN: env.token})).toMatchObject({origin: 'LATCH_TOKEN', type: 'pat'})
  })

  it('a value that is not an API key is refused without echoing it', async () => {
    const result = await cli(['token'], {LATCH_API_KEY: 'sk_live_NOT-A-REAL-KEY-1234'})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Invalid API key in LATCH_API_KEY: it has 19 characters after sk_live_, not 64')
    expect(result.stderr).not.toContain('NOT-A-REAL')
  })
})

describe('LATCH_API_KEY against a server without token exchange', () => {
  it('says the server does not exchange API keys (no RFC 8693), and sends the key nowhere else; a token cached for another issuer is not used', async () => {
    const server = await startQuirkyServer()
    try {
      const {key} = await emulator.createApiKey({scopes: ['inference']})
      expect((await cli(['token'], {LATCH_API_KEY: key})).code).toBe(0)
      await expect(stat(cacheFile(key))).resolves.toBeTruthy()
      const result = await runCli(['whoami'], {env: sandbox.env({LATCH_API_KEY: key, LATCH_ISSUER: server.issuer})})
      expect(result.code).toBe(3)
      expect(result.stderr).toContain(`Error: The server at ${server.issuer} does not exchange API keys for tokens (RFC 8693 token exchange)`)
      expect(result.stderr).toContain('Hint: unset LATCH_API_KEY and sign in with `latch login`, or set LATCH_TOKEN')
      expect(server.requests.filter((request) => request.path.startsWith('/v1'))).toEqual([])
      expect(server.requests.find((request) => request.path === '/token')?.grant_type).toBe('urn:ietf:params:oauth:grant-type:token-exchange')
    } finally {
      await server.stop()
    }
  })
})
