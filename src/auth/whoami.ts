/**
 * `latch whoami`: which credential is active, where it came from, whose it is, and the linked project.
 */
import type {Context} from '../context.js'
import type {Project} from '../platform/client.js'
import {activeToken, canRefresh} from './active-token.js'
import {identify} from './identity.js'
import {platformScopes} from './scopes.js'

export interface WhoamiReport {
  /** The platform API asked, and where its URL comes from. */
  api_url: {origin: string; source: string; value: string}
  authenticated: true
  issuer: string
  /** Where the issuer comes from: `--issuer`, an env variable's name, a file path (settings or credentials), `default`. */
  issuer_origin: {origin: string; source: string}
  project: (Project & {source: 'env' | 'file'}) | null
  token: {
    expires_at: null | string
    origin: string
    /** Whether latch renews the token by itself before it expires (an OAuth login with a refresh token). */
    refreshable: boolean
    scopes: string[]
    shadows_stored: boolean
    source: 'env' | 'file'
    type: 'oauth' | 'pat'
  }
  user: {email?: string; id: string; name: string}
}

export async function whoami(context: Context): Promise<WhoamiReport> {
  const token = await activeToken(context)
  const identity = await identify(context, {origin: token.origin, scopes: token.value.scopes, secret: token.value.accessToken})
  const {accessKey} = context.config
  const project = accessKey
    ? {
        ...(await context.platform.currentProject(
          {origin: token.origin, scopes: token.value.scopes, secret: token.value.accessToken},
          {origin: accessKey.origin, secret: accessKey.value},
        )),
        source: accessKey.source as 'env' | 'file',
      }
    : null
  const {apiUrl, issuer} = context.config
  return {
    api_url: {origin: apiUrl.origin, source: apiUrl.source, value: apiUrl.value},
    authenticated: true,
    issuer: issuer.value,
    issuer_origin: {origin: issuer.origin, source: issuer.source},
    project,
    token: {
      expires_at: identity.token?.expires_at ?? token.value.expiresAt ?? null,
      origin: token.origin,
      refreshable: canRefresh(context, token),
      scopes: platformScopes(identity.token?.scopes ?? token.value.scopes ?? []),
      shadows_stored: context.config.shadowed.token,
      source: token.source as 'env' | 'file',
      type: identity.token?.type ?? token.value.type,
    },
    user: {email: identity.email, id: identity.id, name: identity.name},
  }
}
