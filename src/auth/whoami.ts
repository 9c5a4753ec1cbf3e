/**
 * `latch whoami`: which credential is active, where it came from, whose it is, and the linked project.
 */
import type {Context} from '../context.js'
import type {Project} from '../platform/client.js'
import {activeToken, canRefresh} from './active-token.js'
import {identify} from './identity.js'
import {printedExpiry} from './instant.js'
import {platformScopes} from './scopes.js'

export interface WhoamiReport {
  authenticated: true
  issuer: string
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
  const credential = {origin: token.origin, scopes: token.value.scopes, secret: token.value.accessToken, source: token.source === 'env' ? ('env' as const) : ('file' as const)}
  const identity = await identify(context, credential)
  const {accessKey} = context.config
  const project = accessKey
    ? {
        ...(await context.platform.currentProject(
          credential,
          {origin: accessKey.origin, secret: accessKey.value, source: accessKey.source === 'env' ? 'env' : 'file'},
        )),
        source: accessKey.source as 'env' | 'file',
      }
    : null
  return {
    authenticated: true,
    issuer: context.config.issuer.value,
    project,
    token: {
      // The stored expiry first, as `latch token` reports it; the server's for a token from the environment.
      expires_at: printedExpiry(token.source === 'file' && token.value.expiresAt ? token.value.expiresAt : (identity.token?.expires_at ?? token.value.expiresAt)),
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
