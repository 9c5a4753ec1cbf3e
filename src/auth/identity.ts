/**
 * Who a token belongs to: the platform's /v1/me, or OIDC userinfo when the issuer has no platform API
 * or the token may not read the account. A plain OAuth 2.0 server has neither: an OAuth token from it
 * then belongs to someone unknown (undefined), which is not an error.
 */
import type {Context} from '../context.js'
import {ErrorKind, LatchError} from '../errors.js'
import {type Credential, invalidTokenHint, type Me, type OrgMembership, type Principal} from '../platform/client.js'

export interface Identity {
  email?: string
  id: string
  name: string
  /** From the platform API only: the organization the credential acts in, and who acts (a user, or a bot). */
  org?: OrgMembership
  principal?: Principal
  /** From the platform API only: the scopes and expiry the server reports for this token. */
  token?: Me['token'] & {scopes: string[]}
}

export async function identify(context: Context, token: Credential, expectedSubject?: string): Promise<Identity | undefined> {
  let me: Me | undefined
  try {
    me = await context.platform.me(token)
  } catch (error) {
    // An OAuth token without account.read can still name its owner through userinfo; a PAT or bot key cannot.
    if (isPlatformKey(context, token.secret) || !(error instanceof LatchError && error.kind === ErrorKind.InsufficientScope)) throw error
  }

  if (me) return {email: me.email, id: me.id, name: me.name, org: me.org, principal: me.principal, token: {...me.token, scopes: me.scopes}}
  return userinfo(context, token, expectedSubject)
}

async function userinfo(context: Context, token: Credential, expectedSubject?: string): Promise<Identity | undefined> {
  const client = await import('openid-client')
  const {httpStatusOf, serverError} = await import('../oauth/errors.js')
  const config = await context.discover()
  const url = String(config.serverMetadata().userinfo_endpoint ?? config.serverMetadata().issuer)
  if (!config.serverMetadata().userinfo_endpoint) {
    if (!isPlatformKey(context, token.secret)) return undefined
    throw new LatchError(ErrorKind.Network, `The server at ${context.config.issuer.value} has neither a platform API nor a userinfo endpoint`, {
      hint: 'check the issuer URL and LATCH_API_URL',
    })
  }

  try {
    const info = await client.fetchUserInfo(config, token.secret, expectedSubject ?? client.skipSubjectCheck)
    const name = typeof info.name === 'string' ? info.name : typeof info.preferred_username === 'string' ? info.preferred_username : info.sub
    return {email: typeof info.email === 'string' ? info.email : undefined, id: info.sub, name}
  } catch (error) {
    // A 401 means the token is bad, with or without a WWW-Authenticate challenge or an error body.
    if (error instanceof client.WWWAuthenticateChallengeError || httpStatusOf(error) === 401) {
      throw new LatchError(ErrorKind.TokenInvalid, `Token is invalid or expired (from ${token.origin})`, {hint: invalidTokenHint(token)})
    }

    throw serverError(error, url, 'read the user info', context.timeout)
  }
}

/** A personal access token or a bot key: the platform's own credentials, which userinfo does not know. */
function isPlatformKey(context: Context, secret: string): boolean {
  return secret.startsWith(context.brand.tokenPrefixes.pat) || secret.startsWith('sk_bot_')
}
