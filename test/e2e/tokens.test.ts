/**
 * `latch tokens …` end to end against the emulator (issue 15 §2, §4): create prints the secret alone
 * on stdout; the list is masked and never holds a secret; no escalation; revocation is immediate and
 * signs latch out when it hits the stored token; rotation replaces, verifies, saves and revokes in that
 * order, and says exactly where things stand when a step fails (the failures the emulator cannot
 * produce come from a faulty proxy in front of it: test/helpers/faulty-proxy.ts).
 */
import {afterEach, beforeEach, describe, expect, it} from '@jest/globals'
import {readFile} from 'node:fs/promises'

import {runCli, startCli} from '../helpers/cli.js'
import {useEmulator, useSandbox} from '../helpers/emulator.js'
import {type FaultyProxy, startFaultyProxy} from '../helpers/faulty-proxy.js'
import {holdCredentialsLock, readLogin} from '../helpers/files.js'

const emulator = useEmulator(['--interval', '0.2'])
const sandbox = useSandbox(emulator)
const ADMIN_SCOPES = ['keys.read', 'keys.write', 'inference', 'projects.read', 'deployments.read', 'account.read']
const PAT = /^sk_pat_[0-9a-f]{64}$/

interface Listed {
  created_at: string
  expires_at: null | string
  id: string
  in_use: boolean
  last_used_at: null | string
  masked: string
  name: string
  scopes: string[]
}

/** Signs in with a fresh PAT (made through the control API) that may manage tokens; returns it. */
async function signIn(scopes = ADMIN_SCOPES, options: {expires_in?: number} = {}): Promise<{id: string; token: string}> {
  const pat = await emulator.createPat({name: 'admin', scopes, ...options})
  const result = await runCli(['login', '--token'], {env: sandbox.env(), input: `${pat.token}\n`})
  expect(result.code).toBe(0)
  return pat
}

async function cli(args: string[], extra: Record<string, string | undefined> = {}, input?: string) {
  return runCli(args, {env: sandbox.env(extra), input})
}

async function list(extra: Record<string, string | undefined> = {}): Promise<Listed[]> {
  const result = await cli(['tokens', 'list', '--json'], extra)
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout) as Listed[]
}

async function storedToken(): Promise<string | undefined> {
  return (await readLogin<{token?: {access_token: string}}>(sandbox.credentialsPath)).token?.access_token
}

async function platformStatus(token: string, issuer = emulator.issuer): Promise<number> {
  return (await fetch(`${issuer}/v1/me`, {headers: {authorization: `Bearer ${token}`}})).status
}

