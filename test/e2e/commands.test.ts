/**
 * `login --token`, `whoami`, `link` and `logout`, end to end against the emulator, and the four
 * errors people search for.
 */
import {describe, expect, it} from '@jest/globals'
import {mkdir, readFile, stat, writeFile} from 'node:fs/promises'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {existsSync} from 'node:fs'

import {runCli, startCli} from '../helpers/cli.js'
import {useEmulator, useSandbox} from '../helpers/emulator.js'
import {readLogin} from '../helpers/files.js'

const ALL_READ = ['inference', 'projects.read', 'account.read']

const emulator = useEmulator(['--interval', '0.2'])
const sandbox = useSandbox(emulator)

async function loginWithPat(scopes = ALL_READ, user = 'alice'): Promise<string> {
  const {token} = await emulator.createPat({name: 'test', scopes, user})
  const result = await runCli(['login', '--token'], {env: sandbox.env(), input: `${token}\n`})
  expect(result.code).toBe(0)
  return token
}

/** What latch sent the server: the request log minus the test's own control calls. */
async function serverRequests(): Promise<number> {
  return (await emulator.requests()).filter((entry) => !entry.path.startsWith('/_emulator')).length
}

async function fileText(): Promise<string | undefined> {
  return existsSync(sandbox.credentialsPath) ? readFile(sandbox.credentialsPath, 'utf8') : undefined
}

describe('latch login --token', () => {
  it('reads the PAT from stdin, checks it with the server and saves it', async () => {
    const {token} = await emulator.createPat({name: 'ci', scopes: ALL_READ, user: 'bob'})
    const result = await runCli(['login', '--token', '--json'], {env: sandbox.env(), input: `  ${token}  \n`})

    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({authenticated: true, token: {scopes: ALL_READ, type: 'pat'}, user: {id: 'usr_bob', name: 'Bob Example'}})
    const stored = await readLogin(sandbox.credentialsPath)
    expect(stored.token).toMatchObject({access_token: token, type: 'pat'})
    expect((await stat(sandbox.credentialsPath)).mode & 0o777).toBe(0o600)
    expect(result.stdout + result.stderr).not.toContain(token)
  })

  it.each([
    ['63 hex characters', `sk_pat_${'a'.repeat(63)}`, 'it has 63 characters after sk_pat_, not 64'],
    ['65 hex characters', `sk_pat_${'a'.repeat(65)}`, 'it has 65 characters after sk_pat_, not 64'],
    ['upper-case hex', `sk_pat_${'A'.repeat(64)}`, 'it has upper-case letters'],
    ['another prefix', `sk_live_${'a'.repeat(64)}`, 'it does not start with sk_pat_'],
    ['a space inside', `sk_pat_${'a'.repeat(32)} ${'a'.repeat(31)}`, 'it has characters that are not hex digits'],
  ])('refuses a token with %s, changes nothing and never echoes it', async (_name, token, problem) => {
    const before = await serverRequests()
    const result = await runCli(['login', '--token'], {env: sandbox.env(), input: `${token}\n`})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`Error: Invalid personal access token: ${problem}`)
    expect(result.stderr).not.toContain(token.trim())
    expect(await fileText()).toBeUndefined()
    expect(await serverRequests()).toBe(before)
  })

  it('a well-formed token the server rejects changes nothing on disk', async () => {
    const previous = await loginWithPat()
    const text = await fileText()
    const result = await runCli(['login', '--token'], {env: sandbox.env(), input: `sk_pat_${'0'.repeat(64)}`})
    expect(result.code).toBe(5)
    expect(result.stderr).toContain('Error: Token is invalid or expired')
    expect(await fileText()).toBe(text)
    expect(text).toContain(previous)
  })

  it('an empty pipe is an error, and a silent pipe times out instead of hanging', async () => {
    const empty = await runCli(['login', '--token'], {env: sandbox.env(), input: ''})
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('Error: No personal access token was given')

    const silent = startCli(['login', '--token'], {env: sandbox.env({LATCH_STDIN_TIMEOUT: '1'})})
    const result = await silent.done // stdin stays open and silent
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Error: No personal access token arrived on stdin within 1 s')
    expect(result.stderr).toContain('echo "$PAT" | latch login --token')
  })

  it('refuses a token on the command line: there is no argument for it', async () => {
    const result = await runCli(['login', '--token', `sk_pat_${'a'.repeat(64)}`], {env: sandbox.env(), input: ''})
    expect(result.code).toBe(2)
    expect(result.stderr).not.toContain('a'.repeat(64))
  })
})

