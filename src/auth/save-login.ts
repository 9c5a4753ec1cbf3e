/**
 * The end of every successful login, device flow or PAT: one credentials document written atomically,
 * the two lines a person reads, and the JSON a script reads.
 */
import type {Context} from '../context.js'
import type {StoredCredentials, StoredToken} from '../credentials/schema.js'
import {sameIssuer} from '../config.js'
import {safeText} from '../ui/terminal-text.js'
import {platformScopes} from './scopes.js'

export interface LoginResult {
  authenticated: true
  credentials_path: string
  issuer: string
  /** Device login only: scopes that were asked for but are not in the server's grant. */
  scopes_not_granted?: string[]
  token: {expires_at: null | string; scopes: string[]; type: 'oauth' | 'pat'}
  /** Null for a personal access token that may not read the account, or a server that names no user. */
  user: null | {id: string; name: string}
}

export async function saveLogin(context: Context, token: StoredToken, user: undefined | {id: string; name: string}): Promise<LoginResult> {
  const previous = context.credentials
  const issuer = context.config.issuer.value
  const apiUrl = context.config.apiUrl.value
  const credentials: StoredCredentials = {
    // A linked project belongs to the server it was linked on: keep it only there.
    access_key: previous && sameIssuer(previous.issuer, issuer) && sameApi(previous, apiUrl) ? previous.access_key : undefined,
    // The API the token (and a key linked later) may be sent to, so that later runs send them nowhere else.
    api_url: apiUrl,
    created_at: new Date().toISOString(),
    issuer,
    token,
    user: user ? {id: user.id, name: user.name} : undefined,
    version: 1,
  }
  await context.store.write(credentials)
  context.note(user ? `Authenticated successfully as ${safeText(user.name)} (${safeText(user.id)}).` : 'Authenticated successfully.')
  context.note(`Credentials saved to ${context.store.path}`)
  return {
    authenticated: true,
    credentials_path: context.store.path,
    issuer,
    token: {expires_at: token.expires_at ?? null, scopes: platformScopes(token.scopes), type: token.type},
    user: user ? {id: user.id, name: user.name} : null,
  }
}

/** Whether the stored record's API (saved, or its issuer's origin in older files) is `apiUrl`. */
function sameApi(previous: StoredCredentials, apiUrl: string): boolean {
  return sameIssuer(previous.api_url ?? new URL(previous.issuer).origin, apiUrl)
}
