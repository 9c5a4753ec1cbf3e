/**
 * The store on its own, for what the commands cannot reach: a command reads the file before it writes,
 * so a symlink planted between that read and the write (or at a path only written) meets only the
 * write-side checks tested here.
 */
import {describe, expect, it} from '@jest/globals'
import {lstat, readFile, symlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import type {StoredCredentials} from '../../src/credentials/schema.js'
import {CredentialStore} from '../../src/credentials/store.js'
import {withTempDir} from '../helpers/files.js'

const CREDENTIALS: StoredCredentials = {created_at: '2026-01-01T00:00:00.000Z', issuer: 'https://auth.example.com', version: 1}


describe('CredentialStore.write', () => {
  it('refuses a symlink at the path: neither replaced nor followed', () =>
    withTempDir('latch-store-', async (dir) => {
      const target = join(dir, 'elsewhere.json')
      await writeFile(target, 'not ours')
      const store = new CredentialStore(join(dir, 'credentials.json'))
      await symlink(target, store.path)
      await expect(store.write(CREDENTIALS)).rejects.toMatchObject({kind: 'credentials_file', message: expect.stringContaining('is a symbolic link')})
      expect((await lstat(store.path)).isSymbolicLink()).toBe(true)
      expect(await readFile(target, 'utf8')).toBe('not ours')
    }))

  it('refuses a symlink at the path when removing', () =>
    withTempDir('latch-store-', async (dir) => {
      const target = join(dir, 'elsewhere.json')
      await writeFile(target, 'not ours')
      const store = new CredentialStore(join(dir, 'credentials.json'))
      await symlink(target, store.path)
      await expect(store.remove()).rejects.toMatchObject({kind: 'credentials_file'})
      expect((await lstat(store.path)).isSymbolicLink()).toBe(true)
    }))

  // write() and remove() read the file first, and that read (O_NOFOLLOW) already refuses a link. These
  // entry points do not read: the write-side check is all that stands between them and the link.
  it('refuses a symlink at the path when replacing the whole file (writeFile, as updateProfiles does)', () =>
    withTempDir('latch-store-', async (dir) => {
      const target = join(dir, 'elsewhere.json')
      await writeFile(target, 'not ours')
      const store = new CredentialStore(join(dir, 'credentials.json'))
      await symlink(target, store.path)
      await expect(store.writeFile({profiles: {default: CREDENTIALS}, version: 2})).rejects.toMatchObject({
        kind: 'credentials_file',
        message: expect.stringContaining('is a symbolic link'),
      })
      expect((await lstat(store.path)).isSymbolicLink()).toBe(true)
      expect(await readFile(target, 'utf8')).toBe('not ours')
    }))

  it('refuses a symlink at the path when deleting the whole file (removeFile)', () =>
    withTempDir('latch-store-', async (dir) => {
      const target = join(dir, 'elsewhere.json')
      await writeFile(target, 'not ours')
      const store = new CredentialStore(join(dir, 'credentials.json'))
      await symlink(target, store.path)
      await expect(store.removeFile()).rejects.toMatchObject({kind: 'credentials_file', message: expect.stringContaining('is a symbolic link')})
      expect((await lstat(store.path)).isSymbolicLink()).toBe(true)
      expect(await readFile(target, 'utf8')).toBe('not ours')
    }))

  it('refuses a symlink at the path in the check before a login (checkWritable)', () =>
    withTempDir('latch-store-', async (dir) => {
      const target = join(dir, 'elsewhere.json')
      await writeFile(target, 'not ours')
      const store = new CredentialStore(join(dir, 'credentials.json'))
      await symlink(target, store.path)
      await expect(store.checkWritable()).rejects.toMatchObject({kind: 'credentials_file', message: expect.stringContaining('is a symbolic link')})
      expect((await lstat(store.path)).isSymbolicLink()).toBe(true)
    }))
})