describe('tokens create', () => {
  it('prints the new token alone on stdout, says on stderr it is shown once, and the token works at once', async () => {
    await signIn()
    const result = await cli(['tokens', 'create', '--name', 'github-actions-prod', '--scopes', 'inference,account.read', '--expires', '12h'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^sk_pat_[0-9a-f]{64}\n$/)
    expect(result.stderr).toContain('This is the only time the token is shown')
    expect(result.stderr).not.toContain(result.stdout.trim())
    expect(await platformStatus(result.stdout.trim())).toBe(200)
    const [made] = (await list()).filter((token) => token.name === 'github-actions-prod')
    expect(made.scopes).toEqual(['inference', 'account.read'])
    const lifetime = Date.parse(made.expires_at!) - Date.parse(made.created_at)
    expect(Math.abs(lifetime - 12 * 3_600_000)).toBeLessThan(60_000)
  })

  it('--json holds id, name, org, scopes, created_at, expires_at (null for never) and token; the default expiry is 30 days', async () => {
    await signIn()
    const never = await cli(['tokens', 'create', '--name', 'forever', '--expires', 'never', '--json'])
    expect(never.code).toBe(0)
    expect(never.stderr).toBe('')
    const report = JSON.parse(never.stdout)
    expect(Object.keys(report).sort()).toEqual(['created_at', 'expires_at', 'id', 'name', 'org', 'scopes', 'token'])
    expect(report.expires_at).toBeNull()
    expect(report.token).toMatch(PAT)
    // Without --scopes: the login defaults.
    expect(report.scopes).toEqual(['inference', 'projects.read', 'deployments.read', 'account.read'])
    const byDefault = JSON.parse((await cli(['tokens', 'create', '--name', 'default', '--scopes', 'inference', '--json'])).stdout)
    expect(Math.abs(Date.parse(byDefault.expires_at) - Date.parse(byDefault.created_at) - 30 * 86_400_000)).toBeLessThan(60_000)
  })

  it('no escalation: a scope the signed-in token lacks is refused, naming it and the exact login fix', async () => {
    await signIn()
    const result = await cli(['tokens', 'create', '--name', 'wider', '--scopes', 'inference,deployments.write'])
    expect(result.code).toBe(6)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('lacks deployments.write')
    expect(result.stderr).toContain(`\`latch login --scopes ${[...ADMIN_SCOPES, 'deployments.write'].join(',')}\``)
    expect((await list()).map((token) => token.name)).not.toContain('wider')
  })

  it('without keys.write: insufficient scope, naming keys.write and the login command that adds it', async () => {
    await signIn(['keys.read', 'account.read'])
    const result = await cli(['tokens', 'create', '--name', 'x'])
    expect(result.code).toBe(6)
    expect(result.stderr).toContain('Insufficient scope: this needs keys.write')
    expect(result.stderr).toContain('`latch login --scopes keys.read,account.read,keys.write`')
  })

  it.each([
    [['--name', ''], '--name is empty'],
    [['--name', 'x'.repeat(65)], 'at most 64'],
    [['--name', 'tab\there'], 'not printable'],
    [['--name', 'ok', '--expires', '2020-01-01'], 'in the past'],
    [['--name', 'ok', '--expires', 'soon'], 'not a lifetime'],
    [['--name', 'ok', '--scopes', 'inference,admin'], 'Unknown scope: "admin"'],
  ])('refuses bad input before any request: %j', async (args, message) => {
    const result = await cli(['tokens', 'create', ...args])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stderr).toMatch(/\nHint: /)
  })
})

describe('tokens list', () => {
  it('shows the table with the token in use marked, masked, with "never" and "just now"; no secret in either form', async () => {
    const admin = await signIn()
    const created = (await cli(['tokens', 'create', '--name', 'unused', '--scopes', 'inference'])).stdout.trim()
    const table = await cli(['tokens', 'list'])
    expect(table.code).toBe(0)
    const lines = table.stdout.split('\n')
    expect(lines[0]).toMatch(/^ +ID +NAME +SCOPES +CREATED +EXPIRES +LAST USED +TOKEN$/)
    expect(lines.find((line) => line.includes(admin.id))).toMatch(/^\* .* just now +sk_pat_[0-9a-f]{4}…[0-9a-f]{4}$/)
    expect(lines.find((line) => line.includes(' unused '))).toMatch(/^ +pat_.* never +sk_pat_[0-9a-f]{4}…[0-9a-f]{4}$/)
    expect(table.stdout).toContain(`* the token latch is using (from ${sandbox.credentialsPath})`)
    const json = await cli(['tokens', 'list', '--json'])
    for (const output of [table.stdout, table.stderr, json.stdout, json.stderr]) {
      expect(output).not.toContain(admin.token)
      expect(output).not.toContain(created)
      expect(output).not.toMatch(/sk_pat_[0-9a-f]{64}/)
    }

    const listed = JSON.parse(json.stdout) as Listed[]
    expect(listed.find((token) => token.id === admin.id)).toMatchObject({in_use: true, masked: `${admin.token.slice(0, 11)}…${admin.token.slice(-4)}`})
    expect(listed.find((token) => token.name === 'unused')).toMatchObject({in_use: false, last_used_at: null})
  })
})

