import {describe, expect, it} from '@jest/globals'
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, readFile, stat, utimes} from 'node:fs/promises'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {LOCK_STALE_MS, lockPathOf, updateCredentials, withCredentialsLock} from '../../src/credentials/lock.js'
import {CredentialStore} from '../../src/credentials/store.js'
import {withTempDir} from '../helpers/files.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))


describe('withCredentialsLock', () => {
  it('lets one holder in at a time', () =>
    withTempDir('latch-lock-', async (dir) => {
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
    withTempDir('latch-lock-', async (dir) => {
      const path = join(dir, 'credentials.json')
      await expect(withCredentialsLock(path, async () => {
        throw new Error('boom')
      })).rejects.toThrow('boom')
      expect(existsSync(lockPathOf(path))).toBe(false)
      await expect(withCredentialsLock(path, async () => 'again')).resolves.toBe('again')
    }))

  it('takes over a lock left by a killed process once it is stale', () =>
    withTempDir('latch-lock-', async (dir) => {
      const path = join(dir, 'credentials.json')
      // What proper-lockfile leaves behind when its process dies: the directory, no longer touched.
      await mkdir(lockPathOf(path))
      const old = new Date(Date.now() - LOCK_STALE_MS - 5000)
      await utimes(lockPathOf(path), old, old)
      await expect(withCredentialsLock(path, async () => 'taken over')).resolves.toBe('taken over')
      expect(existsSync(lockPathOf(path))).toBe(false)
    }))

  it('creates the config directory the lock lives in', () =>
    withTempDir('latch-lock-', async (dir) => {
      const path = join(dir, 'not', 'yet', 'credentials.json')
      await expect(withCredentialsLock(path, async () => 'ok')).resolves.toBe('ok')
    }))

  it('makes updateCredentials wait for the holder, then builds on what the holder wrote', () =>
    withTempDir('latch-lock-', async (dir) => {
      const store = new CredentialStore(join(dir, 'credentials.json'))
      let release!: () => void
      const holder = withCredentialsLock(store.path, async () => {
        await new Promise<void>((resolve) => (release = resolve))
        await store.write({created_at: '2026-01-01T00:00:00.000Z', issuer: 'https://a.example', version: 1})
      })
      await sleep(50)
      const update = updateCredentials(store, (current) => ({...current!, access_key: 'sk_proj_kept'}))
      await sleep(500)
      // Still waiting: nothing written yet.
      expect(existsSync(store.path)).toBe(false)
      release()
      await holder
      expect(await update).toMatchObject({access_key: 'sk_proj_kept', issuer: 'https://a.example'})
      expect(JSON.parse(await readFile(store.path, 'utf8'))).toMatchObject({profiles: {default: {access_key: 'sk_proj_kept', issuer: 'https://a.example'}}, version: 2})
    }))

  it('a stalled holder loses the lock to a waiter after LOCK_STALE_MS, and then finishes without crashing', () =>
    withTempDir('latch-lock-', async (dir) => {
      const path = join(dir, 'credentials.json')
      const lockModule = fileURLToPath(new URL('../../dist/credentials/lock.js', import.meta.url))
      const stallMs = LOCK_STALE_MS + 3000
      // Another process takes the lock, then its event loop stalls (as under a debugger, swap, or
      // SIGSTOP): its heartbeat stops. When it resumes, the heartbeat finds the lock taken over.
      const script = `
        import {withCredentialsLock} from ${JSON.stringify(lockModule)}
        await withCredentialsLock(${JSON.stringify(path)}, async () => {
          console.log('locked')
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${stallMs})
          console.log('resumed')
          await new Promise((resolve) => setTimeout(resolve, 3000))
        })
        console.log('done')
      `
      const holder = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'pipe']})
      let output = ''
      holder.stdout.on('data', (chunk) => (output += chunk))
      holder.stderr.on('data', (chunk) => (output += chunk))
      const exited = new Promise<null | number>((resolve) => holder.on('close', resolve))
      while (!output.includes('locked')) {
        if (holder.exitCode !== null) throw new Error(`holder ended: ${output}`)
        await sleep(20)
      }

      const started = performance.now()
      await withCredentialsLock(path, async () => {
        const waited = performance.now() - started
        // Taken over once stale, while the holder was still stalled.
        expect(waited).toBeGreaterThan(LOCK_STALE_MS - 2000)
        expect(output).not.toContain('resumed')
        const ours = (await stat(lockPathOf(path))).mtimeMs
        // Held long enough for the resumed holder's heartbeat to find the lock no longer its own.
        while (!output.includes('done') && holder.exitCode === null) await sleep(50)
        expect(existsSync(lockPathOf(path))).toBe(true)
        expect((await stat(lockPathOf(path))).mtimeMs).toBeGreaterThanOrEqual(ours)
      })
      expect([await exited, output.trim().split('\n')]).toEqual([0, ['locked', 'resumed', 'done']])
      expect(existsSync(lockPathOf(path))).toBe(false)
    }), 40_000)
})
