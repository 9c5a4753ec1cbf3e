/**
 * The end of every successful login, device flow or PAT: one credentials document written atomically,
 * the two lines a person reads (the saving step's outcome and where the file is; neither with --json),
 * and the JSON a script reads.
 */
import type {Context} from '../context.js'
import {updateCredentials} from '../credentials/lock.js'
import type {StoredCredentials, StoredToken} from '../credentials/schema.js'
import {sameIssuer} from '../config.js'
import type {Steps} from '../ui/steps.js'
import {safeText} from '../ui/terminal-text.js'
import type {ExpiryWarning} from './expiry-warning.js'
import {printedExpiry} from './instant.js'
import {platformScopes} from './scopes.js'

export interface LoginResult {
  authenticated: true
  credentials_path: string
  issuer: string
  /** The profile the login was saved in. */
  profile: string
  /** Device login only: scopes that were asked for but are not in the server's grant. */
  scopes_not_granted?: string[]
  token: {expires_at: null | string; scopes: string[]; type: 'oauth' | 'pat'}
  /** Null for a personal access token that may not read the account, or a server that names no user. */
  user: null | {id: string; name: string}
  /** `login --token` with a token that expires within 7 days (also said on stderr). */
  expiry_warning?: ExpiryWarning
}

/** A login that would have replaced another user's, declined at the prompt: nothing was saved. */
export interface LoginNotSaved {
  authenticated: false
  credentials_path: string
  /** Who is still signed in. */
  kept_user: {id: string; name: string}
  saved: false
}

export type LoginOutcome = LoginNotSaved | LoginResult

export async function saveLogin(context: Context, token: StoredToken, user: undefined | {id: string; name: string}, steps: Steps, json?: boolean): Promise<LoginOutcome> {
  const previous = context.credentials
  const issuer = context.config.issuer.value
  const apiUrl = context.config.apiUrl.value
  const replaced = previous?.token && previous.user && user && (previous.user.id !== user.id || !sameIssuer(previous.issuer, issuer)) ? previous.user : undefined
  if (replaced) {
    const stored = `${safeText(replaced.name)} (${safeText(replaced.id)})${sameIssuer(previous!.issuer, issuer) ? '' : ` on ${safeText(previous!.issuer)}`}`
    const incoming = `${safeText(user!.name)} (${safeText(user!.id)})`
    // Asked only on a terminal, default No; without one (a script) the login goes ahead and says so.
    if (context.stdin.isTTY && context.stderr.isTTY) {
      if (!(await context.confirm(`You are signed in as ${stored}. Replace that login with ${incoming}?`))) {
        context.note(`Nothing was saved: you are still signed in as ${stored}.`)
        return {authenticated: false, credentials_path: context.store.path, kept_user: replaced, saved: false}
      }
    } else {
      context.note(`Replacing the stored login of ${stored} with ${incoming}.`)
    }
  }

  const credentialsOn = (current: StoredCredentials | undefined): StoredCredentials => ({
    // A linked project belongs to the server it was linked on: keep it only there.
    access_key: current && sameIssuer(current.issuer, issuer) && sameApi(current, apiUrl) ? current.access_key : undefined,
    // The API the token (and a key linked later) may be sent to, so that later runs send them nowhere else.
    api_url: apiUrl,
    created_at: new Date().toISOString(),
    issuer,
    // The default organization (`latch orgs switch`) is the same person's on the same server only.
    org: current && sameIssuer(current.issuer, issuer) && user && current.user?.id === user.id ? current.org : undefined,
    token,
    user: user ? {id: user.id, name: user.name} : undefined,
    version: 1,
  })
  await steps.run(
    'Saving the credentials...',
    async () => {
      // Under the credentials lock, like a refresh or a link, and built on the file as it is now: a key
      // another process linked while this login waited for approval is kept.
      context.credentials = await updateCredentials(context.store, credentialsOn)
    },
    {done: () => (user ? `Authenticated successfully as ${safeText(user.name)} (${safeText(user.id)}).` : 'Authenticated successfully.')},
  )
  const {profile} = context.config
  if (!json) context.note(`Credentials saved to ${context.store.path}${profile.reason === 'default' ? '' : ` (profile ${safeText(profile.value)})`}`)
  return {
    authenticated: true,
    credentials_path: context.store.path,
    issuer,
    profile: profile.value,
    token: {expires_at: printedExpiry(token.expires_at), scopes: platformScopes(token.scopes), type: token.type},
    user: user ? {id: user.id, name: user.name} : null,
  }
}

/** Whether the stored record's API (saved, or its issuer's origin in older files) is `apiUrl`. */
function sameApi(previous: StoredCredentials, apiUrl: string): boolean {
  return sameIssuer(previous.api_url ?? new URL(previous.issuer).origin, apiUrl)
}
