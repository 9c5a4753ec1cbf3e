/**
 * Tokens that stay valid, end to end against the emulator: refresh when the access token runs out,
 * one refresh for many concurrent processes (the credentials lock), recovery from a dead process's
 * lock, a revoked grant, `latch token`, scope upgrades on re-login, and revocation on logout.
 */
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {mkdir, readFile, stat, utimes, writeFile} from 'node:fs/promises'

import {printedInstant} from '../../src/auth/instant.js'
import {makeSandbox, runCli, type RunningCli, type Sandbox, startCli} from '../helpers/cli.js'
import {type RunningEmulator, startEmulator} from '../helpers/emulator.js'
import {holdCredentialsLock, readLogin, writeLogin} from '../helpers/files.js'

const DEFAULT_SCOPES = ['inference', 'projects.read', 'deployments.read', 'account.read']

/** Access tokens live 2 s here: a command run after a short sleep finds its token expired at the server too. */
let shortLived: RunningEmulator
/** Access tokens live an hour here: a refreshed token stays fresh for the whole test. */
let longLived: RunningEmulator
let sandbox: Sandbox

beforeAll(async () => {
  ;[shortLived, longLived] = await Promise.all([
    startEmulator(['--access-token-ttl', '2', '--interval', '0.2', '--auto-approve', 'alice']),
    startEmulator(['--interval', '0.2', '--auto-approve', 'alice']),
  ])
})
afterAll(async () => {
  await Promise.all([shortLived?.stop(), longLived?.stop()])
})
afterEach(async () => {
  await sandbox?.cleanup()
})

interface StoredFile {
  access_key?: string
  issuer: string
  token?: {access_token: string; expires_at?: string; refresh_token?: string; scopes: string[]; type: string}
}

async function stored(): Promise<StoredFile> {
  return readLogin<StoredFile>(sandbox.credentialsPath)
}

/** Signs in as alice through the device flow (the emulator approves by itself). */
async function login(extra: string[] = []): Promise<{scopes: string[]}> {
  const result = await runCli(['login', '--no-browser', '--json', ...extra], {env: sandbox.env()})
  expect(result.stderr).toContain('Your device code is:')
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout).token
}

/** Makes the stored access token look expired to latch, while the server would still take it. */
async function expireStoredToken(): Promise<void> {
  const file = await stored()
  file.token!.expires_at = new Date(Date.now() - 1000).toISOString()
  await writeLogin(sandbox.credentialsPath, file)
}

async function refreshCount(emulator: RunningEmulator): Promise<number> {
  return (await emulator.requests()).filter((entry) => entry.grant_type === 'refresh_token').length
}

async function meStatus(emulator: RunningEmulator, token: string): Promise<number> {
  const response = await fetch(`${emulator.issuer}/v1/me`, {headers: {authorization: `Bearer ${token}`}})
  await response.body?.cancel()
  return response.status
}

async function revocationCount(): Promise<number> {
  return (await longLived.requests()).filter((entry) => entry.method === 'POST' && entry.path === '/token/revocation').length
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('automatic refresh', () => {
  beforeEach(async () => {
    sandbox = await makeSandbox(shortLived.issuer)
  })

  it('renews an expired access token once, saves the rotated refresh token, and the command succeeds', async () => {
    await login()
    const before = await stored()
    await sleep(2500)
    expect(await meStatus(shortLived, before.token!.access_token)).toBe(401)
    const refreshesBefore = await refreshCount(shortLived)

    const result = await runCli(['whoami', '--json'], {env: sandbox.env()})

    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({token: {refreshable: true, source: 'file', type: 'oauth'}, user: {id: 'usr_alice'}})
    expect(await refreshCount(shortLived)).toBe(refreshesBefore + 1)
    const after = await stored()
    expect(after.token!.access_token).not.toBe(before.token!.access_token)
    expect(after.token!.refresh_token).toBeTruthy()
    expect(after.token!.refresh_token).not.toBe(before.token!.refresh_token)
    expect(after.token!.scopes).toEqual(before.token!.scopes)
    expect((await stat(sandbox.credentialsPath)).mode & 0o777).toBe(0o600)
  })

  it('whoami shows the time left and whether the token renews itself', async () => {
    await login()
    const result = await runCli(['whoami'], {env: sandbox.env()})
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/Expires: +\S+ \((in \d+ seconds?|expired)\)/)
    expect(result.stdout).toMatch(/Refresh: +automatic/)
  })

  it('a revoked grant gives "Token is invalid or expired" (exit 5), forgets the token and keeps the project key', async () => {
    await login()
    const {access_key: key} = await shortLived.createProject({name: 'kept', user: 'alice'})
    expect((await runCli(['link', key], {env: sandbox.env()})).code).toBe(0)
    await shortLived.revoke((await stored()).token!.refresh_token!)
    await sleep(2100)

    const result = await runCli(['token'], {env: sandbox.env()})

    expect(result.code).toBe(5)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('Token is invalid or expired')
    expect(result.stderr).toContain('latch login')
    const after = await stored()
    expect(after.token).toBeUndefined()
    expect(after.access_key).toBe(key)
    expect(after.issuer).toBe(shortLived.issuer)
    // Nothing left to refresh: the next command says so without asking the server again.
    const refreshes = await refreshCount(shortLived)
    expect((await runCli(['token'], {env: sandbox.env()})).stderr).toContain('You are not authenticated')
    expect(await refreshCount(shortLived)).toBe(refreshes)
  })
})

