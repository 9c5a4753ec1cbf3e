/**
 * The user's settings (not secrets): what `latch config` writes to config.json in the config directory
 * and src/config.ts reads as the "file" layer (flag > env > settings file > default). This module has
 * the keys, their schema (which conf enforces on every write) and the checks that turn a typed value
 * into a stored one with a one-line error. It imports nothing heavy: the hot paths load it.
 */
import {ErrorKind, LatchError} from '../errors.js'
import {PLATFORM_SCOPES} from '../platform/scopes.js'

export const SETTING_KEYS = ['issuer', 'client-id', 'api-url', 'scopes', 'browser'] as const

export type SettingKey = (typeof SETTING_KEYS)[number]

export interface Settings {
  'api-url'?: string
  browser?: string
  'client-id'?: string
  issuer?: string
  scopes?: string[]
}

/** What each key means, for `config --help` and docs/configuration.md. */
export const SETTING_DESCRIPTIONS: Record<SettingKey, string> = {
  'api-url': 'platform API base URL (default: the issuer origin)',
  browser: 'the program that opens URLs (default: the system browser)',
  'client-id': 'OAuth client id',
  issuer: 'authorization server URL',
  scopes: 'scopes `login` asks for without --scopes, comma-separated',
}

const PRINTABLE = '^[\\x21-\\x7E]+$'

/**
 * conf's schema (JSON Schema, one entry per key): conf validates the whole file against it on every read
 * and write. `catalogue`: the CLI's scopes (a host CLI's package.json oclif.latch.scopes, else latch's).
 */
export function settingsSchema(catalogue: Record<string, string> = PLATFORM_SCOPES) {
  return {
    'api-url': {pattern: '^https?://', type: 'string'},
    browser: {minLength: 1, type: 'string'},
    'client-id': {pattern: PRINTABLE, type: 'string'},
    issuer: {pattern: '^https?://', type: 'string'},
    scopes: {items: {enum: Object.keys(catalogue), type: 'string'}, minItems: 1, type: 'array', uniqueItems: true},
  } as const
}

export const SETTINGS_SCHEMA = settingsSchema()

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(key)
}

export function requireSettingKey(key: string, bin: string): SettingKey {
  if (isSettingKey(key)) return key
  throw new LatchError(ErrorKind.Usage, `Unknown setting ${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}`, {
    hint: `use one of: ${SETTING_KEYS.join(', ')} (see \`${bin} config list\`)`,
  })
}

/**
 * A value as typed on the command line, checked and turned into what is stored. URLs go through
 * `validate` (src/config.ts's server URL check, passed in to keep this module free of it).
 */
export function parseSetting(
  key: SettingKey,
  raw: string,
  validateUrl: (raw: string, origin: string) => string,
  scopeCatalogue: Record<string, string> = PLATFORM_SCOPES,
): Settings[SettingKey] {
  const value = raw.trim()
  switch (key) {
    case 'api-url':
    case 'issuer': {
      return validateUrl(value, key)
    }

    case 'browser': {
      if (!value) throw invalid(key, 'is empty', 'give the program that opens URLs, e.g. firefox')
      return value
    }

    case 'client-id': {
      if (!new RegExp(PRINTABLE).test(value)) throw invalid(key, 'must be printable ASCII without spaces', 'use the client id your administrator gave you')
      return value
    }

    case 'scopes': {
      const scopes = [...new Set(value.split(/[\s,]+/).filter(Boolean))]
      const catalogue = `choose from: ${Object.keys(scopeCatalogue).join(', ')}`
      if (scopes.length === 0) throw invalid(key, 'is empty', catalogue)
      const unknown = scopes.filter((scope) => !Object.hasOwn(scopeCatalogue, scope))
      if (unknown.length > 0) throw invalid(key, `names unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 3).map((s) => JSON.stringify(s.slice(0, 40))).join(', ')}`, catalogue)
      return scopes
    }
  }
}

/** How a stored value is shown: scopes comma-separated, everything else as it is. */
export function formatSetting(value: Settings[SettingKey]): string {
  return Array.isArray(value) ? value.join(',') : (value ?? '')
}

function invalid(key: SettingKey, problem: string, hint: string): LatchError {
  return new LatchError(ErrorKind.Usage, `Invalid value for ${key}: it ${problem}`, {hint})
}
