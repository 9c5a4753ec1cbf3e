/**
 * One writer at a time for credentials.json across processes: a lock directory next to the file
 * (proper-lockfile's atomic mkdir), kept fresh by a heartbeat. A lock whose heartbeat stopped (its
 * process was killed) is stale after LOCK_STALE_MS and taken over, so a crash never wedges the CLI.
 */
import {constants, promises as fs} from 'node:fs'
import {dirname} from 'node:path'

import lockfile from 'proper-lockfile'

import {ErrorKind, LatchError} from '../errors.js'
import {describeErrno} from './errno.js'
import type {CredentialsFile, StoredCredentials} from './schema.js'
import type {CredentialStore} from './store.js'

/** A lock not touched for this long belongs to a dead process. */
export const LOCK_STALE_MS = 10_000
/** How often the holder touches the lock; well inside LOCK_STALE_MS even on a busy machine. */
export const LOCK_HEARTBEAT_MS = 2000
/** How long to wait for another process before giving up: longer than a stale lock takes to expire. */
export const LOCK_WAIT_MS = 15_000
/** The longest pause between two tries: a freed lock is noticed within about this long. */
export const LOCK_RETRY_MAX_MS = 400

const DIR_MODE = 0o700

export function lockPathOf(credentialsPath: string): string {
  return `${credentialsPath}.lock`
}

/** After this long without the lock, latch says that it is waiting (once). */
export const LOCK_WAIT_NOTICE_MS = 1000

/**
 * Runs `work` while holding the lock on the credentials file at `path`; the lock is released however
 * `work` ends. `note` is told, once, when another process has kept the lock for LOCK_WAIT_NOTICE_MS.
 */
export async function withCredentialsLock<T>(
  path: string,
  work: () => Promise<T>,
  note: (message: string) => void = (message) => process.stderr.write(`${message}\n`),
): Promise<T> {
  const lockPath = lockPathOf(path)
  await prepareDirectory(path)
  let release: () => Promise<void>
  const notice = setTimeout(
    () => note(`Waiting for another latch process to finish with ${path} (up to ${LOCK_WAIT_MS / 1000} s)...`),
    LOCK_WAIT_NOTICE_MS,
  )
  try {
    release = await lockfile.lock(path, {
      lockfilePath: lockPath,
      // If this process stalls past the stale time, another one may take over. That is survivable:
      // a refresh that then finds its refresh token already rotated re-reads the file (see active-token.ts).
      // The default handler would throw from a timer and crash the command instead.
      onCompromised() {},
      // The lock names the file itself, not where a symlink points: the store never follows links.
      realpath: false,
      // Backoff from 25 ms up to LOCK_RETRY_MAX_MS (times 1-2, at random, so waiters don't retry in step).
      retries: {factor: 1.3, maxRetryTime: LOCK_WAIT_MS, maxTimeout: LOCK_RETRY_MAX_MS, minTimeout: 25, randomize: true, retries: 1000},
      stale: LOCK_STALE_MS,
      update: LOCK_HEARTBEAT_MS,
    })
  } catch (error) {
    throw lockError(error, path, lockPath)
  } finally {
    clearTimeout(notice)
  }

  try {
    return await work()
  } finally {
    // Rejects only when the lock was already lost (see onCompromised): nothing left to release.
    await release().catch(() => {})
  }
}

/**
 * Read-modify-write of the selected profile's login (`store.profile`) under the lock, so a change (a
 * linked key) never overwrites a refresh token that another process rotated a moment earlier, nor any
 * other profile.
 */
export async function updateCredentials(
  store: CredentialStore,
  change: (current: StoredCredentials | undefined) => StoredCredentials,
): Promise<StoredCredentials> {
  return withCredentialsLock(store.path, async () => {
    const next = change(await store.read())
    await store.write(next)
    return next
  })
}

/**
 * Read-modify-write of the whole file (every profile) under the lock. `change` returns the new file,
 * or undefined to leave the file as it is.
 */
export async function updateProfiles(
  store: CredentialStore,
  change: (current: CredentialsFile | undefined) => CredentialsFile | undefined,
): Promise<CredentialsFile | undefined> {
  return withCredentialsLock(store.path, async () => {
    const current = await store.readFile()
    const next = change(current)
    if (next === undefined) return current
    await store.writeFile(next)
    return next
  })
}

/**
 * The lock lives in the config directory, which may not exist yet (e.g. `link` with LATCH_TOKEN). A
 * directory that cannot be created or written is reported at once: proper-lockfile would retry any
 * error for LOCK_WAIT_MS, and every caller holds the lock to write the credentials file anyway.
 */
async function prepareDirectory(path: string): Promise<void> {
  const directory = dirname(path)
  try {
    await fs.mkdir(directory, {mode: DIR_MODE, recursive: true})
  } catch (error) {
    throw writeError(error, directory)
  }

  try {
    await fs.access(directory, constants.W_OK)
  } catch (error) {
    throw writeError(error, path)
  }
}

/** The words a failed save uses (src/credentials/store.ts), for the same failure met first here. */
function writeError(error: unknown, path: string): LatchError {
  const {fix, reason} = describeErrno(error, path)
  return new LatchError(ErrorKind.CredentialsFile, `Cannot write credentials at ${path}: ${reason}`, {cause: error, hint: fix})
}

function lockError(error: unknown, path: string, lockPath: string): LatchError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ELOCKED') {
    return new LatchError(ErrorKind.CredentialsFile, `Another process kept ${path} locked for more than ${LOCK_WAIT_MS / 1000} s`, {
      cause: error,
      hint: `try again; if no other latch command is running, remove ${lockPath}`,
    })
  }

  const {fix, reason} = describeErrno(error, lockPath)
  return new LatchError(ErrorKind.CredentialsFile, `Cannot lock credentials at ${path}: ${reason}`, {cause: error, hint: fix})
}
