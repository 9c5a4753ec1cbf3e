/**
 * The shape of a platform API endpoint (method, path pattern, scope, handler) and the body checks the
 * endpoints share. Each domain (credentials, bots) lists its routes in its own module; platform-api.ts
 * authenticates, checks the scope and dispatches.
 */
import type {IncomingMessage} from 'node:http'

import {isPlatformScope} from '../platform/scopes.js'
import type {Caller} from './access.js'
import {HttpError} from './http.js'

export interface PlatformRequest {
  caller: Caller
  /** The path's named groups, percent-decoded. */
  params: Record<string, string>
  /** The JSON body of a POST ({} for other methods). */
  body: Record<string, unknown>
  req: IncomingMessage
}

export interface PlatformRoute {
  method: 'DELETE' | 'GET' | 'POST'
  /** Matched against the whole path; named groups become `params`. */
  pattern: RegExp
  scope: string
  handle(request: PlatformRequest): {body: unknown; status: number}
}

/** ISO 8601 UTC with milliseconds, or null. */
export function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null
}

/**
 * Characters a name must not hold: C0 and C1 controls, DEL, line and paragraph separators, and the
 * bidirectional overrides and isolates (which would reorder what a terminal table shows after them).
 */
const UNPRINTABLE = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u

/** A name or label: 1 to 64 printable characters (code points), not only spaces. */
export function requireName(body: Record<string, unknown>, field: string): string {
  const value = body[field]
  const length = typeof value === 'string' ? [...value].length : 0
  if (typeof value !== 'string' || length < 1 || length > 64 || UNPRINTABLE.test(value) || value.trim() === '') {
    throw new HttpError(400, 'invalid_request', `"${field}" must be 1 to 64 printable characters`)
  }

  return value
}

/** Requested scopes: an array of the catalogue's platform scopes (default `fallback`), at least one. */
export function requestedScopes(body: Record<string, unknown>, fallback: readonly string[]): string[] {
  const value = body.scopes
  if (value === undefined) return [...fallback]
  if (!Array.isArray(value) || !value.every((scope) => typeof scope === 'string')) {
    throw new HttpError(400, 'invalid_request', '"scopes" must be an array of scope names')
  }

  if (value.length === 0) throw new HttpError(400, 'invalid_request', '"scopes" must name at least one scope')
  const unknown = value.filter((scope) => !isPlatformScope(scope))
  if (unknown.length > 0) throw new HttpError(400, 'invalid_request', `"scopes" names scopes that are not in the catalogue: ${unknown.join(', ')}`)
  return [...new Set(value as string[])]
}
