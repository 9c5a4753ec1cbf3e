/**
 * Finding the authorization server: OIDC discovery first, then RFC 8414 metadata
 * (/.well-known/oauth-authorization-server), through openid-client. A plain OAuth 2.0 server answers
 * the first with a 4xx or with something that is not metadata; only a network failure stops the search.
 */
import * as client from 'openid-client'

import {isLoopbackHost, unsafeUrlMessage} from '../config.js'
import {ErrorKind, LatchError} from '../errors.js'
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
  let config: client.Configuration
  try {
    config = await attempt('oidc')
  } catch (oidcError) {
    if (!isNotMetadata(oidcError)) throw serverError(oidcError, options.issuer, 'discover the server', options.timeout)
    try {
      config = await attempt('oauth2')
    } catch (error) {
      // No RFC 8414 document either: what was wrong with the OIDC one says more.
      throw serverError(isNotFound(error) ? oidcError : error, options.issuer, 'discover the server', options.timeout)
    }
  }

  checkEndpoints(config, options.issuer)
  return config
}

/** The endpoints latch sends tokens and codes to. */
const ENDPOINTS = ['device_authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'revocation_endpoint', 'introspection_endpoint'] as const

/**
 * Endpoints learned from discovery obey the issuer's rule (config.ts unsafeUrlMessage): a loopback
 * issuer must not send latch's tokens over plain http to another host.
 */
function checkEndpoints(config: client.Configuration, issuer: string): void {
  const metadata = config.serverMetadata()
  for (const name of ENDPOINTS) {
    const value = metadata[name]
    if (value === undefined) continue
    let url: URL | undefined
    try {
      url = new URL(String(value))
    } catch {}

    const problem = url ? unsafeUrlMessage(url, `${name} in the metadata of ${issuer}`) : `${name} in the metadata of ${issuer} is not an absolute URL`
    if (problem) {
      throw new LatchError(ErrorKind.Network, problem, {
        hint: 'the server is misconfigured or not the one you meant: check the issuer URL',
      })
    }
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof client.ClientError && error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && (error.cause as Response | undefined)?.status === 404
}

/** The OIDC document is missing or is not metadata (a 4xx, HTML, not JSON), as opposed to a network failure or a 5xx. */
function isNotMetadata(error: unknown): boolean {
  if (!(error instanceof client.ClientError)) return false
  const status = (error.cause as Response | undefined)?.status
  if (error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') return status !== undefined && status >= 400 && status < 500
  return error.code === 'OAUTH_RESPONSE_IS_NOT_JSON' || error.code === 'OAUTH_PARSE_ERROR'
}

export function endpointOf(config: client.Configuration, name: 'device_authorization_endpoint' | 'revocation_endpoint' | 'token_endpoint' | 'userinfo_endpoint'): string {
  return String(config.serverMetadata()[name] ?? config.serverMetadata().issuer)
}