describe('one refresh across processes', () => {
  beforeEach(async () => {
    sandbox = await makeSandbox(longLived.issuer)
  })

  it('32 concurrent `latch token` at expiry make exactly one refresh request and all print the same valid token', async () => {
    await login()
    await expireStoredToken()
    const refreshesBefore = await refreshCount(longLived)
    // The test holds the lock (as a latch process in the middle of a refresh would, heartbeat included)
    // while the 32 start, so that they all queue at the lock and then rush it together when it is freed.
    const release = await holdCredentialsLock(sandbox.credentialsPath)
    let runs: RunningCli[] = []
    try {
      runs = Array.from({length: 32}, () => startCli(['token'], {env: sandbox.env(), timeoutMs: 60_000}))
      for (const run of runs) run.process.stdin?.end()
      // Long enough for the processes to start on a slow 2-core machine; not an assertion about speed.
      await sleep(4000)
      // While another process holds the lock, nobody refreshes and nobody gives up.
      expect(await refreshCount(longLived)).toBe(refreshesBefore)
      expect(runs.filter((run) => run.process.exitCode !== null)).toEqual([])
    } finally {
      await release()
    }

    const results = await Promise.all(runs.map((run) => run.done))

    // Nothing on stderr but, for a process that waited over a second for the lock (32 processes on a
    // small machine), the one line that says so.
    const waited = `Waiting for another latch process to finish with ${sandbox.credentialsPath} (up to 15 s)...\n`
    expect(results.map((result) => [result.code, result.stderr === waited ? '' : result.stderr])).toEqual(Array.from({length: 32}, () => [0, '']))
    const printed = new Set(results.map((result) => result.stdout))
    expect(printed.size).toBe(1)
    const token = [...printed][0].trim()
    expect(await refreshCount(longLived)).toBe(refreshesBefore + 1)
    expect(await meStatus(longLived, token)).toBe(200)
    const after = await stored()
    expect(after.token!.access_token).toBe(token)
    expect((await stat(sandbox.credentialsPath)).mode & 0o777).toBe(0o600)
    expect(await stat(`${sandbox.credentialsPath}.lock`).catch(() => undefined)).toBeUndefined()
  })

  it.each([
    ['long ago', 60_000],
    // Its heartbeat stopped 8 s ago: the next command waits until the lock is stale (10 s), then takes it.
    ['a moment ago', 8000],
  ])('a lock left by a process killed %s does not block the next command', async (_when, ageMs) => {
    await login()
    await expireStoredToken()
    // What proper-lockfile leaves behind when its holder is SIGKILLed: the lock directory, untouched since.
    const lock = `${sandbox.credentialsPath}.lock`
    await mkdir(lock)
    const then = new Date(Date.now() - ageMs)
    await utimes(lock, then, then)

    const result = await runCli(['token'], {env: sandbox.env()})

    // A lock that goes stale only after a second or more is waited for, and the wait is said (once).
    expect(result.stderr).toBe(ageMs > 10_000 ? '' : `Waiting for another latch process to finish with ${sandbox.credentialsPath} (up to 15 s)...\n`)
    expect(result.code).toBe(0)
    expect(await meStatus(longLived, result.stdout.trim())).toBe(200)
    expect(await stat(lock).catch(() => undefined)).toBeUndefined()
  })
})

