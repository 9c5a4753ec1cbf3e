/**
 * RFC 8628 through openid-client: ask for a device code, then poll the token endpoint at the server's
 * interval (+5 s per slow_down, handled by openid-client) until approval, denial, expiry or cancel.
 */
import * as client from 'openid-client'

import {ErrorKind, LatchError} from '../errors.js'
import {oneLine} from '../network-errors.js'
import {serverError} from './errors.js'
import {endpointOf} from './server.js'

export interface DeviceCode {
  /** Kept for openid-client's poller. */
  response: client.DeviceAuthorizationResponse
  userCode: string
  verificationUri: string
  verificationUriComplete?: string
  expiresIn: number
  interval: number
  requestedScopes: string[]
}

export interface GrantedTokens {
  accessToken: string
  expiresAt?: string
  /** When the response arrived: with expiresAt, the token's lifetime. */
  issuedAt: string
  idTokenSubject?: string
  refreshToken?: string
  scopes: string[]
}

/** Bounds on what a server may ask of us: outside them the response is broken or hostile. */
const MAX_INTERVAL_SECONDS = 300
const MAX_EXPIRES_IN_SECONDS = 24 * 60 * 60

export async function requestDeviceCode(config: client.Configuration, scopes: string[], timeout: number): Promise<DeviceCode> {
  const url = endpointOf(config, 'device_authorization_endpoint')
  if (!config.serverMetadata().device_authorization_endpoint) {
    throw new LatchError(ErrorKind.Network, `The server at ${config.serverMetadata().issuer} does not support the device login (no device_authorization_endpoint)`, {
      hint: 'use `latch login --token` with a personal access token instead',
    })
  }

  let response: client.DeviceAuthorizationResponse
  try {
    response = await client.initiateDeviceAuthorization(config, {scope: scopes.join(' ')})
  } catch (error) {
    if (error instanceof client.ResponseBodyError && error.error === 'invalid_scope') {
      throw new LatchError(ErrorKind.Usage, `The server refused the requested scopes: ${oneLine(error.error_description ?? scopes.join(', '))}`, {
        hint: 'ask for fewer scopes with --scopes',
      })
    }

    throw serverError(error, url, 'request a device code', timeout)
  }

  return validateDeviceCode(response, url, scopes)
}

function validateDeviceCode(response: client.DeviceAuthorizationResponse, url: string, requestedScopes: string[]): DeviceCode {
  const invalid = (what: string) =>
    new LatchError(ErrorKind.Network, `The server at ${url} sent an invalid device code response: ${what}`, {
      hint: 'the server is misconfigured or not an OAuth server: check the issuer URL',
    })
  const interval = response.interval ?? 5
  if (!(interval > 0 && interval <= MAX_INTERVAL_SECONDS)) throw invalid(`interval ${oneLine(String(interval), 40)} s is out of range`)
  if (!(response.expires_in > 0 && response.expires_in <= MAX_EXPIRES_IN_SECONDS))
    throw invalid(`expires_in ${oneLine(String(response.expires_in), 40)} s is out of range`)
  if (!/^[\w-]{1,64}$/.test(response.user_code)) throw invalid('the user code is not printable')
  const verificationUri = safeWebUrl(response.verification_uri)
  if (!verificationUri) throw invalid('verification_uri is not an http(s) URL')
  return {
    expiresIn: response.expires_in,
    interval,
    requestedScopes,
    response,
    userCode: response.user_code,
    verificationUri,
    verificationUriComplete: safeWebUrl(response.verification_uri_complete),
  }
}

/** Only http(s) URLs are ever shown or opened: a server must not make us launch `file:` or a shell. */
function safeWebUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined
  } catch {
    return undefined
  }
}

/**
 * Polls until the person decides. `cancel` aborts (Ctrl-C); expiry comes from the server's expires_in.
 */
export async function waitForApproval(config: client.Configuration, code: DeviceCode, cancel: AbortSignal, timeout: number): Promise<GrantedTokens> {
  const url = endpointOf(config, 'token_endpoint')
  const expiry = AbortSignal.timeout(code.expiresIn * 1000)
  const signal = AbortSignal.any([cancel, expiry])
  let tokens: Awaited<ReturnType<typeof client.pollDeviceAuthorizationGrant>>
  try {
    tokens = await client.pollDeviceAuthorizationGrant(config, code.response, undefined, {signal})
  } catch (error) {
    if (cancel.aborted) throw cancelled(cancel)
    if (expiry.aborted || isOAuthError(error, 'expired_token')) throw loginExpired()
    if (isOAuthError(error, 'access_denied')) {
      throw new LatchError(ErrorKind.LoginDenied, 'Login denied: the request was declined in the browser', {
        hint: 'run `latch login` again if that was a mistake',
      })
    }

    throw serverError(error, url, 'complete the login', timeout)
  }

  if (!tokens.access_token) {
    throw new LatchError(ErrorKind.Network, `The server at ${url} sent a token response without an access token`, {
      hint: 'the server is misconfigured: check the issuer URL',
    })
  }

  // RFC 6749 §5.1: when the server omits `scope`, it granted what was asked.
  return {...toGrantedTokens(tokens, code.requestedScopes), idTokenSubject: tokens.claims()?.sub}
}

/**
 * A token endpoint response as latch keeps it, for the device grant and for refresh. Without `scope`
 * the server granted `scopesIfOmitted` (RFC 6749 §5.1); without a new refresh token the old one
 * stays valid (a server that does not rotate).
 */
export function toGrantedTokens(tokens: client.TokenEndpointResponse, scopesIfOmitted: string[], previousRefreshToken?: string): GrantedTokens {
  const now = Date.now()
  return {
    accessToken: tokens.access_token,
    expiresAt: tokens.expires_in === undefined ? undefined : new Date(now + tokens.expires_in * 1000).toISOString(),
    issuedAt: new Date(now).toISOString(),
    refreshToken: tokens.refresh_token ?? previousRefreshToken,
    scopes: tokens.scope ? tokens.scope.split(' ').filter(Boolean) : scopesIfOmitted,
  }
}

function isOAuthError(error: unknown, code: string): boolean {
  return error instanceof client.ResponseBodyError && error.error === code
}

function loginExpired(): LatchError {
  return new LatchError(ErrorKind.LoginExpired, 'Login expired: the code was not approved in time', {
    hint: 'run `latch login` again to get a new code',
  })
}

export function cancelled(signal: AbortSignal): LatchError {
  const terminated = signal.reason === 'SIGTERM'
  return new LatchError(terminated ? ErrorKind.Terminated : ErrorKind.Cancelled, terminated ? 'Login stopped (SIGTERM)' : 'Login cancelled', {
    hint: 'nothing was saved; your previous credentials are unchanged',
  })
}
