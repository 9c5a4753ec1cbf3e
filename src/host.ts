/**
 * A host CLI's branding and defaults: the `oclif.latch` section of the package.json of the CLI that
 * runs latch's commands (latch's own when it runs by itself, the host's when latch is one of its
 * `oclif.plugins`). Read from oclif's root package.json, never from latch's: the host decides.
 *
 *   "oclif": {
 *     "bin": "acme",
 *     "plugins": ["latch"],
 *     "latch": {
 *       "product": "Acme",
 *       "issuer": "https://auth.acme.dev",
 *       "clientId": "acme-cli",
 *       "apiUrl": "https://api.acme.dev",
 *       "scopes": {"inference": "Run models", "account.read": "Read your account"},
 *       "defaultScopes": ["inference", "account.read"],
 *       "tokenPrefixes": {"pat": "sk_pat_", "projectKey": "sk_proj_"},
 *       "emulator": false
 *     }
 *   }
 *
 * Every field is optional; a missing one keeps latch's default. A field of the wrong shape is a usage
 * error naming the field, raised before the command does anything.
 */
import {ErrorKind, LatchError} from './errors.js'

export interface HostSettings {
  /** The API every platform request goes to (default: the issuer's origin). */
  apiUrl?: string
  clientId?: string
  /** The scopes `login` asks for without --scopes (default: latch's DEFAULT_LOGIN_SCOPES, or the whole catalogue when `scopes` is set). */
  defaultScopes?: string[]
  /** Whether `<bin> emulator` runs in this CLI: only when true (latch's own package.json sets it). */
  emulator?: boolean
  /** The issuer when neither a flag, an env var, the settings file nor stored credentials name one. */
  issuer?: string
  /** The product's name, shown on the login screen (`Sign in to Acme`). */
  product?: string
  /** The scope catalogue, name -> description: `login --scopes` accepts only these (and openid, offline_access). */
  scopes?: Record<string, string>
  /** The prefixes of a personal access token and of a project access key. */
  tokenPrefixes?: {pat?: string; projectKey?: string}
}

/** Where in package.json the settings are, for messages. */
const WHERE = 'package.json oclif.latch'

/** The `oclif.latch` section of `pjson` (oclif's root package.json), checked; {} when there is none. */
export function hostSettingsOf(pjson: {oclif?: object} | undefined): HostSettings {
  const raw = (pjson?.oclif as {latch?: unknown} | undefined)?.latch
  if (raw === undefined) return {}
  if (!isRecord(raw)) throw invalid('', 'an object')
  const settings: HostSettings = {}
  for (const key of ['apiUrl', 'clientId', 'issuer', 'product'] as const) {
    const value = raw[key]
    if (value === undefined) continue
    if (typeof value !== 'string' || value.trim() === '') throw invalid(`.${key}`, 'a non-empty string')
    settings[key] = value.trim()
  }

  if (raw.emulator !== undefined) {
    if (typeof raw.emulator !== 'boolean') throw invalid('.emulator', 'true or false')
    settings.emulator = raw.emulator
  }

  if (raw.scopes !== undefined) {
    const scopes = raw.scopes
    if (!isRecord(scopes) || Object.keys(scopes).length === 0 || !Object.entries(scopes).every(([name, text]) => SCOPE.test(name) && typeof text === 'string')) {
      throw invalid('.scopes', 'an object of scope names (letters, digits, . _ : -) to descriptions')
    }

    settings.scopes = scopes as Record<string, string>
  }

  if (raw.defaultScopes !== undefined) {
    const known = settings.scopes
    const list = raw.defaultScopes
    if (!Array.isArray(list) || list.length === 0 || !list.every((name) => typeof name === 'string' && (known ? Object.hasOwn(known, name) : SCOPE.test(name)))) {
      throw invalid('.defaultScopes', known ? 'a non-empty list of names from .scopes' : 'a non-empty list of scope names')
    }

    settings.defaultScopes = list as string[]
  }

  if (raw.tokenPrefixes !== undefined) {
    const prefixes = raw.tokenPrefixes
    if (!isRecord(prefixes)) throw invalid('.tokenPrefixes', 'an object with pat and projectKey')
    settings.tokenPrefixes = {}
    for (const key of ['pat', 'projectKey'] as const) {
      const value = prefixes[key]
      if (value === undefined) continue
      if (typeof value !== 'string' || !PREFIX.test(value)) throw invalid(`.tokenPrefixes.${key}`, 'letters, digits and _ (2 to 32), such as "sk_pat_"')
      settings.tokenPrefixes[key] = value
    }
  }

  return settings
}

/** Whether this CLI runs `emulator`: only when its package.json says `"emulator": true` (latch's own does). */
export function emulatorAllowed(settings: HostSettings): boolean {
  return settings.emulator === true
}

const SCOPE = /^[\w.:-]{1,64}$/
const PREFIX = /^\w{2,32}$/

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function invalid(field: string, expected: string): LatchError {
  return new LatchError(ErrorKind.Usage, `Invalid ${WHERE}${field}: it must be ${expected}`, {
    hint: `fix the CLI's package.json (see docs/plugin.md, "Branding and defaults"); this is for whoever builds the CLI`,
  })
}