describe('latch whoami', () => {
  it('without any credential: "You are not authenticated", exit 4, with the fix', async () => {
    const result = await runCli(['whoami'], {env: sandbox.env()})
    expect(result.code).toBe(4)
    expect(result.stderr).toBe('Error: You are not authenticated\nHint: run `latch login`, or set LATCH_TOKEN\n')
    expect(result.stdout).toBe('')
  })

  it('says who, which credential, from where, its scopes and expiry', async () => {
    await loginWithPat()
    const text = await runCli(['whoami'], {env: sandbox.env()})
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`Signed in to ${emulator.issuer} as Alice Example (usr_alice) <alice@example.com>`)
    expect(text.stdout).toContain(`Token:    personal access token from ${sandbox.credentialsPath}`)
    expect(text.stdout).toContain('Scopes:   inference, projects.read, account.read')
    expect(text.stdout).toContain('Project:  none linked')

    const json = await runCli(['whoami', '--json'], {env: sandbox.env()})
    expect(JSON.parse(json.stdout)).toEqual({
      api_url: {origin: 'LATCH_ISSUER', source: 'env', value: emulator.issuer},
      authenticated: true,
      issuer: emulator.issuer,
      issuer_origin: {origin: 'LATCH_ISSUER', source: 'env'},
      org: {id: 'org_acme', name: 'acme', role: 'admin'},
      org_origin: {origin: 'the token (bound to one organization)', source: 'default'},
      principal: {id: 'usr_alice', kind: 'user', name: 'Alice Example'},
      profile: {name: 'default', origin: 'default', reason: 'default'},
      project: null,
      token: {expires_at: null, origin: sandbox.credentialsPath, refreshable: false, scopes: ALL_READ, shadows_stored: false, source: 'file', type: 'pat'},
      user: {email: 'alice@example.com', id: 'usr_alice', name: 'Alice Example'},
    })
  })

  it('LATCH_TOKEN beats the stored token and whoami says it shadows it', async () => {
    await loginWithPat(ALL_READ, 'alice')
    const {token} = await emulator.createPat({name: 'env', scopes: ALL_READ, user: 'bob'})
    const result = await runCli(['whoami', '--json'], {env: sandbox.env({LATCH_TOKEN: token})})
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.user.id).toBe('usr_bob')
    expect(report.token).toMatchObject({origin: 'LATCH_TOKEN', shadows_stored: true, source: 'env'})

    const text = await runCli(['whoami'], {env: sandbox.env({LATCH_TOKEN: token})})
    expect(text.stdout).toContain('Note: LATCH_TOKEN overrides the token stored in the credentials file for profile default.')
  })

  it('an env var set but empty does not count', async () => {
    await loginWithPat()
    const result = await runCli(['whoami', '--json'], {env: sandbox.env({LATCH_ACCESS_KEY: '', LATCH_TOKEN: ''})})
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).token.source).toBe('file')
  })

  it('a revoked token: "Token is invalid or expired", exit 5', async () => {
    const token = await loginWithPat()
    await emulator.revoke(token)
    const result = await runCli(['whoami'], {env: sandbox.env()})
    expect(result.code).toBe(5)
    expect(result.stderr).toContain(`Error: Token is invalid or expired (from ${sandbox.credentialsPath})`)
    expect(result.stderr).toContain('Hint: run `latch login`')
  })

  it('a PAT without account.read is saved, and whoami says "Insufficient scope", exit 6, with the fix', async () => {
    const {token} = await emulator.createPat({name: 'inference only', scopes: ['inference'], user: 'alice'})
    const login = await runCli(['login', '--token', '--json'], {env: sandbox.env(), input: token})
    expect(login.code).toBe(0)
    expect(login.stderr).toContain('Note: this token cannot read account information (account.read)')
    expect(JSON.parse(login.stdout)).toMatchObject({authenticated: true, token: {type: 'pat'}, user: null})

    const result = await runCli(['whoami'], {env: sandbox.env()})
    expect(result.code).toBe(6)
    expect(result.stderr).toContain('Error: Insufficient scope: this needs account.read')
    expect(result.stderr).toContain('Hint: use a personal access token that has account.read, or run `latch login --scopes account.read`')
  })

  it('an OAuth token without projects.read: link names the exact login command, with the union of scopes', async () => {
    const login = startCli(['login', '--no-browser', '--scopes', 'inference,account.read'], {env: sandbox.env()})
    const [, userCode] = await login.waitFor(/Your device code is: ([A-Z0-9-]+)/)
    await emulator.approve(userCode)
    expect((await login.done).code).toBe(0)
    const project = await emulator.createProject({name: 'Scoped', user: 'alice'})
    const text = await fileText()

    const link = await runCli(['link', project.access_key], {env: sandbox.env()})
    expect(link.code).toBe(6)
    expect(link.stderr).toContain('Error: Insufficient scope: this needs projects.read')
    expect(link.stderr).toContain('Hint: run `latch login --scopes inference,account.read,projects.read`')
    expect(await fileText()).toBe(text)
  })
})

