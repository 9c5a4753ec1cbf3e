/**
 * What a person types for a managed credential, checked before any request: its name, its scopes, its
 * expiry (`30d`, `12h`, `2026-12-31`, `never`), and the name a rotation gives the replacement.
 */
import {ErrorKind, LatchError} from '../errors.js'
import {isPlatformScope, PLATFORM_SCOPES, PROTOCOL_SCOPES} from '../platform/scopes.js'

export const MAX_NAME_LENGTH = 64

/** A token made without --expires lives this long: finite, so a forgotten token dies on its own. */
export const DEFAULT_EXPIRY_DAYS = 30

/**
 * Names are 1–64 printable characters: no control, format (zero-width, bidirectional) or separator
 * characters other than the plain space, and not only spaces. Counted in characters, not bytes.
 */
export function checkName(name: string, flag = '--name'): string {
  const length = [...name].length
  if (length === 0 || !/\S/.test(name)) throw nameError(`${flag} is empty`)
  if (length > MAX_NAME_LENGTH) throw nameError(`${flag} is ${length} characters long; at most ${MAX_NAME_LENGTH} are allowed`)
  if (/[\p{C}\p{Zl}\p{Zp}]/u.test(name) || /[^\S ]/.test(name)) throw nameError(`${flag} contains a character that is not printable (a control, tab, line break or invisible formatting character)`)
  return name
}

function nameError(message: string): LatchError {
  return new LatchError(ErrorKind.Usage, message, {hint: `use 1 to ${MAX_NAME_LENGTH} printable characters, named for the consumer: e.g. github-actions-prod`})
}

/** `--scopes a,b c` as a list of platform scopes; unknown names and the protocol's scopes are refused. */
export function parseScopes(flag: string): string[] {
  const asked = [...new Set(flag.split(/[\s,]+/).filter(Boolean))]
  const catalogue = Object.keys(PLATFORM_SCOPES).join(', ')
  if (asked.length === 0) throw new LatchError(ErrorKind.Usage, '--scopes is empty', {hint: `name at least one of: ${catalogue}`})
  const protocol = asked.filter((scope) => (PROTOCOL_SCOPES as readonly string[]).includes(scope))
  if (protocol.length > 0) {
    throw new LatchError(ErrorKind.Usage, `${protocol.join(', ')} is a sign-in scope, not a platform scope`, {hint: `choose from: ${catalogue}`})
  }

  const unknown = asked.filter((scope) => !isPlatformScope(scope))
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 3).map((scope) => JSON.stringify(scope.length > 40 ? `${scope.slice(0, 40)}…` : scope))
    throw new LatchError(ErrorKind.Usage, `Unknown scope${unknown.length > 1 ? 's' : ''}: ${shown.join(', ')}${unknown.length > 3 ? ', …' : ''}`, {hint: `choose from: ${catalogue}`})
  }

  return asked
}

/** A rotation may keep or narrow the scopes, never widen them. */
export function checkNarrower(asked: string[], current: string[], noun: string): void {
  const wider = asked.filter((scope) => !current.includes(scope))
  if (wider.length === 0) return
  throw new LatchError(ErrorKind.Usage, `--scopes can only narrow a rotation: the old ${noun} does not have ${wider.join(', ')}`, {
    hint: `choose among its scopes (${current.join(', ') || 'none'}), or create a new ${noun} with the wider scopes`,
  })
}

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/**
 * `--expires`: `12h` or `30d` from now, a day (`2026-12-31`: valid to the end of that day, UTC), a
 * full ISO 8601 time, or `never`; undefined means DEFAULT_EXPIRY_DAYS. Returns the ISO instant, or
 * null for never. The time must be in the future.
 */
export function parseExpiry(flag: string | undefined, now = Date.now()): null | string {
  if (flag === undefined) return new Date(now + DEFAULT_EXPIRY_DAYS * DAY_MS).toISOString()
  const value = flag.trim().toLowerCase()
  if (value === 'never') return null
  const relative = /^(\d{1,5})([hd])$/.exec(value)
  let at: number
  if (relative) {
    const amount = Number(relative[1])
    if (amount === 0) throw expiryError(`--expires ${flag} is not in the future`)
    at = now + amount * (relative[2] === 'h' ? HOUR_MS : DAY_MS)
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = Date.parse(`${value}T00:00:00.000Z`)
    if (Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== value) throw expiryError(`--expires ${flag} is not a date`)
    at = day + DAY_MS - 1
  } else if (/^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:\d{2})$/.test(value)) {
    at = Date.parse(value.toUpperCase())
    if (Number.isNaN(at)) throw expiryError(`--expires ${flag} is not a date`)
  } else {
    throw expiryError(`--expires ${flag} is not a lifetime, a date or "never"`)
  }

  if (at <= now) throw expiryError(`--expires ${flag} is in the past`)
  return new Date(at).toISOString()
}

function expiryError(message: string): LatchError {
  return new LatchError(ErrorKind.Usage, message, {hint: 'use e.g. 12h, 30d, 2026-12-31 (valid to the end of that day, UTC) or never'})
}

/**
 * The name of a rotation's replacement: `NAME-2`, or for `NAME-2` `NAME-3`, skipping names already
 * taken. Only a small trailing number (2–999) counts as a rotation suffix: `api-2024` becomes
 * `api-2024-2`, not `api-2025`.
 */
export function nextName(name: string, taken: readonly string[] = []): string {
  const match = /^(.+)-([2-9]|[1-9]\d{1,2})$/.exec(name)
  const base = match ? match[1] : name
  let number = match ? Number(match[2]) + 1 : 2
  const used = new Set(taken)
  for (;;) {
    const suffix = `-${number}`
    const points = [...base]
    const candidate = `${points.slice(0, MAX_NAME_LENGTH - suffix.length).join('')}${suffix}`
    if (!used.has(candidate)) return candidate
    number++
  }
}

/** The lifetime of `old` (created to expiry) again from `now`; null when it never expired. */
export function sameLifetime(old: {created_at: string; expires_at: null | string}, now = Date.now()): null | string {
  if (old.expires_at === null) return null
  const lifetime = Date.parse(old.expires_at) - Date.parse(old.created_at)
  return new Date(now + Math.max(lifetime, HOUR_MS)).toISOString()
}
