import {ErrorKind, LatchError} from '../errors.js'
import {DEFAULT_LOGIN_SCOPES, isPlatformScope, PLATFORM_SCOPES, PROTOCOL_SCOPES} from '../platform/scopes.js'

/**
 * `--scopes a,b c` to the list to request. Unknown names are refused here, before any request, with
 * the catalogue in the hint; the protocol scopes (identity, refresh) are always added.
 */
export function scopesToRequest(flag: string | undefined): string[] {
  const asked = flag === undefined ? DEFAULT_LOGIN_SCOPES : flag.split(/[\s,]+/).filter(Boolean)
  if (asked.length === 0) {
    throw new LatchError(ErrorKind.Usage, '--scopes is empty', {hint: `name at least one of: ${Object.keys(PLATFORM_SCOPES).join(', ')}`})
  }

  const unknown = asked.filter((scope) => !isPlatformScope(scope) && !(PROTOCOL_SCOPES as readonly string[]).includes(scope))
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 3).map((scope) => JSON.stringify(scope.length > 40 ? `${scope.slice(0, 40)}…` : scope))
    throw new LatchError(ErrorKind.Usage, `Unknown scope${unknown.length > 1 ? 's' : ''}: ${shown.join(', ')}${unknown.length > 3 ? ', …' : ''}`, {
      hint: `choose from: ${Object.keys(PLATFORM_SCOPES).join(', ')}`,
    })
  }

  return [...new Set([...PROTOCOL_SCOPES, ...asked])]
}

/** The scopes worth showing a person: the platform's, not the protocol's. */
export function platformScopes(scopes: string[]): string[] {
  return scopes.filter((scope) => !(PROTOCOL_SCOPES as readonly string[]).includes(scope))
}
