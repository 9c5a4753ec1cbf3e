/**
 * Profiles without a server: which profile a command uses (resolveProfile, with real pin files in a
 * temp directory tree), and the store's handling of several profiles in one file (version 2), of a
 * version-1 file, and of a file from a later latch.
 */
import {describe, expect, it} from '@jest/globals'
import {existsSync} from 'node:fs'
import {chown, mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {findPin, resolveProfile} from '../../src/config.js'
import {updateCredentials, updateProfiles} from '../../src/credentials/lock.js'
import {credentialsProblem, type StoredCredentials} from '../../src/credentials/schema.js'
import {CredentialStore} from '../../src/credentials/store.js'
import * as released from '../fixtures/released-0.1-schema.js'
import {withTempDir} from '../helpers/files.js'

const LOGIN: StoredCredentials = {created_at: '2026-01-01T00:00:00.000Z', issuer: 'https://a.example'}

describe('resolveProfile: --profile > LATCH_PROFILE > pin file > switch > default', () => {
  it.each([
    ['--profile beats everything', {flag: 'f', env: {LATCH_PROFILE: 'e'}, pin: 'p', active: 's'}, 'f', 'flag'],
    ['LATCH_PROFILE beats the pin and the switch', {env: {LATCH_PROFILE: 'e'}, pin: 'p', active: 's'}, 'e', 'env'],
    ['the pin beats the switch', {env: {}, pin: 'p', active: 's'}, 'p', 'pin'],
    ['the switch beats the default', {env: {}, active: 's'}, 's', 'switch'],
    ['default last', {env: {}}, 'default', 'default'],
    ['an empty LATCH_PROFILE falls through', {env: {LATCH_PROFILE: ' '}, pin: 'p'}, 'p', 'pin'],
    ['an empty --profile falls through', {flag: '', env: {LATCH_PROFILE: 'e'}}, 'e', 'env'],
  ])('%s', (_name, input: {active?: string; env: Record<string, string>; flag?: string; pin?: string}, value, reason) =>
    withTempDir('latch-profile-', async (dir) => {
      const cwd = join(dir, 'project', 'src')
      await mkdir(cwd, {recursive: true})
      if (input.pin) await writeFile(join(dir, 'project', '.latch-profile'), `${input.pin}\n`)
      const resolved = resolveProfile({active: input.active, bin: 'latch', cwd, env: input.env, flag: input.flag, home: dir})
      expect({reason: resolved.reason, value: resolved.value}).toEqual({reason, value})
      if (reason === 'pin') expect(resolved.origin).toBe(join(dir, 'project', '.latch-profile'))
      if (reason === 'switch') expect(resolved.origin).toBe(join(dir, '.config', 'latch', 'credentials.json'))
    }),
  )

  it('the nearest pin file wins, and a host CLI reads its own (.acme-profile)', () =>
    withTempDir('latch-profile-', async (dir) => {
      const inner = join(dir, 'outer', 'inner', 'deeper')
      await mkdir(inner, {recursive: true})
      await writeFile(join(dir, 'outer', '.latch-profile'), 'outer\n')
      await writeFile(join(dir, 'outer', 'inner', '.latch-profile'), '# comment\n\n  inner  \r\nignored\n')
      await writeFile(join(dir, 'outer', '.acme-profile'), 'acme\n')
      expect(findPin('latch', inner)).toEqual({path: join(dir, 'outer', 'inner', '.latch-profile'), profile: 'inner'})
      expect(findPin('latch', join(dir, 'outer'))?.profile).toBe('outer')
      expect(findPin('acme', inner)?.profile).toBe('acme')
      expect(findPin('latch', dir)).toBeUndefined()
    }))

  it('a directory named .latch-profile is not a pin; a pin without a name or with a bad one is an error naming it', () =>
    withTempDir('latch-profile-', async (dir) => {
      await mkdir(join(dir, 'a', '.latch-profile'), {recursive: true})
      expect(findPin('latch', join(dir, 'a'))).toBeUndefined()
      await writeFile(join(dir, '.latch-profile'), '# only a comment\n')
      expect(() => findPin('latch', dir)).toThrow(expect.objectContaining({kind: 'usage', message: `The pin file ${join(dir, '.latch-profile')} names no profile`}))
      await writeFile(join(dir, '.latch-profile'), '../../etc\n')
      expect(() => findPin('latch', dir)).toThrow(expect.objectContaining({kind: 'usage', message: `Invalid profile name from the pin file ${join(dir, '.latch-profile')}: "../../etc"`}))
    }))

  ;(process.getuid?.() === 0 ? it : it.skip)('skips a pin file another user owns, and says so (as root: chown to nobody)', () =>
    withTempDir('latch-profile-', async (dir) => {
      const inner = join(dir, 'shared')
      await mkdir(inner)
      await writeFile(join(dir, '.latch-profile'), 'mine\n')
      await writeFile(join(inner, '.latch-profile'), 'planted\n')
      await chown(join(inner, '.latch-profile'), 65_534, 65_534)
      const ignored: Array<[string, number]> = []
      expect(findPin('latch', inner, (path, owner) => ignored.push([path, owner]))).toEqual({path: join(dir, '.latch-profile'), profile: 'mine'})
      expect(ignored).toEqual([[join(inner, '.latch-profile'), 65_534]])
      // Root's own files are trusted: root can change any file anyway.
      await chown(join(inner, '.latch-profile'), 0, 0)
      expect(findPin('latch', inner)?.profile).toBe('planted')
    }))

  it.each([['__proto__'], ['-x'], ['a b'], ['x'.repeat(65)], ['é']])('refuses the profile name %j', (name) => {
    expect(() => resolveProfile({bin: 'latch', cwd: '/', env: {}, flag: name})).toThrow(expect.objectContaining({kind: 'usage'}))
    expect(() => resolveProfile({bin: 'latch', cwd: '/', env: {LATCH_PROFILE: name}})).toThrow(expect.objectContaining({kind: 'usage'}))
  })
})

describe('the store with several profiles', () => {
  it('converts a version-1 file on the first write: the login becomes `default`, every field and its order kept', () =>
    withTempDir('latch-store-', async (dir) => {
      const store = new CredentialStore(join(dir, 'credentials.json'))
      const v1 = {
        version: 1,
        issuer: 'https://a.example',
        token: {type: 'oauth', access_token: 'at', refresh_token: 'rt', scopes: ['openid'], expires_at: '2026-01-01T01:00:00.000Z', later: {x: [1]}},
        org: 'org_acme',
        user: {id: 'u', name: 'U', email_verified: true},
        created_at: '2026-01-01T00:00:00.000Z',
      }
      await writeFile(store.path, JSON.stringify(v1, null, 2), {mode: 0o600})
      const {version: _version, ...login} = v1
      expect(await store.read()).toEqual(login)
      expect(await store.forProfile('work').read()).toBeUndefined()

      await updateCredentials(store.forProfile('work'), () => LOGIN)
      const file = JSON.parse(await readFile(store.path, 'utf8'))
      expect(file.version).toBe(2)
      expect(JSON.stringify(file.profiles.default)).toBe(JSON.stringify(login))
      expect(file.profiles.work).toEqual(LOGIN)
    }))

  it('a change to one profile keeps the unknown fields of its login and every other profile as the file has them now', () =>
    withTempDir('latch-store-', async (dir) => {
      const store = new CredentialStore(join(dir, 'credentials.json'))
      await updateCredentials(store, () => ({...LOGIN, org: 'org_a'}) as StoredCredentials)
      const work = store.forProfile('work')
      await updateCredentials(work, () => LOGIN)
      // Written after `work` last read: a later change to `work` must not put `default` back as it was.
      await updateCredentials(store, (current) => ({...current!, access_key: 'sk_proj_new'}))
      await updateCredentials(work, (current) => ({...current!, access_key: 'sk_proj_work'}))
      // Code written for version 1 may still set `version: 1` on a login: it is not stored inside a profile.
      await updateCredentials(work, (current) => ({...current!, version: 1}))
      expect(JSON.parse(await readFile(store.path, 'utf8'))).toEqual({
        profiles: {default: {...LOGIN, access_key: 'sk_proj_new', org: 'org_a'}, work: {...LOGIN, access_key: 'sk_proj_work'}},
        version: 2,
      })
    }))

  it('overwrite (for the API-key exchange cache) replaces a file it cannot read; write refuses to', () =>
    withTempDir('latch-store-', async (dir) => {
      const store = new CredentialStore(join(dir, 'cache.json'))
      await writeFile(store.path, '{"version": 1, "issuer": ', {mode: 0o600})
      await expect(store.write(LOGIN)).rejects.toMatchObject({kind: 'credentials_file'})
      await store.overwrite({...LOGIN, version: 1})
      expect(JSON.parse(await readFile(store.path, 'utf8'))).toEqual({profiles: {default: LOGIN}, version: 2})
      expect(await store.read()).toEqual(LOGIN)
    }))

  it('remove takes one profile, drops a switch that named it, and deletes the file with the last one', () =>
    withTempDir('latch-store-', async (dir) => {
      const store = new CredentialStore(join(dir, 'credentials.json'))
      const work = store.forProfile('work')
      await updateCredentials(store, () => LOGIN)
      await updateCredentials(work, () => LOGIN)
      await updateProfiles(store, (current) => ({...current!, active: 'work'}))
      expect(await work.remove()).toBe(true)
      expect(await work.remove()).toBe(false)
      expect(JSON.parse(await readFile(store.path, 'utf8'))).toEqual({profiles: {default: LOGIN}, version: 2})
      expect(await store.remove()).toBe(true)
      expect(existsSync(store.path)).toBe(false)
    }))
})

describe('the format version', () => {
  const v2 = {profiles: {default: LOGIN}, version: 2}

  it('a file from a later latch is said to be one (the store then hints to upgrade)', () =>
    withTempDir('latch-store-', async (dir) => {
      const store = new CredentialStore(join(dir, 'credentials.json'))
      await writeFile(store.path, JSON.stringify({...v2, version: 3}), {mode: 0o600})
      await expect(store.read()).rejects.toMatchObject({
        hint: expect.stringMatching(/^upgrade latch/),
        kind: 'credentials_file',
        message: expect.stringContaining('it was written by a newer version of latch (format 3; this latch reads formats 1 and 2)'),
      })
      expect(credentialsProblem(v2)).toBeUndefined()
    }))

  it('latch 0.1, reading the file this version writes, says a newer latch wrote it (so its hint is to upgrade)', () => {
    expect(released.credentialsProblem(v2)).toBe('it was written by a newer version of latch (format 2; this latch reads format 1)')
    expect(released.isNewerFormat(v2)).toBe(true)
  })
})
