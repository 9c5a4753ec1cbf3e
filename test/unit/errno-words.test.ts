/**
 * The one errno-to-words map (src/credentials/errno.ts) and the did-you-mean matcher
 * (src/unknown-command.ts), for the codes a test cannot provoke as root (EACCES, ENOSPC, EROFS).
 */
import {describe, expect, it} from '@jest/globals'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describeErrno} from '../../src/credentials/errno.js'
import {closest} from '../../src/unknown-command.js'

const errno = (code: string) => Object.assign(new Error(code), {code})

describe('describeErrno', () => {
  it.each([
    ['EACCES', 'permission denied', 'make /cfg writable by you (chmod u+rwx), or set LATCH_CONFIG_DIR to a directory you own'],
    ['EPERM', 'permission denied', 'make /cfg writable by you'],
    ['EROFS', 'read-only file system', 'set LATCH_CONFIG_DIR to a directory on a writable file system'],
    ['ENOSPC', 'no space left on the device', 'free some space'],
    ['EISDIR', 'it is a directory, not a file', 'remove or rename that directory'],
    ['ELOOP', 'it is a symbolic link', 'latch never follows links'],
    ['EWHATEVER', 'EWHATEVER', 'check the permissions of that path'],
  ])('%s: words and a fix', (code, reason, fix) => {
    const words = describeErrno(errno(code), '/cfg/credentials.json')
    expect(words.reason).toBe(reason)
    expect(words.fix).toContain(fix)
  })

  it('EEXIST and ENOTDIR name the file that is in the way', async () => {
    const home = await mkdtemp(join(tmpdir(), 'latch-errno-'))
    try {
      const file = join(home, 'file')
      await writeFile(file, 'x')
      for (const code of ['EEXIST', 'ENOTDIR']) {
        expect(describeErrno(errno(code), join(file, 'latch', 'credentials.json'))).toEqual({
          fix: 'move that file aside, or set LATCH_CONFIG_DIR to a directory',
          reason: `${file} is a file, not a directory`,
        })
      }
    } finally {
      await rm(home, {force: true, recursive: true})
    }
  })
})

describe('closest', () => {
  it('finds typos and swaps, and nothing for a word far from every candidate', () => {
    const commands = ['emulator', 'link', 'login', 'logout', 'token', 'whoami']
    expect(closest('logni', commands)).toBe('login')
    expect(closest('whoam', commands)).toBe('whoami')
    expect(closest('scoeps', ['scopes', 'reset-scopes', 'token'])).toBe('scopes')
    expect(closest('frobnicate', commands)).toBeUndefined()
  })
})
