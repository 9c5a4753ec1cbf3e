/**
 * `latch whoami`: which credential is active, where it came from, whose it is, and the linked project.
 */
import type {Context} from '../context.js'
import {ErrorKind, LatchError} from '../errors.js'
import type {Project} from '../platform/client.js'
import {identify} from './identity.js'
import {platformScopes} from './scopes.js'

export interface WhoamiReport {
  authenticated: true
  issuer: string
  project: (Project & {source: 'env' | 'file'}) | null
  token: {expires_at: null | string; origin: string; scopes: string[]; shadows_stored: boolean; source: 'env' | 'file'; type: 'oauth' | 'pat'}
  user: {email?: string; id: string; name: string}
}

export async function whoami(context: Context): Promise<WhoamiReport> {
  const token = requireToken(context)
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
      scopes: platformScopes(identity.token?.scopes ?? token.value.scopes ?? []),
      shadows_stored: context.config.shadowed.token,
      source: token.source as 'env' | 'file',
      type: identity.token?.type ?? token.value.type,
    },
    user: {email: identity.email, id: identity.id, name: identity.name},
  }
}

export function requireToken(context: Context): NonNullable<Context['config']['token']> {
  const {token} = context.config
  if (!token) {
    throw new LatchError(ErrorKind.NotAuthenticated, 'You are not authenticated', {
      hint: `run \`${context.bin} login\`, or set ${context.config.env.token}`,
    })
  }

  return token
}
