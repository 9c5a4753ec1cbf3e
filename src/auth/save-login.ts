/**
 * The end of every successful login, device flow or PAT: one credentials document written atomically,
 * the two lines a person reads, and the JSON a script reads.
 */
import type {Context} from '../context.js'
import {updateCredentials} from '../credentials/lock.js'
import type {StoredCredentials, StoredToken} from '../credentials/schema.js'
import {platformScopes} from './scopes.js'

export interface LoginResult {
  authenticated: true
  credentials_path: string
  issuer: string
  token: {expires_at: null | string; scopes: string[]; type: 'oauth' | 'pat'}
  /** Null for a personal access token that may not read the account. */
  user: null | {id: string; name: string}
}

export async function saveLogin(context: Context, token: StoredToken, user: undefined | {id: string; name: string}): Promise<LoginResult> {
  const issuer = context.config.issuer.value
  const credentialsOn = (previous: StoredCredentials | undefined): StoredCredentials => ({
    // A linked project belongs to the server it was linked on: keep it only there.
    access_key: previous?.issuer === issuer ? previous.access_key : undefined,
    created_at: new Date().toISOString(),
    issuer,
    token,
    user: user ? {id: user.id, name: user.name} : undefined,
    version: 1,
  })
  // Under the credentials lock, like a refresh or a link, and built on the file as it is now: a key
  // another process linked while this login waited for approval is kept.
  context.credentials = await updateCredentials(context.store, credentialsOn)
  context.note(user ? `Authenticated successfully as ${user.name} (${user.id}).` : 'Authenticated successfully.')
  context.note(`Credentials saved to ${context.store.path}`)
  return {
    authenticated: true,
    credentials_path: context.store.path,
    issuer,
    token: {expires_at: token.expires_at ?? null, scopes: platformScopes(token.scopes), type: token.type},
    user: user ? {id: user.id, name: user.name} : null,
  }
}
