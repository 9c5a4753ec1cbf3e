/**
 * Reads config.json directly, as plain JSON: the hot paths (`latch token`, `latch whoami`) need the
 * settings but not conf, whose import (with its JSON-schema validator) takes longer than they do.
 * conf (src/settings/store.ts) owns writing and validation; this reader checks only the types, and
 * src/config.ts checks each value it uses (server URLs, the client id) as it does for env variables.
 */
import {ErrorKind, LatchError} from '../errors.js'
import {nodeFs} from '../node-fs.js'
import {SETTING_KEYS, type Settings} from './keys.js'

/** The settings in the file at `path`, or {} when there is none. Unknown keys are ignored. */
export function readSettingsFile(path: string, bin: string): Settings {
  let text: string
  try {
    text = nodeFs.readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return {}
    throw unusable(path, `cannot be read (${code ?? 'unknown error'})`, bin)
  }

  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw unusable(path, 'is not valid JSON', bin)
  }

  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw unusable(path, 'is not a JSON object', bin)
  const settings: Record<string, unknown> = {}
  for (const key of SETTING_KEYS) {
    const value = (parsed as Record<string, unknown>)[key]
    if (value === undefined) continue
    const ok = key === 'scopes' ? Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string') : typeof value === 'string'
    if (!ok) throw unusable(path, `has an invalid ${key}`, bin, key)
    settings[key] = value
  }

  return settings as Settings
}

function unusable(path: string, problem: string, bin: string, key?: string): LatchError {
  return new LatchError(ErrorKind.Usage, `The settings file ${path} ${problem}`, {
    hint: key ? `run \`${bin} config set ${key} VALUE\` or \`${bin} config unset ${key}\`` : `fix it, or delete it to go back to the defaults`,
  })
}
