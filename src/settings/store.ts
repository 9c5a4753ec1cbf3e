/**
 * Writes the settings through conf: conf validates the whole file against SETTINGS_SCHEMA before every
 * write and writes atomically. Imported only by `latch config` (conf is heavy); everything else reads
 * the file with src/settings/file.ts. Credentials never go here: conf has no lock between processes
 * and follows symlinks, so they stay in credentials.json through src/credentials/store.ts.
 */
import {chmod, mkdir, stat} from 'node:fs/promises'
import {basename, dirname} from 'node:path'

import {envNames} from '../config.js'
import {ErrorKind, LatchError} from '../errors.js'
import {settingsSchema, type SettingKey, type Settings} from './keys.js'

export interface SettingsStore {
  delete(key: SettingKey): boolean
  path: string
  set<K extends SettingKey>(key: K, value: NonNullable<Settings[K]>): void
}

export async function openSettings(path: string, bin: string, scopeCatalogue?: Record<string, string>): Promise<SettingsStore> {
  const directory = dirname(path)
  try {
    // The config directory also holds credentials.json: 0700, as the credential store makes it.
    await mkdir(directory, {mode: 0o700, recursive: true})
    const mode = (await stat(directory)).mode & 0o777
    if (mode & 0o077) await chmod(directory, mode & 0o700)
  } catch (error) {
    throw new LatchError(ErrorKind.General, `Cannot create ${directory}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: `check the permissions of ${dirname(directory)}, or set a config directory you can write`,
    })
  }

  const {default: Conf} = await import('conf')
  let conf: InstanceType<typeof Conf<Settings>>
  try {
    conf = new Conf<Settings>({
      accessPropertiesByDotNotation: false,
      configFileMode: 0o600,
      configName: basename(path, '.json'),
      cwd: directory,
      projectName: bin,
      schema: settingsSchema(scopeCatalogue) as never,
    })
  } catch (error) {
    throw unusable(path, error, bin)
  }

  return {
    delete(key) {
      const had = conf.has(key)
      guard(path, bin, () => conf.delete(key))
      return had
    },
    path,
    set(key, value) {
      guard(path, bin, () => conf.set(key, value as never))
    },
  }
}

function guard(path: string, bin: string, write: () => void): void {
  try {
    write()
  } catch (error) {
    throw unusable(path, error, bin)
  }
}

/**
 * conf's own messages in one line with a way out: a file latch cannot read or write (EACCES, EROFS, ...)
 * is a general failure (exit 1); content conf refuses (not JSON, "Config schema violation: ...") exit 2.
 */
function unusable(path: string, error: unknown, bin: string): LatchError {
  const code = (error as NodeJS.ErrnoException).code
  if (code) {
    return new LatchError(ErrorKind.General, `Cannot write the settings file ${path}: ${code}`, {
      hint: `check the permissions of ${dirname(path)}, or set ${envNames(bin).configDir} to a directory you can write`,
    })
  }

  const detail = error instanceof SyntaxError ? 'not valid JSON' : String((error as Error).message ?? error).split('\n')[0]
  return new LatchError(ErrorKind.Usage, `The settings file ${path} cannot be used: ${detail}`, {
    hint: `fix it, or delete it to go back to the defaults (\`${bin} config list\` shows what is in effect)`,
  })
}