describe('latch link', () => {
  it('checks the key with the server, stores it next to the token and whoami shows the project', async () => {
    await loginWithPat()
    const project = await emulator.createProject({name: 'Rocket', user: 'alice'})
    const result = await runCli(['link', '--json'], {env: sandbox.env(), input: `${project.access_key}\n`})
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({linked: true, project: {id: project.id, name: 'Rocket'}})
    expect(result.stderr).toContain(`Linked project Rocket (${project.id}).`)
    expect(result.stdout + result.stderr).not.toContain(project.access_key)
    expect((await readLogin(sandbox.credentialsPath)).access_key).toBe(project.access_key)

    const whoami = await runCli(['whoami', '--json'], {env: sandbox.env()})
    expect(JSON.parse(whoami.stdout).project).toEqual({id: project.id, name: 'Rocket', source: 'file'})
  })

  it('takes the key as an argument too, and LATCH_ACCESS_KEY beats the stored one', async () => {
    await loginWithPat()
    const stored = await emulator.createProject({name: 'Stored', user: 'alice'})
    const fromEnv = await emulator.createProject({name: 'FromEnv', user: 'alice'})
    expect((await runCli(['link', stored.access_key], {env: sandbox.env()})).code).toBe(0)
    const whoami = await runCli(['whoami', '--json'], {env: sandbox.env({LATCH_ACCESS_KEY: fromEnv.access_key})})
    expect(JSON.parse(whoami.stdout).project).toEqual({id: fromEnv.id, name: 'FromEnv', source: 'env'})
  })

  it('without a key: "Access key required", exit 7', async () => {
    await loginWithPat()
    const result = await runCli(['link'], {env: sandbox.env(), input: ''})
    expect(result.code).toBe(7)
    expect(result.stderr).toContain('Error: Access key required')
    expect(result.stderr).toContain('Hint: run `latch link sk_proj_...` (or pipe the key in), or set LATCH_ACCESS_KEY')
  })

  it('refuses a malformed key and an unknown key, storing nothing', async () => {
    await loginWithPat()
    const text = await fileText()
    const malformed = await runCli(['link', 'sk_proj_short'], {env: sandbox.env()})
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toContain('Error: Invalid project access key')

    const unknown = await runCli(['link', `sk_proj_${'x'.repeat(40)}`], {env: sandbox.env()})
    expect(unknown.code).toBe(7)
    expect(unknown.stderr).toContain('Error: Access key rejected')
    expect(await fileText()).toBe(text)
  })

  it('needs a signed-in user first', async () => {
    const result = await runCli(['link', `sk_proj_${'x'.repeat(40)}`], {env: sandbox.env()})
    expect(result.code).toBe(4)
    expect(result.stderr).toContain('Error: You are not authenticated')
  })
})

