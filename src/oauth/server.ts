/**
 * Finding the authorization server: OIDC discovery first, then RFC 8414 metadata, through openid-client.
 */
import * as client from 'openid-client'

import {isLoopbackHost} from '../config.js'
import {serverError} from './errors.js'
import {limitedFetch} from './limited-fetch.js'

export interface ServerOptions {
  clientId: string
  issuer: string
  /** Seconds before any single HTTP request gives up. */
  timeout: number
  /** Replaces openid-client's own User-Agent on every request of the Configuration. */
  userAgent?: string
}

export async function discoverServer(options: ServerOptions): Promise<client.Configuration> {
  const issuer = new URL(options.issuer)
  // Plain http is allowed to loopback only; config.ts has already refused it anywhere else.
  const execute = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname) ? [client.allowInsecureRequests] : []
  const attempt = (algorithm: 'oauth2' | 'oidc') =>
    client.discovery(issuer, options.clientId, {token_endpoint_auth_method: 'none'}, client.None(), {
      algorithm,
      execute,
      // Every request of this Configuration (device, token, userinfo, revocation) inherits the size limit.
      [client.customFetch]: options.userAgent
        ? (url: string, init: RequestInit) => limitedFetch(url, {...init, headers: {...(init.headers as Record<string, string>), 'user-agent': options.userAgent!}})
        : limitedFetch,
      timeout: options.timeout,
    })
  try {
    return await attempt('oidc')
  } catch (oidcError) {
    if (!isNotFound(oidcError)) throw serverError(oidcError, options.issuer, 'discover the server', options.timeout)
    try {
      return await attempt('oauth2')
    } catch (error) {
      throw serverError(error, options.issuer, 'discover the server', options.timeout)
    }
  }
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof client.ClientError &&
    error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' &&
    (error.cause as Response | undefined)?.status === 404
  )
}

export function endpointOf(config: client.Configuration, name: 'device_authorization_endpoint' | 'revocation_endpoint' | 'token_endpoint' | 'userinfo_endpoint'): string {
  return String(config.serverMetadata()[name] ?? config.serverMetadata().issuer)
}
