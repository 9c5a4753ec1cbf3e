/**
 * Profiles end to end (issue 17): two logins on two authorization servers (two emulators) side by side,
 * chosen by --profile, LATCH_PROFILE, a pin file per directory, `switch`, or `default`; used from two
 * directories at the same time; refreshed by two processes at once without losing either rotation;
 * signed out one by one or all together, each at its own issuer; and a version-1 file converted with
 * nothing lost.
 */
import {afterEach, beforeEach, describe, expect, it} from '@jest/globals'
import {existsSync} from 'node:fs'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {makeSandbox, runCli, type Sandbox, startCli} from '../helpers/cli.js'
import {type RunningEmulator, useEmulator} from '../helpers/emulator.js'
import {holdCredentialsLock, readLogin, writeLogin} from '../helpers/files.js'

/** alice signs in here (the emulator approves by itself). */
const personal = useEmulator(['--interval', '0.2', '--auto-approve', 'alice'])
/** bob signs in here. */
const work = useEmulator(['--interval', '0.2', '--auto-approve', 'bob'])
let sandbox: Sandbox
/** Two project directories; `a/deep/er` is below `a`. */
let dirA: string
let dirB: string

beforeEach(async () => {
  // No LATCH_ISSUER: each profile keeps the issuer it signed in to.
  sandbox = await makeSandbox()
  dirA = join(sandbox.home, 'projects', 'a')
  dirB = join(sandbox.home, 'projects', 'b')
  await mkdir(join(dirA, 'deep', 'er'), {recursive: true})
  await mkdir(dirB, {recursive: true})
})
afterEach(async () => {
  await sandbox?.cleanup()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function cli(args: string[], options: {cwd?: string; env?: Record<string, string>; input?: string} = {}) {
  return runCli(args, {cwd: options.cwd ?? sandbox.home, env: sandbox.env(options.env), input: options.input})
}

async function login(profile: string, emulator: RunningEmulator, extra: string[] = []): Promise<void> {
  const result = await cli(['login', '--no-browser', '--profile', profile, '--issuer', emulator.issuer, ...extra])
  expect([result.code, result.stderr]).toEqual([0, expect.stringContaining(`Credentials saved to ${sandbox.credentialsPath} (profile ${profile})`)])
}

async function whoami(options: {args?: string[]; cwd?: string; env?: Record<string, string>} = {}) {
  const result = await cli(['whoami', '--json', ...(options.args ?? [])], options)
  return {code: result.code, report: JSON.parse(result.stdout), stderr: result.stderr}
}

async function requestsTo(emulator: RunningEmulator, path: string, grantType?: string): Promise<number> {
  return (await emulator.requests()).filter((entry) => entry.path === path && (grantType === undefined || entry.grant_type === grantType)).length
}

describe('two profiles on two issuers', () => {
  it('are used from two directories at the same time, each pinned to its own', async () => {
    await login('personal', personal)
    await login('work', work)
    expect((await cli(['profiles', 'pin', 'personal'], {cwd: dirA})).code).toBe(0)
    expect((await cli(['profiles', 'pin', 'work'], {cwd: dirB})).code).toBe(0)
    expect(await readFile(join(dirA, '.latch-profile'), 'utf8')).toBe('personal\n')

    // Both shells at once, three commands each: no global switch, no interference.
    const runs = await Promise.all(
      [dirA, dirB, join(dirA, 'deep', 'er'), dirB, dirA, dirB].map(async (cwd) => ({cwd, token: await cli(['token'], {cwd}), who: await whoami({cwd})})),
    )
    const personalToken = (await readLogin(sandbox.credentialsPath, 'personal')).token.access_token
    const workToken = (await readLogin(sandbox.credentialsPath, 'work')).token.access_token
    for (const {cwd, token, who} of runs) {
      const inA = cwd.startsWith(dirA)
      expect(who.code).toBe(0)
      expect(who.report.user.id).toBe(inA ? 'usr_alice' : 'usr_bob')
      expect(who.report.issuer).toBe(inA ? personal.issuer : work.issuer)
      expect(who.report.profile).toEqual({name: inA ? 'personal' : 'work', origin: join(inA ? dirA : dirB, '.latch-profile'), reason: 'pin'})
      expect(token.stdout).toBe(`${inA ? personalToken : workToken}\n`)
    }

    const json = await cli(['token', '--json'], {cwd: dirB})
    expect(JSON.parse(json.stdout)).toMatchObject({profile: 'work', source: 'file', token: workToken})
    const text = await cli(['whoami'], {cwd: join(dirA, 'deep', 'er')})
    expect(text.stdout).toContain(`Profile:  personal (from the pin file ${join(dirA, '.latch-profile')})`)
  })

  it('precedence: --profile > LATCH_PROFILE > pin file > switch > default', async () => {
    await login('personal', personal)
    await login('work', work)
    await cli(['profiles', 'pin', 'personal'], {cwd: dirA})
    expect((await cli(['switch', 'work'])).code).toBe(0)

    const table: Array<[string, {args?: string[]; cwd: string; env?: Record<string, string>}, string, string]> = [
      ['--profile beats LATCH_PROFILE and the pin', {args: ['--profile', 'personal'], cwd: dirB, env: {LATCH_PROFILE: 'work'}}, 'personal', 'flag'],
      ['--profile beats the pin', {args: ['--profile', 'work'], cwd: dirA}, 'work', 'flag'],
      ['LATCH_PROFILE beats the pin', {cwd: dirA, env: {LATCH_PROFILE: 'work'}}, 'work', 'env'],
      ['the pin beats switch', {cwd: dirA}, 'personal', 'pin'],
      ['switch beats default', {cwd: dirB}, 'work', 'switch'],
      ['an empty LATCH_PROFILE counts as unset', {cwd: dirA, env: {LATCH_PROFILE: ''}}, 'personal', 'pin'],
    ]
    for (const [name, options, profile, reason] of table) {
      const {code, report} = await whoami(options)
      expect({code, name, profile: report.profile.name, reason: report.profile.reason}).toEqual({code: 0, name, profile, reason})
    }

    // `switch default` goes back to the default profile, which has no login here.
    expect((await cli(['switch', 'default'])).code).toBe(0)
    const none = await cli(['whoami'], {cwd: dirB})
    expect([none.code, none.stderr]).toEqual([4, 'Error: You are not authenticated\nHint: run `latch login`, or set LATCH_TOKEN\n'])
    const named = await cli(['token', '--profile', 'nobody'], {cwd: dirB})
    expect([named.code, named.stderr]).toEqual([4, 'Error: You are not authenticated in profile nobody (from --profile)\nHint: run `latch login --profile nobody`, or set LATCH_TOKEN\n'])
  })

  it('LATCH_TOKEN still wins over any profile, and whoami says it shadows the profile', async () => {
    await login('work', work)
    const {token} = await personal.createPat({name: 'env', scopes: ['account.read'], user: 'alice'})
    const {report} = await whoami({args: ['--profile', 'work'], env: {LATCH_ISSUER: personal.issuer, LATCH_TOKEN: token}})
    expect(report.user.id).toBe('usr_alice')
    expect(report.token).toMatchObject({shadows_stored: true, source: 'env'})
    expect(report.profile).toEqual({name: 'work', origin: '--profile', reason: 'flag'})
    const text = await cli(['whoami', '--profile', 'work'], {env: {LATCH_ISSUER: personal.issuer, LATCH_TOKEN: token}})
    expect(text.stdout).toContain('Note: LATCH_TOKEN overrides the token stored in the credentials file for profile work.')
  })
})

describe('--profile on every command that uses a stored login', () => {
  it('is a flag of each of them (the manifest oclif runs from); the others choose no login', async () => {
    const manifest = JSON.parse(await readFile(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {commands: Record<string, {flags: Record<string, unknown>}>}
    // Settings, the local server and the profile commands themselves do not sign in with a login.
    const noLogin = new Set(['config:get', 'config:list', 'config:set', 'config:unset', 'emulator', 'profiles', 'profiles:pin', 'profiles:unpin', 'switch'])
    const missing = Object.entries(manifest.commands)
      .filter(([id, command]) => !noLogin.has(id) && !('profile' in command.flags))
      .map(([id]) => id)
    expect(missing).toEqual([])
    expect(Object.keys(manifest.commands)).toEqual(expect.arrayContaining(['tokens:list', 'keys:list', 'orgs:list', 'bots:list', 'doctor']))
  })

  it('tokens list --profile work asks the work server with the work login', async () => {
    await login('personal', personal, ['--scopes', 'keys.read'])
    await login('work', work, ['--scopes', 'keys.read'])
    const {token: bobPat} = await work.createPat({name: 'bobs-ci', scopes: ['inference'], user: 'bob'})
    expect(bobPat).toMatch(/^sk_pat_/)
    const listed = await cli(['tokens', 'list', '--json', '--profile', 'work'])
    expect([listed.code, listed.stderr]).toEqual([0, ''])
    expect(JSON.parse(listed.stdout).map((entry: {name: string}) => entry.name)).toContain('bobs-ci')
    const mine = await cli(['tokens', 'list', '--json', '--profile', 'personal'])
    expect(JSON.parse(mine.stdout).map((entry: {name: string}) => entry.name)).not.toContain('bobs-ci')
  })
})

describe('refreshing two profiles at once', () => {
  it('two processes refresh two profiles concurrently, and both rotations are kept', async () => {
    await login('personal', personal)
    await login('work', work)
    for (let round = 0; round < 3; round++) {
      // Both tokens look expired: each process must refresh its own profile.
      for (const profile of ['personal', 'work']) {
        const stored = await readLogin(sandbox.credentialsPath, profile)
        stored.token.expires_at = new Date(Date.now() - 1000).toISOString()
        await writeLogin(sandbox.credentialsPath, stored, profile)
      }

      const before = {personal: await readLogin(sandbox.credentialsPath, 'personal'), work: await readLogin(sandbox.credentialsPath, 'work')}
      const refreshes = {personal: await requestsTo(personal, '/token', 'refresh_token'), work: await requestsTo(work, '/token', 'refresh_token')}
      // Held here until both processes have read the file and wait for the lock, so that each one's
      // write comes after the other could have read: a write built on the file as read at start
      // would put back the other profile's spent token.
      const release = await holdCredentialsLock(sandbox.credentialsPath)
      const runs = ['personal', 'work'].map((profile) => ({profile, run: startCli(['token', '--profile', profile], {cwd: sandbox.home, env: sandbox.env()})}))
      await sleep(1500)
      await release()
      const results = await Promise.all(runs.map(async ({profile, run}) => ({profile, result: await run.done})))

      for (const {profile, result} of results) {
        const emulator = profile === 'personal' ? personal : work
        const after = await readLogin(sandbox.credentialsPath, profile)
        expect({code: result.code, profile, round}).toEqual({code: 0, profile, round})
        expect(after.token.refresh_token).not.toBe(before[profile as 'personal' | 'work'].token.refresh_token)
        expect(result.stdout).toBe(`${after.token.access_token}\n`)
        expect(await requestsTo(emulator, '/token', 'refresh_token')).toBe(refreshes[profile as 'personal' | 'work'] + 1)
      }
    }

    // Both stored logins still work with their servers.
    expect((await whoami({args: ['--profile', 'personal']})).report.user.id).toBe('usr_alice')
    expect((await whoami({args: ['--profile', 'work']})).report.user.id).toBe('usr_bob')
  })
})

describe('profiles, whoami --all and logout', () => {
  it('`profiles` lists every login with its issuer, user, expiry and why the active one is active', async () => {
    await login('personal', personal)
    await login('work', work)
    const listed = await cli(['profiles', '--json'], {cwd: dirA, env: {LATCH_PROFILE: 'work'}})
    const report = JSON.parse(listed.stdout)
    expect(report.active).toMatchObject({name: 'work', origin: 'LATCH_PROFILE', reason: 'env', signed_in: true})
    expect(report.profiles).toEqual([
      {active: false, issuer: personal.issuer, name: 'personal', project_linked: false, token: {expires_at: expect.any(String), type: 'oauth'}, user: {id: 'usr_alice', name: 'Alice Example'}},
      {active: true, issuer: work.issuer, name: 'work', project_linked: false, token: {expires_at: expect.any(String), type: 'oauth'}, user: {id: 'usr_bob', name: 'Bob Example'}},
    ])
    const text = await cli(['profiles'], {env: {LATCH_PROFILE: 'work'}})
    expect(text.stdout).toMatch(/^ {2}personal {2}Alice Example \(usr_alice\) {2}http:\/\/127\.0\.0\.1:\d+ {2}\S+Z$/m)
    expect(text.stdout).toMatch(/^\* work {6}Bob Example \(usr_bob\) {6}http:\/\/127\.0\.0\.1:\d+ {2}\S+Z$/m)
    expect(text.stdout).toContain('Active: work, from LATCH_PROFILE.')
  })

  it('whoami --all checks every profile at its own server, and fails with the first failure', async () => {
    await login('personal', personal)
    await login('work', work)
    const all = await whoami({args: ['--all']})
    expect(all.code).toBe(0)
    expect(all.report.profiles.map((entry: {active: boolean; profile: string; report: {issuer: string; user: {id: string}}}) => [entry.profile, entry.active, entry.report.issuer, entry.report.user.id])).toEqual([
      ['personal', false, personal.issuer, 'usr_alice'],
      ['work', false, work.issuer, 'usr_bob'],
    ])

    // The work login is revoked at its server: --all says so for that profile and ends with its code.
    const revoked = (await readLogin(sandbox.credentialsPath, 'work')).token
    await work.revoke(revoked.access_token)
    await work.revoke(revoked.refresh_token)
    const text = await cli(['whoami', '--all'], {env: {LATCH_PROFILE: 'personal'}})
    expect(text.code).toBe(5)
    expect(text.stdout).toContain('Profile personal (active, from LATCH_PROFILE)\n  Signed in to')
    expect(text.stdout).toMatch(/Profile work\n {2}Error: Token is invalid or expired/)
  })

  it('logout --profile removes that profile alone, revoked at its issuer; logout --all the rest, each at its own', async () => {
    await login('personal', personal)
    await login('work', work)
    await login('spare', work)
    await cli(['switch', 'work'])
    const revocations = {personal: await requestsTo(personal, '/token/revocation'), work: await requestsTo(work, '/token/revocation')}

    const one = await cli(['logout', '--profile', 'work', '--force', '--json'])
    expect(one.code).toBe(0)
    expect(JSON.parse(one.stdout)).toMatchObject({profile: 'work', removed: true, revoked: 'revoked'})
    expect(one.stderr).toContain(`Removed the profile work from ${sandbox.credentialsPath} (still there: personal, spare).`)
    expect(await requestsTo(work, '/token/revocation')).toBe(revocations.work + 2)
    expect(await requestsTo(personal, '/token/revocation')).toBe(revocations.personal)
    const file = JSON.parse(await readFile(sandbox.credentialsPath, 'utf8'))
    expect(Object.keys(file.profiles)).toEqual(['personal', 'spare'])
    // The switch named the removed profile: it is dropped, so the default applies again.
    expect(file.active).toBeUndefined()

    // An API key in the environment keeps authenticating after the logout: said, as for one profile.
    const all = await cli(['logout', '--all', '--force', '--json'], {env: {LATCH_API_KEY: `sk_live_${'a'.repeat(64)}`}})
    expect(all.code).toBe(0)
    expect(JSON.parse(all.stdout)).toMatchObject({
      profiles: [
        {profile: 'personal', revoked: 'revoked'},
        {profile: 'spare', revoked: 'revoked'},
      ],
      removed: true,
      still_authenticated_by: ['LATCH_API_KEY'],
    })
    expect(all.stderr).toContain('Note: LATCH_API_KEY is still set and will keep authenticating you')
    expect(await requestsTo(personal, '/token/revocation')).toBe(revocations.personal + 2)
    expect(await requestsTo(work, '/token/revocation')).toBe(revocations.work + 4)
    expect(existsSync(sandbox.credentialsPath)).toBe(false)
  })

  it('switch and pin refuse a profile that does not exist; unpin removes the pin that applies, from below it', async () => {
    await login('work', work)
    const badSwitch = await cli(['switch', 'wrok'])
    expect([badSwitch.code, badSwitch.stderr]).toEqual([2, 'Error: No profile named wrok (there are: work)\nHint: run `latch login --profile wrok` to create it\n'])
    const badPin = await cli(['profiles', 'pin', 'wrok'], {cwd: dirA})
    expect(badPin.code).toBe(2)
    expect(existsSync(join(dirA, '.latch-profile'))).toBe(false)
    const badName = await cli(['whoami', '--profile', '../etc'])
    expect(badName.code).toBe(2)
    expect(badName.stderr).toContain('Error: Invalid profile name from --profile: "../etc"')

    await cli(['profiles', 'pin', 'work'], {cwd: dirA})
    const unpin = await cli(['profiles', 'unpin', '--json'], {cwd: join(dirA, 'deep', 'er')})
    expect(JSON.parse(unpin.stdout)).toEqual({removed: join(dirA, '.latch-profile')})
    expect(existsSync(join(dirA, '.latch-profile'))).toBe(false)

    // A pin file written by hand: comments and blank lines are skipped; a bad name is an error naming the file.
    await writeFile(join(dirA, '.latch-profile'), '# this repository deploys to production\n\nwork\n')
    expect((await whoami({cwd: dirA})).report.profile.name).toBe('work')
    await writeFile(join(dirA, '.latch-profile'), 'not a name\n')
    const badFile = await cli(['token'], {cwd: dirA})
    expect([badFile.code, badFile.stderr.split('\n')[0]]).toEqual([2, `Error: Invalid profile name from the pin file ${join(dirA, '.latch-profile')}: "not a name"`])
  })
})

describe('a version-1 file', () => {
  it('is read as the profile default and converted on the first write, every field kept byte for byte', async () => {
    const {token: pat} = await personal.createPat({name: 'v1', scopes: ['inference', 'account.read'], user: 'alice'})
    // Fields this latch does not know (a later `org`, a token field) must survive too, in their order.
    const v1 = {
      version: 1,
      issuer: personal.issuer,
      api_url: personal.issuer,
      token: {type: 'pat', access_token: pat, scopes: ['inference', 'account.read'], future_field: {nested: [1, 'two']}},
      access_key: 'sk_proj_v1v1v1v1v1v1v1v1v1v1v1v1v1v1v1v1',
      org: 'org_acme',
      user: {id: 'usr_alice', name: 'Alice Example'},
      created_at: '2026-01-01T00:00:00.000Z',
    }
    await mkdir(sandbox.configDir, {mode: 0o700, recursive: true})
    await writeFile(sandbox.credentialsPath, JSON.stringify(v1, null, 2), {mode: 0o600})

    // Read as default, without a write.
    const read = await cli(['profiles', '--json'])
    expect(JSON.parse(read.stdout).profiles.map((entry: {name: string}) => entry.name)).toEqual(['default'])
    expect(JSON.parse(await readFile(sandbox.credentialsPath, 'utf8')).version).toBe(1)

    // The first write (a login to another profile) converts the file.
    const {token: workPat} = await work.createPat({name: 'w', scopes: ['account.read'], user: 'bob'})
    const added = await cli(['login', '--token', '--profile', 'work', '--issuer', work.issuer], {input: workPat})
    expect(added.code).toBe(0)
    const converted = JSON.parse(await readFile(sandbox.credentialsPath, 'utf8'))
    expect(converted.version).toBe(2)
    const {version: _version, ...login} = v1
    expect(JSON.stringify(converted.profiles.default)).toBe(JSON.stringify(login))
    expect(converted.profiles.work.user.id).toBe('usr_bob')
    expect((await whoami()).report.user.id).toBe('usr_alice')
  })
})