describe('tokens revoke', () => {
  it('refuses without a terminal unless --force, then revokes at once: the next call with it is rejected', async () => {
    await signIn()
    const victim = (await cli(['tokens', 'create', '--name', 'victim', '--scopes', 'account.read'])).stdout.trim()
    const id = (await list()).find((token) => token.name === 'victim')!.id
    const refused = await cli(['tokens', 'revoke', id])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('Refusing to revoke without confirmation')
    expect(refused.stderr).toContain(`\`latch tokens revoke ${id} --force\``)
    expect(await platformStatus(victim)).toBe(200)
    const revoked = await cli(['tokens', 'revoke', id, '--force', '--json'])
    expect(revoked.code).toBe(0)
    expect(JSON.parse(revoked.stdout).revoked[0]).toMatchObject({id, in_use: false, name: 'victim'})
    expect(await platformStatus(victim)).toBe(401)
    expect((await list()).map((token) => token.id)).not.toContain(id)
  })

  it('an unknown id fails with not_found (exit 13) while the others are revoked', async () => {
    await signIn()
    await cli(['tokens', 'create', '--name', 'one', '--scopes', 'inference'])
    const id = (await list()).find((token) => token.name === 'one')!.id
    const result = await cli(['tokens', 'revoke', 'pat_0000000000000000', id, '--force'])
    expect(result.code).toBe(13)
    expect(result.stderr).toContain('No token with id "pat_0000000000000000" among yours')
    expect(result.stderr).toContain(`Revoked token ${id} (one).`)
  })

  it('revoking the token latch is signed in with says so and removes it from credentials.json (other ids first)', async () => {
    const admin = await signIn()
    await cli(['tokens', 'create', '--name', 'other', '--scopes', 'inference'])
    const other = (await list()).find((token) => token.name === 'other')!.id
    const result = await cli(['tokens', 'revoke', admin.id, other, '--force'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`Revoked token ${other} (other).`)
    expect(result.stderr).toContain(`That was the token latch is signed in with: removed it from ${sandbox.credentialsPath}`)
    expect(await storedToken()).toBeUndefined()
    expect(await platformStatus(admin.token)).toBe(401)
    expect((await cli(['whoami'])).code).toBe(4)
  })
})

describe('tokens rotate', () => {
  it('creates NAME-2 with the same scopes and lifetime, verifies it, revokes the old one; then NAME-3', async () => {
    await signIn()
    const first = (await cli(['tokens', 'create', '--name', 'ci', '--scopes', 'inference,account.read', '--expires', '10d'])).stdout.trim()
    const old = (await list()).find((token) => token.name === 'ci')!
    const result = await cli(['tokens', 'rotate', old.id])
    expect(result.code).toBe(0)
    const second = result.stdout.trim()
    expect(second).toMatch(PAT)
    expect(result.stderr.indexOf('Verifying the new token')).toBeLessThan(result.stderr.indexOf('Revoking the old token'))
    expect(await platformStatus(first)).toBe(401)
    expect(await platformStatus(second)).toBe(200)
    const replacement = (await list()).find((token) => token.name === 'ci-2')!
    expect(replacement.scopes).toEqual(old.scopes)
    const lifetime = (token: Listed) => Date.parse(token.expires_at!) - Date.parse(token.created_at)
    expect(Math.abs(lifetime(replacement) - lifetime(old))).toBeLessThan(5000)
    const third = await cli(['tokens', 'rotate', replacement.id, '--scopes', 'inference', '--json'])
    expect(third.code).toBe(0)
    expect(third.stderr).toBe('')
    const report = JSON.parse(third.stdout)
    expect(report).toMatchObject({name: 'ci-3', replaced: {id: replacement.id, name: 'ci-2', revoked: true}, scopes: ['inference']})
    // A token narrowed to inference cannot read /v1/me; the platform's 403 still proved it genuine.
    expect(await platformStatus(report.token)).toBe(403)
  })

  it('--scopes may only narrow', async () => {
    await signIn()
    await cli(['tokens', 'create', '--name', 'narrow', '--scopes', 'inference'])
    const old = (await list()).find((token) => token.name === 'narrow')!
    const result = await cli(['tokens', 'rotate', old.id, '--scopes', 'inference,account.read'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--scopes can only narrow a rotation: the old token does not have account.read')
    expect((await list()).filter((token) => token.name.startsWith('narrow'))).toHaveLength(1)
  })

  it('rotating the token latch is signed in with saves the new one in credentials.json before revoking the old', async () => {
    const admin = await signIn()
    const result = await cli(['tokens', 'rotate', admin.id])
    expect(result.code).toBe(0)
    const fresh = result.stdout.trim()
    expect(await storedToken()).toBe(fresh)
    expect(result.stderr).toContain(`Saved the new token to ${sandbox.credentialsPath}.`)
    expect(await platformStatus(admin.token)).toBe(401)
    const whoami = await cli(['whoami', '--json'])
    expect(whoami.code).toBe(0)
    expect(JSON.parse(whoami.stdout).token.type).toBe('pat')
  })

  it('--profile: the login of that profile is the one used, marked, and replaced in its own entry; the default profile is untouched', async () => {
    const home = await signIn()
    const work = await emulator.createPat({name: 'work', scopes: ADMIN_SCOPES})
    expect((await runCli(['login', '--token', '--profile', 'work'], {env: sandbox.env(), input: `${work.token}\n`})).code).toBe(0)
    const listed = JSON.parse((await cli(['tokens', 'list', '--json', '--profile', 'work'])).stdout) as Listed[]
    expect(listed.find((token) => token.in_use)?.id).toBe(work.id)
    const rotated = await cli(['tokens', 'rotate', work.id, '--profile', 'work'])
    expect(rotated.code).toBe(0)
    type Login = {token?: {access_token: string}}
    const file = JSON.parse(await readFile(sandbox.credentialsPath, 'utf8')) as {profiles: Record<string, Login>}
    expect(file.profiles.work.token?.access_token).toBe(rotated.stdout.trim())
    expect(file.profiles.default.token?.access_token).toBe(home.token)
  })

  it('rotating the token in LATCH_TOKEN says that LATCH_TOKEN still holds the old one', async () => {
    const pat = await emulator.createPat({name: 'env', scopes: ADMIN_SCOPES})
    const result = await cli(['tokens', 'rotate', pat.id], {LATCH_TOKEN: pat.token})
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('LATCH_TOKEN still holds the old token, which no longer works: set it to the new one.')
  })

  describe('failing at each step says where things stand, and never revokes the old one before the new one is verified', () => {
    let proxy: FaultyProxy
    beforeEach(async () => {
      proxy = await startFaultyProxy(emulator.issuer)
    })
    afterEach(async () => {
      await proxy.stop()
    })

    const viaProxy = () => ({LATCH_API_URL: proxy.url})

    /** The token to rotate, named uniquely: every test signs in as alice on the same emulator. */
    async function oldToken(name: string): Promise<{id: string; secret: string}> {
      await signIn()
      const secret = (await cli(['tokens', 'create', '--name', name, '--scopes', 'inference,account.read'])).stdout.trim()
      return {id: (await list()).find((token) => token.name === name)!.id, secret}
    }

    it('read: an unknown id changes nothing', async () => {
      await signIn()
      const before = await list()
      const result = await cli(['tokens', 'rotate', 'pat_ffffffffffffffff', '--json'])
      expect(result.code).toBe(13)
      const {error} = JSON.parse(result.stdout)
      expect(error.step).toBe('read')
      expect(error.message).toContain('Nothing changed: no new token was created and none was revoked.')
      expect(await list()).toHaveLength(before.length)
    })

    it('create refused (a token without keys.write): nothing changed, the old one still valid', async () => {
      const old = await oldToken('svc-refused')
      const reader = await emulator.createPat({scopes: ['keys.read', 'account.read']})
      const result = await cli(['tokens', 'rotate', old.id], {LATCH_TOKEN: reader.token})
      expect(result.code).toBe(6)
      expect(result.stderr).toContain(`Rotation stopped (create): Insufficient scope: this needs keys.write`)
      expect(result.stderr).toContain(`Nothing changed: the old token ${old.id} (svc-refused) is still valid, and no new one was created.`)
      expect(await platformStatus(old.secret)).toBe(200)
    })

    it('create lost on the network: the old one still valid, the new one may exist and is named', async () => {
      const old = await oldToken('svc-lost')
      proxy.fail({answer: 'drop', method: 'POST', path: /^\/v1\/tokens$/, times: 1})
      const result = await cli(['tokens', 'rotate', old.id], viaProxy())
      expect(result.code).toBe(3)
      expect(result.stdout).toBe('')
      expect(result.stderr).toContain(`The old token ${old.id} (svc-lost) is still valid (not revoked); the new one (svc-lost-2) may or may not have been created: look for it in \`latch tokens list\``)
      expect(await platformStatus(old.secret)).toBe(200)
    })

    it('verify fails: the old one still valid, the unverified new one revoked again, no secret printed', async () => {
      const old = await oldToken('svc-unverified')
      proxy.fail({answer: {body: {error: 'invalid_token'}, status: 401}, method: 'GET', path: /^\/v1\/me$/})
      const result = await cli(['tokens', 'rotate', old.id, '--json'], viaProxy())
      expect(result.code).toBe(5)
      const {error} = JSON.parse(result.stdout)
      expect(error.step).toBe('verify')
      expect(error.state).toMatchObject({old: {id: old.id, revoked: false}, replacement: {created: 'yes', name: 'svc-unverified-2', revoked_again: true, verified: false}})
      expect(error.message).toContain(`The old token ${old.id} (svc-unverified) is still valid (not revoked); the new token ${error.state.replacement.id} (svc-unverified-2) was created but did not pass verification, and was revoked again.`)
      expect(result.stdout).not.toMatch(/sk_pat_[0-9a-f]{64}/)
      expect(await platformStatus(old.secret)).toBe(200)
      expect((await list()).map((token) => token.name)).toEqual(expect.not.arrayContaining(['svc-unverified-2']))
      expect(proxy.seen.indexOf(`DELETE /v1/tokens/${old.id} -> 200`)).toBe(-1)
    })

    it('verify fails and the clean-up fails too: the new one is named with the command that revokes it', async () => {
      const old = await oldToken('svc-cleanup')
      proxy.fail({answer: {status: 401}, method: 'GET', path: /^\/v1\/me$/})
      proxy.fail({answer: {status: 503}, method: 'DELETE', path: /^\/v1\/tokens\//})
      const result = await cli(['tokens', 'rotate', old.id], viaProxy())
      expect(result.code).toBe(5)
      expect(result.stderr).toMatch(/was created but did not pass verification, and could not be revoked again \(.*503.*\): revoke it with `latch tokens revoke pat_[0-9a-f]+ --force`/)
      expect(await platformStatus(old.secret)).toBe(200)
    })

    it('save fails (credentials.json locked by another process): new one printed and valid, old one not revoked, file unchanged', async () => {
      const admin = await signIn()
      const release = await holdCredentialsLock(sandbox.credentialsPath)
      try {
        const result = await cli(['tokens', 'rotate', admin.id])
        expect(result.code).toBe(10)
        const fresh = result.stdout.trim()
        expect(fresh).toMatch(PAT)
        expect(result.stderr).toContain('Rotation stopped (save)')
        expect(result.stderr).toContain(`the old token ${admin.id} (admin) is still valid (not revoked, because ${sandbox.credentialsPath} still holds it, unchanged)`)
        expect(await platformStatus(admin.token)).toBe(200)
        expect(await platformStatus(fresh)).toBe(200)
      } finally {
        await release()
      }

      expect(await storedToken()).toBe(admin.token)
    }, 40_000)

    it('Ctrl-C while the replacement is being created: it is revoked again before verification, the old one untouched, exit 130', async () => {
      const old = await oldToken('svc-interrupted')
      proxy.fail({answer: {delayMs: 1500}, method: 'POST', path: /^\/v1\/tokens$/, times: 1})
      const run = startCli(['tokens', 'rotate', old.id], {env: sandbox.env(viaProxy())})
      run.process.stdin?.end()
      await run.waitFor(/Creating the replacement svc-interrupted-2\.\.\./)
      run.process.kill('SIGINT')
      const result = await run.done
      expect(result.code).toBe(130)
      expect(result.stdout).toBe('')
      expect(result.stderr).toContain('Ctrl-C: stopping at the next safe point')
      expect(result.stderr).toMatch(/Error: Rotation stopped \(verify\): Cancelled\. The old token pat_[0-9a-f]+ \(svc-interrupted\) is still valid \(not revoked\); the new token pat_[0-9a-f]+ \(svc-interrupted-2\) was created but the rotation was stopped before it was verified, and was revoked again\./)
      expect(proxy.seen.filter((line) => line.startsWith('GET /v1/me'))).toEqual([])
      expect(await platformStatus(old.secret)).toBe(200)
      expect((await list()).map((token) => token.name)).not.toContain('svc-interrupted-2')
    })

    it('SIGTERM while the old one is being read: nothing changed, exit 143', async () => {
      const old = await oldToken('svc-terminated')
      proxy.fail({answer: {delayMs: 1500}, method: 'GET', path: /^\/v1\/tokens$/, times: 1})
      const run = startCli(['tokens', 'rotate', old.id], {env: sandbox.env(viaProxy())})
      run.process.stdin?.end()
      await run.waitFor(/Reading token/)
      run.process.kill('SIGTERM')
      const result = await run.done
      expect(result.code).toBe(143)
      expect(result.stderr).toContain('Error: Rotation stopped (read): Stopped by SIGTERM. Nothing changed: no new token was created and none was revoked.')
      expect(proxy.seen.some((line) => line.startsWith('POST'))).toBe(false)
    })

    it('revoke fails: the new one printed and valid, the old one STILL VALID with the command that revokes it', async () => {
      const old = await oldToken('svc-kept')
      proxy.fail({answer: {status: 500}, method: 'DELETE', path: new RegExp(`^/v1/tokens/${old.id}$`)})
      const result = await cli(['tokens', 'rotate', old.id, '--json'], viaProxy())
      expect(result.code).toBe(3)
      const report = JSON.parse(result.stdout)
      expect(report.token).toMatch(PAT)
      expect(report.replaced).toMatchObject({id: old.id, revoked: false})
      expect(report.error).toMatchObject({step: 'revoke', state: {old: {revoked: false}, replacement: {verified: true}}})
      expect(report.error.message).toContain(`the old token ${old.id} (svc-kept) is STILL VALID (not revoked)`)
      expect(report.error.hint).toBe(`revoke it: \`latch tokens revoke ${old.id} --force\``)
      expect(await platformStatus(old.secret)).toBe(200)
      expect(await platformStatus(report.token)).toBe(200)
    })
  })
})

describe('expiry warning (§4)', () => {
  it('whoami warns when the token expires within 7 days, with the date and the exact rotate command', async () => {
    const pat = await signIn(ADMIN_SCOPES, {expires_in: 3 * 86_400})
    const result = await cli(['whoami'])
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(new RegExp(`Warning: this personal access token expires on \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(in 2 days\\): rotate it with \`latch tokens rotate ${pat.id}\``))
    const json = JSON.parse((await cli(['whoami', '--json'])).stdout)
    expect(json.expiry_warning.rotate).toBe(`latch tokens rotate ${pat.id}`)
  })

  it('login --token warns too, with the id /v1/me reports', async () => {
    const pat = await emulator.createPat({expires_in: 86_400 + 600, scopes: ['account.read']})
    const result = await runCli(['login', '--token'], {env: sandbox.env(), input: `${pat.token}\n`})
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`(in 1 day): rotate it with \`latch tokens rotate ${pat.id}\`.`)
  })

  it('from a server whose /v1/me names no token id: found in the list with keys.read, else ID and a pointer to the list', async () => {
    const proxy = await startFaultyProxy(emulator.issuer)
    try {
      proxy.fail({answer: {transform: (body) => ({...body, token: {...(body.token as object), id: undefined}})}, method: 'GET', path: /^\/v1\/me$/})
      const lister = await emulator.createPat({expires_in: 2 * 86_400, scopes: ['account.read', 'keys.read']})
      const found = await cli(['whoami'], {LATCH_API_URL: proxy.url, LATCH_TOKEN: lister.token})
      expect(found.stderr).toContain(`rotate it with \`latch tokens rotate ${lister.id}\`.`)
      expect(proxy.seen).toContain('GET /v1/tokens -> 200')
      const blind = await emulator.createPat({expires_in: 2 * 86_400, scopes: ['account.read']})
      const unknown = await cli(['whoami'], {LATCH_API_URL: proxy.url, LATCH_TOKEN: blind.token})
      expect(unknown.code).toBe(0)
      expect(unknown.stderr).toContain('rotate it with `latch tokens rotate ID` (`latch tokens list` marks it).')
    } finally {
      await proxy.stop()
    }
  })

  it('no warning for a token with 8 days left, or none at all', async () => {
    await signIn(ADMIN_SCOPES, {expires_in: 8 * 86_400})
    expect((await cli(['whoami'])).stderr).not.toContain('Warning')
  })
})

