/**
 * `latch whoami`: which credential is active, where it came from, whose it is, and the linked project.
 */
import {checkStoredIssuer} from '../config.js'
import type {Context} from '../context.js'
import type {Project} from '../platform/client.js'
import {activeToken, canRefresh} from './active-token.js'
import {identify} from './identity.js'
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
  // A stored project key goes only to the API it was linked on, even next to a token from the environment.
  if (context.config.accessKey?.source === 'file') checkStoredIssuer(context.config, context.bin)
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
  return {
    authenticated: true,
    issuer: context.config.issuer.value,
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
