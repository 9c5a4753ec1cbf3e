import {sameIssuer} from '../config.js'
import type {StoredCredentials} from '../credentials/schema.js'
import {ErrorKind, LatchError} from '../errors.js'
import {DEFAULT_LOGIN_SCOPES, PLATFORM_SCOPES, PROTOCOL_SCOPES} from '../platform/scopes.js'

/**
 * `--scopes a,b c` to the list to request. Unknown names are refused here, before any request, with
 * the catalogue in the hint; the protocol scopes (identity, refresh) are always added.
 */
export function scopesToRequest(
  flag: string | undefined,
  defaults: readonly string[] = DEFAULT_LOGIN_SCOPES,
  catalogue: Record<string, string> = PLATFORM_SCOPES,
): string[] {
  const asked = flag === undefined ? defaults : flag.split(/[\s,]+/).filter(Boolean)
  if (asked.length === 0) {
    throw new LatchError(ErrorKind.Usage, '--scopes is empty', {hint: `name at least one of: ${Object.keys(catalogue).join(', ')}`})
  }

  const unknown = asked.filter((scope) => !Object.hasOwn(catalogue, scope) && !(PROTOCOL_SCOPES as readonly string[]).includes(scope))
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 3).map((scope) => JSON.stringify(scope.length > 40 ? `${scope.slice(0, 40)}…` : scope))
    throw new LatchError(ErrorKind.Usage, `Unknown scope${unknown.length > 1 ? 's' : ''}: ${shown.join(', ')}${unknown.length > 3 ? ', …' : ''}`, {
      hint: `choose from: ${Object.keys(catalogue).join(', ')}`,
    })
  }

  return [...new Set([...PROTOCOL_SCOPES, ...asked])]
}

/**
 * The platform scopes of the current login that `requested` lacks. A new login asks for them too, so
 * that signing in again for one more scope does not silently drop the others (`--reset-scopes` opts
 * out). Only an OAuth login on the same issuer counts: a personal access token's scopes were chosen in
 * the console, and another server's scopes mean nothing here. Names no longer in the catalogue are
 * dropped rather than refused.
 */
export function scopesToKeep(
  credentials: StoredCredentials | undefined,
  issuer: string,
  requested: string[],
  catalogue: Record<string, string> = PLATFORM_SCOPES,
): string[] {
  if (!credentials || !sameIssuer(credentials.issuer, issuer) || credentials.token?.type !== 'oauth') return []
  return credentials.token.scopes.filter((scope) => Object.hasOwn(catalogue, scope) && !requested.includes(scope))
}

/** The scopes worth showing a person: the platform's, not the protocol's. */
export function platformScopes(scopes: string[]): string[] {
  return scopes.filter((scope) => !(PROTOCOL_SCOPES as readonly string[]).includes(scope))
}
