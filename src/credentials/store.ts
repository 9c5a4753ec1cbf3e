/**
 * The credential store: one JSON file, 0600, in a 0700 directory, replaced atomically (temp file, fsync,
 * rename) so a crash leaves either the old or the new content. It never follows a symlink and never
 * touches a file it cannot understand: such a file is reported with its path and left as it is.
 *
 * The file holds several profiles (src/credentials/schema.ts). A store object stands for one of them,
 * `profile`: `read`, `write` and `remove` are about that profile's login and leave the others as they
 * are in the file at that moment; `readFile` and `writeFile` are about the whole file. Every change is
 * a read-modify-write of the whole file, so callers hold the credentials lock (src/credentials/lock.ts).
 */
import type {Stats} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import {ErrorKind, LatchError} from '../errors.js'
import {nodeFs} from '../node-fs.js'
import {describeErrno, errnoOf} from './errno.js'
import {
  asProfiles,
  CREDENTIALS_VERSION,
  type CredentialsFile,
  credentialsProblem,
  DEFAULT_PROFILE,
  isNewerFormat,
  profileOf,
  type StoredCredentials,
} from './schema.js'

const FILE_MODE = 0o600
const DIR_MODE = 0o700
const STALE_TEMP_MS = 60_000
const {constants} = nodeFs
/** fs.promises on first use: reading (all that `latch token` does) needs only the synchronous calls. */
const fs = new Proxy({} as typeof nodeFs.promises, {get: (_target, key) => Reflect.get(nodeFs.promises, key)})

export class CredentialStore {
  constructor(
    readonly path: string,
    /** Told when the store repairs something, e.g. loose permissions. */
    private readonly notify: (message: string) => void = () => {},
    /** The profile that read, write and remove are about. */
    readonly profile: string = DEFAULT_PROFILE,
  ) {}

  /** The same file, another profile. */
  forProfile(profile: string): CredentialStore {
    return new CredentialStore(this.path, this.notify, profile)
  }

  get directory(): string {
    return dirname(this.path)
  }

  /** This profile's login, or undefined when there is no file or no such profile in it. */
  async read(): Promise<StoredCredentials | undefined> {
    return profileOf(await this.readFile(), this.profile)
  }

  /** Every profile, or undefined when there is no file; a version-1 file comes back as the profile `default`. */
  async readFile(): Promise<CredentialsFile | undefined> {
    const text = await this.readText()
    if (text === undefined) return undefined
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw this.unreadableContent('it is not valid JSON', false)
    }

