/**
 * Files the tests set up by hand: a throwaway directory, and the credentials lock held the way a live
 * latch process holds it.
 */
import {mkdir, mkdtemp, readFile, rm, utimes, writeFile} from 'node:fs/promises'
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

/**
 * One profile's login from a credentials file of either format: in version 2 `profiles[profile]`, in
 * version 1 the whole file (which was the default profile's login).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function readLogin<T = any>(credentialsPath: string, profile = 'default'): Promise<T> {
  const file = JSON.parse(await readFile(credentialsPath, 'utf8'))
  return (file.version === 1 && profile === 'default' ? file : file.profiles?.[profile]) as T
}

/** Replaces one profile's login in the file (read with readLogin), keeping the file's format and the other profiles. */
export async function writeLogin(credentialsPath: string, login: object, profile = 'default'): Promise<void> {
  const file = JSON.parse(await readFile(credentialsPath, 'utf8'))
  const next = file.version === 1 && profile === 'default' ? login : {...file, profiles: {...file.profiles, [profile]: login}}
  await writeFile(credentialsPath, JSON.stringify(next), {mode: 0o600})
}
