/**
 * How the emulator behaves where real authorization servers differ: refresh-token rotation, what a
 * reused refresh token does, whether revocation needs client authentication, which scopes the server
 * knows, bare error answers, slow_down, a plain OAuth 2.0 mode, and how long exchanged tokens live.
 * Set by flags at start-up (all but exchanged_token_ttl) and changed at run time through
 * `POST /_emulator/settings`; every part of the server reads the current value on each request.
 */
import {isPlatformScope, PROTOCOL_SCOPES} from '../platform/scopes.js'
import {HttpError} from './http.js'

export interface BehaviourSettings {
  /** The first N polls of every device code are answered `slow_down` (each adds 5 s to that code's interval). */
  slow_down_polls: number
  /** A refresh gives a new refresh token and retires the old one. */
  rotate_refresh_tokens: boolean
  /** Reusing a retired refresh token revokes the whole grant; otherwise only that token is refused. */
  reuse_revokes_grant: boolean
  /** The revocation endpoint answers every request 401 invalid_client (it wants a confidential client). */
  revocation_requires_client_auth: boolean
  /** The scopes the server knows; others are silently left out of what is granted. null: the whole catalogue. */
  known_scopes: string[] | null
  /** A refused refresh (any token endpoint error on a refresh_token grant) is a bare 400 with an empty body. */
  bare_refresh_errors: boolean
  /** A rejected token at userinfo or the platform API gets a bare 401: no WWW-Authenticate, no body. */
  bare_401: boolean
  /** Only RFC 8414 metadata: no OpenID discovery, no userinfo, no ID tokens, no platform API. */
  plain_oauth: boolean
  /** Seconds an access token made by the token exchange grant (RFC 8693, from an API key) stays valid. */
  exchanged_token_ttl: number
}

export const DEFAULT_BEHAVIOUR: Readonly<BehaviourSettings> = Object.freeze({
  bare_401: false,
  bare_refresh_errors: false,
  exchanged_token_ttl: 900,
  known_scopes: null,
  plain_oauth: false,
  reuse_revokes_grant: true,
  revocation_requires_client_auth: false,
  rotate_refresh_tokens: true,
  slow_down_polls: 0,
})

const BOOLEAN_FIELDS = [
  'bare_401',
  'bare_refresh_errors',
  'plain_oauth',
  'reuse_revokes_grant',
  'revocation_requires_client_auth',
  'rotate_refresh_tokens',
] as const

/** The current settings, shared by every part of one emulator. */
export class Behaviour {
  #current: BehaviourSettings

  constructor(initial: Partial<BehaviourSettings> = {}) {
    this.#current = {...DEFAULT_BEHAVIOUR, ...validateBehaviour(initial)}
  }

  get current(): Readonly<BehaviourSettings> {
    return this.#current
  }

  /** Applies a partial update after checking every field; nothing changes when any field is bad. */
  update(changes: Record<string, unknown>): BehaviourSettings {
    this.#current = {...this.#current, ...validateBehaviour(changes)}
    return {...this.#current}
  }

  /** `granted` without the scopes this server does not know. */
  knownOnly(scopes: string[]): string[] {
    const known = this.#current.known_scopes
    return known ? scopes.filter((scope) => known.includes(scope)) : scopes
  }
}

/** Checks a partial settings object (from JSON or from flags); throws a 400 naming the bad field. */
export function validateBehaviour(changes: Record<string, unknown>): Partial<BehaviourSettings> {
  const result: Partial<BehaviourSettings> = {}
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue
    if ((BOOLEAN_FIELDS as readonly string[]).includes(field)) {
      if (typeof value !== 'boolean') throw invalid(`"${field}" must be true or false`)
      result[field as (typeof BOOLEAN_FIELDS)[number]] = value
    } else if (field === 'slow_down_polls') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) {
        throw invalid('"slow_down_polls" must be a whole number from 0 to 100')
      }

      result.slow_down_polls = value
    } else if (field === 'exchanged_token_ttl') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 86_400) {
        throw invalid('"exchanged_token_ttl" must be a whole number of seconds from 1 to 86400')
      }

      result.exchanged_token_ttl = value
    } else if (field === 'known_scopes') {
      if (value === null) {
        result.known_scopes = null
        continue
      }

      if (!Array.isArray(value) || !value.every((scope) => typeof scope === 'string')) {
        throw invalid('"known_scopes" must be an array of scope names, or null for all of them')
      }

      const unknown = value.filter((scope) => !isPlatformScope(scope) && !(PROTOCOL_SCOPES as readonly string[]).includes(scope))
      if (unknown.length > 0) throw invalid(`"known_scopes" names scopes that are not in the catalogue: ${unknown.join(', ')}`)
      result.known_scopes = [...new Set(value as string[])]
    } else {
      throw invalid(`unknown setting "${field}" (known: ${Object.keys(DEFAULT_BEHAVIOUR).sort().join(', ')})`)
    }
  }

  return result
}

function invalid(description: string): HttpError {
  return new HttpError(400, 'invalid_request', description)
}
