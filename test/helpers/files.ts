/**
 * Files the tests set up by hand: a throwaway directory, and the credentials lock held the way a live
 * latch process holds it.
 */
import {mkdir, mkdtemp, rm, utimes} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** Runs `work` in a fresh directory under the system temp dir, removed afterwards whatever happens. */
export async function withTempDir(prefix: string, work: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  try {
    await work(dir)
  } finally {
    await rm(dir, {force: true, recursive: true})
  }
}

/**
 * Holds `credentialsPath`'s lock as proper-lockfile does in a live process (the `.lock` directory,
 * touched every second, so it never looks stale); the returned function frees it.
 */
export async function holdCredentialsLock(credentialsPath: string): Promise<() => Promise<void>> {
  const lock = `${credentialsPath}.lock`
  await mkdir(lock)
  const heartbeat = setInterval(() => {
    const now = new Date()
    void utimes(lock, now, now).catch(() => {})
  }, 1000)
  return async () => {
    clearInterval(heartbeat)
    await rm(lock, {force: true, recursive: true})
  }
}