describe('latch token', () => {
  beforeEach(async () => {
    sandbox = await makeSandbox(longLived.issuer)
  })

  it('prints the stored token and nothing else; --json describes it', async () => {
    await login()
    const plain = await runCli(['token'], {env: sandbox.env()})
    expect(plain.code).toBe(0)
    expect(plain.stdout).toBe(`${(await stored()).token!.access_token}\n`)
    expect(plain.stderr).toBe('')

    const json = await runCli(['token', '--json'], {env: sandbox.env()})
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual({
      expires_at: printedInstant((await stored()).token!.expires_at!),
      profile: 'default',
      scopes: DEFAULT_SCOPES,
      source: 'file',
      token: plain.stdout.trim(),
      type: 'oauth',
    })
  })

  it('with LATCH_TOKEN prints that token and says so on stderr, without refreshing the stored one', async () => {
    await login()
    await expireStoredToken()
    const {token: pat} = await longLived.createPat({name: 'ci', scopes: ['inference'], user: 'alice'})
    const refreshes = await refreshCount(longLived)

    const result = await runCli(['token'], {env: sandbox.env({LATCH_TOKEN: pat})})

    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`${pat}\n`)
    expect(result.stderr).toContain('LATCH_TOKEN')
    expect(await refreshCount(longLived)).toBe(refreshes)
    const json = JSON.parse((await runCli(['token', '--json'], {env: sandbox.env({LATCH_TOKEN: pat})})).stdout)
    expect(json).toMatchObject({source: 'env', token: pat, type: 'pat'})
  })

  it('without any credential fails with "You are not authenticated" and prints no token', async () => {
    const result = await runCli(['token'], {env: sandbox.env()})
    expect(result.code).toBe(4)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('You are not authenticated')
  })
})

describe('scope upgrades', () => {
  beforeEach(async () => {
    sandbox = await makeSandbox(longLived.issuer)
  })

  it('a new login keeps the current scopes unless --reset-scopes', async () => {
    expect((await login()).scopes).toEqual(DEFAULT_SCOPES)
    const upgraded = await login(['--scopes', 'deployments.write'])
    expect([...upgraded.scopes].sort()).toEqual([...DEFAULT_SCOPES, 'deployments.write'].sort())
    expect((await login(['--scopes', 'account.read', '--reset-scopes'])).scopes).toEqual(['account.read'])
  })

  it('insufficient_scope suggests a login for the union, and running it fixes the command', async () => {
    await login(['--scopes', 'account.read', '--reset-scopes'])
    const {access_key: key} = await longLived.createProject({name: 'scoped', user: 'alice'})

    const refused = await runCli(['link', key], {env: sandbox.env()})
    expect(refused.code).toBe(6)
    const suggestion = /run `latch (login --scopes \S+)`/.exec(refused.stderr)
    expect(suggestion?.[1]).toBe('login --scopes account.read,projects.read')

    await login(suggestion![1].split(' ').slice(1))
    expect((await runCli(['link', key], {env: sandbox.env()})).code).toBe(0)
  })
})

describe('logout', () => {
  beforeEach(async () => {
    sandbox = await makeSandbox(longLived.issuer)
  })

  it('revokes the refresh token and the access token on the server', async () => {
    await login()
    const {token} = await stored()
    const revocationsBefore = await revocationCount()
    const result = await runCli(['logout', '--force'], {env: sandbox.env()})
    expect(result.code).toBe(0)

    expect(await meStatus(longLived, token!.access_token)).toBe(401)
    const refresh = await fetch(`${longLived.issuer}/token`, {
      body: new URLSearchParams({client_id: 'latch-cli', grant_type: 'refresh_token', refresh_token: token!.refresh_token!}),
      method: 'POST',
    })
    expect(refresh.status).toBe(400)
    expect(await refresh.json()).toMatchObject({error: 'invalid_grant'})
    // One request for the refresh token, one for the access token (for servers that do not cascade).
    expect(await revocationCount()).toBe(revocationsBefore + 2)
  })
})