    const problem = credentialsProblem(parsed)
    if (problem) throw this.unreadableContent(problem, isNewerFormat(parsed))
    return asProfiles(parsed as Record<string, unknown>)
  }

  /**
   * Renames a file whose content latch cannot use (see UnreadableCredentials) to a backup next to it,
   * for `logout --force`; returns the backup's path. Nothing is deleted.
   */
  async moveAside(): Promise<string> {
    await this.refuseNonRegularTarget()
    const stamp = new Date().toISOString().replaceAll(/[:.]/g, '-')
    const backup = `${this.path}.unreadable-${stamp}`
    try {
      await fs.rename(this.path, backup)
    } catch (error) {
      throw this.failure('remove', error)
    }

    await syncDirectory(this.directory)
    return backup
  }

  /** The raw bytes, or undefined when there is no file: what "byte for byte unchanged" is measured on. */
  async readText(): Promise<string | undefined> {
    const directory = await this.checkDirectory()
    let fd: number
    try {
      // O_NOFOLLOW: a symlink planted at our path is refused; O_NONBLOCK: a FIFO cannot hang us.
      fd = nodeFs.openSync(this.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    } catch (error) {
      // ENOTDIR (the config directory is a file) is reported, not taken for "no credentials".
      if (errnoOf(error) === 'ENOENT') return undefined
      throw this.failure('read', error)
    }

    try {
      const stats = nodeFs.fstatSync(fd)
      if (stats.isDirectory()) throw this.failure('read', eisdir())
      if (!stats.isFile()) throw this.unusable('is not a regular file')
      // A second name for the file (a hard link someone else made) would keep the tokens after a
      // logout, and a chmod through it would change that other name too.
      if (stats.nlink > 1) throw this.unusable(`has ${stats.nlink} hard links (another name points at the same file)`)
      await this.tighten(this.path, stats.mode, FILE_MODE, async (mode) => nodeFs.fchmodSync(fd, mode))
      // The directory too, on every command that reads the store (docs/configuration.md); best effort
      // here: a directory latch may not chmod (not its owner) is not a reason to fail a read.
      if (directory) await this.tightenDirectory(directory).catch(() => {})
      return nodeFs.readFileSync(fd, {encoding: 'utf8'})
    } catch (error) {
      if (error instanceof LatchError) throw error
      throw this.failure('read', error)
    } finally {
      nodeFs.closeSync(fd)
    }
  }

  /**
   * Fails, with the same words a failed save would use, when credentials could not be saved here: run
   * before anyone is asked to approve a login or paste a token, so that nobody approves in vain.
   * Creates the config directory (0700) as a save would; leaves no file behind.
   */
  async checkWritable(): Promise<void> {
    await this.prepareDirectory()
    await this.refuseNonRegularTarget()
    const {randomBytes} = await import('node:crypto')
    const probe = join(this.directory, `.${basename(this.path)}.${randomBytes(6).toString('hex')}.tmp`)
    try {
      await (await fs.open(probe, 'wx', FILE_MODE)).close()
    } catch (error) {
      throw this.failure('write', error)
    }

    await fs.rm(probe, {force: true})
  }

  /**
   * Saves `credentials` as this profile's login, in the file as it is now: every other profile, and
   * every field of the file, stays as it is. A version-1 file becomes version 2 here. Hold the lock.
   */
  async write(credentials: StoredCredentials): Promise<void> {
    const {version: _single, ...login} = credentials
    const current = await this.readFile()
    const profiles = {...current?.profiles, [this.profile]: login}
    await this.writeFile({...current, version: CREDENTIALS_VERSION, profiles})
  }

  /**
   * Replaces the whole file, whatever it holds (even content latch cannot read), with one holding only
   * `credentials` as this profile's login: for a cache, whose old content is worth nothing. Hold the lock.
   */
  async overwrite(credentials: StoredCredentials): Promise<void> {
    const {version: _single, ...login} = credentials
    await this.writeFile({profiles: {[this.profile]: login}, version: CREDENTIALS_VERSION})
  }

  /**
   * Removes this profile's login; returns whether there was one. The file itself is deleted with its
   * last profile, and `active` is dropped when it named this one (the next command then uses the
   * default). Hold the lock.
   */
  async remove(): Promise<boolean> {
    const current = await this.readFile()
    if (!current || !profileOf(current, this.profile)) return false
    const {[this.profile]: _removed, ...profiles} = current.profiles
    if (Object.keys(profiles).length === 0) return this.removeFile()
    const {active, ...rest} = current
    await this.writeFile({...rest, ...(active === undefined || active === this.profile ? {} : {active}), profiles})
    return true
  }

  /** Replaces the whole file with `file`, as version 2. Hold the lock. */
  async writeFile(file: CredentialsFile): Promise<void> {
    const {version: _version, ...rest} = file
    const credentials = {version: CREDENTIALS_VERSION, ...rest}
    await this.prepareDirectory()
    await this.refuseNonRegularTarget()
    // Imported here: node:crypto takes longer to load than the rest of `latch token`, which never writes.
    const {randomBytes} = await import('node:crypto')
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

  /** Deletes the whole file, every profile in it; returns whether there was one. */
  async removeFile(): Promise<boolean> {
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
      const directory = await this.checkDirectory()
      if (directory) await this.tightenDirectory(directory)
    } catch (error) {
      if (error instanceof LatchError) throw error
      throw this.failure('write', error, this.directory)
    }
  }

  /**
   * The directory is checked the way OpenSSH checks ~/.ssh: a symlink (its target could be anywhere,
   * or swapped later), a directory owned by another user, or one that others may write to (they could
   * replace credentials.json) is refused, never repaired. A directory that others may only read is
   * tightened to 0700 by every command that reads or writes the store.
   */
  private async checkDirectory(): Promise<Stats | undefined> {
    let stats
    try {
      // Synchronous, as the rest of the read path: fs.promises loads streams and readline (docs/performance.md).
      stats = nodeFs.lstatSync(this.directory)
    } catch (error) {
      if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return undefined
      throw this.failure('read', error, this.directory)
    }

    const refuse = (problem: string, fix: string) =>
      new LatchError(ErrorKind.CredentialsFile, `Config directory ${this.directory} ${problem}; latch will not keep credentials there`, {hint: fix})
    if (stats.isSymbolicLink()) {
      throw refuse('is a symbolic link', 'replace the link with a real directory (mode 0700), or set LATCH_CONFIG_DIR to one')
    }

    if (!stats.isDirectory()) return undefined
    const uid = process.getuid?.()
    if (uid !== undefined && stats.uid !== uid) {
      throw refuse(`is owned by another user (uid ${stats.uid}, you are ${uid})`, `run \`chown ${uid} ${this.directory}\` if it is yours, or set LATCH_CONFIG_DIR to a directory of your own`)
    }

    if ((stats.mode & 0o022) !== 0) {
      throw refuse(`is writable by others (mode ${octal(stats.mode & 0o777)})`, `run \`chmod 700 ${this.directory}\``)
    }

    return stats
  }

  /** `stats`: the directory's, from checkDirectory (not a link, so lstat is stat): no second stat call. */
  private async tightenDirectory(stats: Stats): Promise<void> {
    await this.tighten(this.directory, stats.mode, DIR_MODE, async (mode) => nodeFs.chmodSync(this.directory, mode))
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
    if (stats.isDirectory()) throw this.failure('write', eisdir())
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

  private unreadableContent(problem: string, newer: boolean): UnreadableCredentials {
    return new UnreadableCredentials(`Credentials file ${this.path} cannot be used, and was left untouched: ${problem}`, {
      hint: newer
        ? 'upgrade latch, or move the file aside: `latch logout --force` does that, keeping a copy'
        : 'move it aside and sign in again: `latch logout --force` does that, keeping a copy; then run `latch login`',
    })
  }

  private failure(action: 'read' | 'remove' | 'write', error: unknown, path = this.path): LatchError {
    if (errnoOf(error) === 'ELOOP') return this.unusable('is a symbolic link')
    const {fix, reason} = describeErrno(error, path)
    return new LatchError(ErrorKind.CredentialsFile, `Cannot ${action} credentials at ${path}: ${reason}`, {cause: error, hint: fix})
  }
}

/** The file is there and readable, but its content is not credentials latch can use. */
export class UnreadableCredentials extends LatchError {
  constructor(message: string, options: {hint: string}) {
    super(ErrorKind.CredentialsFile, message, options)
  }
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

function eisdir(): NodeJS.ErrnoException {
  return Object.assign(new Error('EISDIR: illegal operation on a directory'), {code: 'EISDIR'})
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`
}