describe('latch logout', () => {
  it('refuses without a terminal and without --force, changing nothing', async () => {
    await loginWithPat()
    const text = await fileText()
    const result = await runCli(['logout'], {env: sandbox.env()})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Error: Refusing to log out without confirmation')
    expect(result.stderr).toContain('Hint: run `latch logout --force`')
    expect(await fileText()).toBe(text)
  })

  it('--force revokes the OAuth grant on the server and removes the file', async () => {
    const login = startCli(['login', '--no-browser'], {env: sandbox.env()})
    const [, userCode] = await login.waitFor(/Your device code is: ([A-Z0-9-]+)/)
    await emulator.approve(userCode)
    expect((await login.done).code).toBe(0)
    const stored = await readLogin(sandbox.credentialsPath)
    const revocationsOf = async () => (await emulator.requests()).filter((entry) => entry.method === 'POST' && entry.path === '/token/revocation')
    const before = (await revocationsOf()).length

    const result = await runCli(['logout', '--force', '--json'], {env: sandbox.env({LATCH_ACCESS_KEY: 'sk_proj_something_something_something'})})
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({removed: true, revoked: 'revoked', still_authenticated_by: ['LATCH_ACCESS_KEY']})
    expect(result.stderr).toContain('Revoked the token on the server.')
    expect(result.stderr).toContain('Note: LATCH_ACCESS_KEY is still set')
    expect(await fileText()).toBeUndefined()

    // The emulator confirms: the old access token no longer works.
    const me = await fetch(`${emulator.issuer}/v1/me`, {headers: {authorization: `Bearer ${stored.token.access_token}`}})
    expect(me.status).toBe(401)
    // Exactly two requests: the refresh token (ends the grant), then the access token (for servers that do not cascade).
    const revocations = (await revocationsOf()).slice(before)
    expect(revocations.map((entry) => entry.status)).toEqual([200, 200])
  })

  it('when the server cannot be reached it says revocation failed and why, and still removes the file', async () => {
    // A port that was just free: connection refused.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const deadIssuer = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`
    await new Promise((resolve) => probe.close(resolve))
    await mkdir(sandbox.configDir, {mode: 0o700, recursive: true})
    const token = {access_token: 'at_unreachable', expires_at: new Date(Date.now() + 3_600_000).toISOString(), refresh_token: 'rt_unreachable', scopes: ['inference'], type: 'oauth'}
    await writeFile(sandbox.credentialsPath, JSON.stringify({created_at: '2026-01-01T00:00:00.000Z', issuer: deadIssuer, token, version: 1}), {mode: 0o600})

    const result = await runCli(['logout', '--force', '--json'], {env: sandbox.env({LATCH_ISSUER: undefined})})
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({removed: true, revoked: 'failed'})
    expect(report.revocation_error).toContain(deadIssuer)
    expect(result.stderr).toContain('Warning: could not revoke the token on the server (')
    expect(await fileText()).toBeUndefined()
  })

  it('with nothing stored it says so and succeeds', async () => {
    const result = await runCli(['logout', '--force'], {env: sandbox.env()})
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('No stored credentials')
  })
})
