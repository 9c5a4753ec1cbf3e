import {describe, expect, it} from '@jest/globals'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, rm, utimes} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {LOCK_STALE_MS, lockPathOf, withCredentialsLock} from '../../src/credentials/lock.js'

async function withTempDir(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'latch-lock-'))
  try {
    await work(dir)
  } finally {
    await rm(dir, {force: true, recursive: true})
  }
}

describe('withCredentialsLock', () => {
  it('lets one holder in at a time', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credentials.json')
      const events: string[] = []
      const holder = (name: string) =>
        withCredentialsLock(path, async () => {
          events.push(`${name} in`)
          await new Promise((resolve) => setTimeout(resolve, 50))
          events.push(`${name} out`)
        })
      await Promise.all([holder('a'), holder('b'), holder('c')])
      // Every "in" is directly followed by the same holder's "out".
      for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i].replace(' in', ' out'))
      expect(existsSync(lockPathOf(path))).toBe(false)
    }))

  it('releases the lock when the work throws', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credentials.json')
      await expect(withCredentialsLock(path, async () => {
        throw new Error('boom')
      })).rejects.toThrow('boom')
      expect(existsSync(lockPathOf(path))).toBe(false)
      await expect(withCredentialsLock(path, async () => 'again')).resolves.toBe('again')
    }))

  it('takes over a lock left by a killed process once it is stale', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credentials.json')
      // What proper-lockfile leaves behind when its process dies: the directory, no longer touched.
      await mkdir(lockPathOf(path))
      const old = new Date(Date.now() - LOCK_STALE_MS - 5000)
      await utimes(lockPathOf(path), old, old)
      await expect(withCredentialsLock(path, async () => 'taken over')).resolves.toBe('taken over')
      expect(existsSync(lockPathOf(path))).toBe(false)
    }))

  it('creates the config directory the lock lives in', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'not', 'yet', 'credentials.json')
      await expect(withCredentialsLock(path, async () => 'ok')).resolves.toBe('ok')
    }))
})
