/**
 * The one place that turns a file-system errno (EACCES, EROFS, ENOTDIR, ...) met on the credentials
 * path into words and a fix, for the store (src/credentials/store.ts) and the lock (lock.ts) alike.
 */
import {dirname} from 'node:path'

// node:fs through require (see src/node-fs.ts): this module is on the start-up path of `latch token`.
import {nodeFs} from '../node-fs.js'

export interface ErrnoWords {
  /** What went wrong, as the end of "Cannot write credentials at PATH: …". */
  reason: string
  /** What to do about it. */
  fix: string
}

/**
 * `path` is the file or directory the operation was on. The words name LATCH_CONFIG_DIR; a host CLI's
 * own prefix replaces it when the error is shown (src/ui/error-report.ts).
 */
export function describeErrno(error: unknown, path: string): ErrnoWords {
  const code = errnoOf(error)
  const configDirVar = 'LATCH_CONFIG_DIR'
  const elsewhere = `or set ${configDirVar} to a directory you own`
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return {reason: 'permission denied', fix: `make ${dirname(path)} writable by you (chmod u+rwx), ${elsewhere}`}
    case 'EROFS':
      return {reason: 'read-only file system', fix: `set ${configDirVar} to a directory on a writable file system`}
    case 'ENOSPC':
    case 'EDQUOT':
      return {reason: code === 'ENOSPC' ? 'no space left on the device' : 'your disk quota is used up', fix: `free some space, ${elsewhere}`}
    case 'EEXIST':
    case 'ENOTDIR': {
      const file = fileInTheWay(path)
      return file
        ? {reason: `${file} is a file, not a directory`, fix: `move that file aside, or set ${configDirVar} to a directory`}
        : {reason: 'part of the path is a file, not a directory', fix: `set ${configDirVar} to a directory`}
    }

    case 'EISDIR':
      return {reason: 'it is a directory, not a file', fix: `remove or rename that directory (latch keeps a file there), ${elsewhere}`}
    case 'ELOOP':
      return {reason: 'it is a symbolic link', fix: 'latch never follows links for credentials: replace the link with a regular file, or remove it'}
    default:
      return {
        reason: code ?? (error instanceof Error ? error.message : String(error)),
        fix: `check the permissions of that path, ${elsewhere}`,
      }
  }
}

export function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

/** The nearest existing ancestor of `path` (or `path` itself) when it is something other than a directory. */
function fileInTheWay(path: string): string | undefined {
  for (let current = path; ; current = dirname(current)) {
    try {
      return nodeFs.lstatSync(current).isDirectory() ? undefined : current
    } catch {}

    if (dirname(current) === current) return undefined
  }
}
