/**
 * The credential store: one JSON file, 0600, in a 0700 directory, replaced atomically (temp file, fsync,
 * rename) so a crash leaves either the old or the new content. It never follows a symlink and never
 * touches a file it cannot understand: such a file is reported with its path and left as it is.
 */
import {randomBytes} from 'node:crypto'
import {constants, promises as fs} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import {ErrorKind, LatchError} from '../errors.js'
import {credentialsProblem, type StoredCredentials} from './schema.js'

const FILE_MODE = 0o600
const DIR_MODE = 0o700
const STALE_TEMP_MS = 60_000

export class CredentialStore {
  constructor(
    readonly path: string,
    /** Told when the store repairs something, e.g. loose permissions. */
    private readonly notify: (message: string) => void = () => {},
  ) {}

  get directory(): string {
    return dirname(this.path)
  }

  /** The stored credentials, or undefined when there is no file. */
  async read(): Promise<StoredCredentials | undefined> {
    const text = await this.readText()
    if (text === undefined) return undefined
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw this.unusable('is not valid JSON')
    }

    const problem = credentialsProblem(parsed)
    if (problem) throw this.unusable(problem)
    return parsed as StoredCredentials
  }

  /** The raw bytes, or undefined when there is no file: what "byte for byte unchanged" is measured on. */
  async readText(): Promise<string | undefined> {
    let handle: fs.FileHandle
    try {
      // O_NOFOLLOW: a symlink planted at our path is refused; O_NONBLOCK: a FIFO cannot hang us.
      handle = await fs.open(this.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    } catch (error) {
      // ENOTDIR: a parent is a file, so there is no credentials file; writing will report the path.
      if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return undefined
      throw this.failure('read', error)
    }

    try {
      const stats = await handle.stat()
      if (!stats.isFile()) throw this.unusable('is not a regular file')
      await this.tighten(this.path, stats.mode, FILE_MODE, (mode) => handle.chmod(mode))
      return await handle.readFile({encoding: 'utf8'})
    } catch (error) {
      if (error instanceof LatchError) throw error
      throw this.failure('read', error)
    } finally {
      await handle.close()
    }
  }

  async write(credentials: StoredCredentials): Promise<void> {
    await this.prepareDirectory()
    await this.refuseNonRegularTarget()
    const temporary = join(this.directory, `.${basename(this.path)}.${randomBytes(6).toString('hex')}.tmp`)
    try {
      // 'wx' never reuses or follows an existing path; the mode applies from the first byte.
      const handle = await fs.open(temporary, 'wx', FILE_MODE)
      try {
        await handle.writeFile(`${JSON.stringify(credentials, null, 2)}\n`)
        await handle.sync()
      } finally {
        await handle.close()
      }

      await fs.rename(temporary, this.path)
    } catch (error) {
      await fs.rm(temporary, {force: true})
      throw this.failure('write', error)
    }

    await syncDirectory(this.directory)
    await this.removeStaleTemporaries()
  }

  /**
   * A SIGKILL between creating the temp file and renaming it leaves the temp file behind; nothing reads
   * it. The next save removes such files once they are older than STALE_TEMP_MS: a live writer (another
   * latch saving right now) keeps its own for milliseconds, so it is never pulled from under it.
   */
  private async removeStaleTemporaries(): Promise<void> {
    const prefix = `.${basename(this.path)}.`
    try {
      for (const name of await fs.readdir(this.directory)) {
        if (!(name.startsWith(prefix) && name.endsWith('.tmp'))) continue
        const path = join(this.directory, name)
        const stats = await fs.lstat(path)
        if (stats.isFile() && Date.now() - stats.mtimeMs > STALE_TEMP_MS) await fs.rm(path, {force: true})
      }
    } catch {}
  }

  /** Deletes the file; returns whether there was one. */
  async remove(): Promise<boolean> {
    await this.refuseNonRegularTarget()
    try {
      await fs.unlink(this.path)
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return false
      throw this.failure('remove', error)
    }

    await syncDirectory(this.directory)
    return true
  }

  private async prepareDirectory(): Promise<void> {
    try {
      await fs.mkdir(this.directory, {mode: DIR_MODE, recursive: true})
      const stats = await fs.stat(this.directory)
      await this.tighten(this.directory, stats.mode, DIR_MODE, (mode) => fs.chmod(this.directory, mode))
    } catch (error) {
      if (error instanceof LatchError) throw error
      throw this.failure('write', error, this.directory)
    }
  }

  private async refuseNonRegularTarget(): Promise<void> {
    let stats
    try {
      stats = await fs.lstat(this.path)
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return
      throw this.failure('write', error)
    }

    if (stats.isSymbolicLink()) throw this.unusable('is a symbolic link')
    if (!stats.isFile()) throw this.unusable('is not a regular file')
  }

  private async tighten(path: string, mode: number, wanted: number, chmod: (mode: number) => Promise<void>): Promise<void> {
    const current = mode & 0o777
    if ((current & ~wanted) === 0) return
    await chmod(wanted)
    this.notify(`Fixed permissions on ${path}: was ${octal(current)}, now ${octal(wanted)} (readable by you alone)`)
  }

  private unusable(reason: string): LatchError {
    const symlink = reason.includes('symbolic link')
    return new LatchError(ErrorKind.CredentialsFile, `Credentials file ${this.path} ${reason}; it was left untouched`, {
      hint: symlink
        ? 'latch never follows links for credentials: replace the link with a regular file, or remove it and run `latch login`'
        : 'move it aside (or delete it) and run `latch login` again',
    })
  }

  private failure(action: 'read' | 'remove' | 'write', error: unknown, path = this.path): LatchError {
    if (errnoOf(error) === 'ELOOP') return this.unusable('is a symbolic link')
    return credentialsFailure(action, error, path)
  }
}

/** "Cannot write credentials at PATH: permission denied", with the hint: for the store and the lock alike. */
export function credentialsFailure(action: 'lock' | 'read' | 'remove' | 'write', error: unknown, path: string): LatchError {
  const code = errnoOf(error)
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EROFS'
        ? 'read-only file system'
        : code === 'ENOSPC'
          ? 'no space left on device'
          : code === 'EISDIR'
            ? 'is a directory'
            : (code ?? (error instanceof Error ? error.message : String(error)))
  return new LatchError(ErrorKind.CredentialsFile, `Cannot ${action} credentials at ${path}: ${reason}`, {
    cause: error,
    hint: 'check the permissions of that path, or set LATCH_CONFIG_DIR to a writable directory',
  })
}

async function syncDirectory(directory: string): Promise<void> {
  // Makes the rename itself durable; some file systems refuse to fsync a directory, which is fine.
  try {
    const handle = await fs.open(directory, constants.O_RDONLY)
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {}
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`
}
