/**
 * RFC 8628 through openid-client: ask for a device code, then poll the token endpoint at the server's
 * interval (+5 s per slow_down, handled by openid-client) until approval, denial, expiry or cancel.
 */
import * as client from 'openid-client'

import {ErrorKind, LatchError} from '../errors.js'
import {unsafeUrlMessage} from '../config.js'
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
/** RFC 8628 §3.2: without an interval (or with a nonsensical one, ≤ 0) a client polls every 5 s. */
export const DEFAULT_INTERVAL_SECONDS = 5
/** Access tokens said to live longer than this are taken to live this long (a year), so no date overflows. */
export const MAX_TOKEN_LIFETIME_SECONDS = 365 * 24 * 60 * 60

/**
 * The seconds between polls: never more often than once a second, whatever the server says.
 * Fractions are rounded up; a missing, zero, negative or non-numeric interval is the RFC default of 5 s.
 */
export function pollInterval(interval: unknown): number {
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0) return DEFAULT_INTERVAL_SECONDS
  return Math.max(1, Math.ceil(interval))
}

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
    const nonPositive = withNonPositiveInterval(error)
    if (nonPositive) return validateDeviceCode(nonPositive, url, scopes)
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
  const interval = pollInterval(response.interval)
  if (interval > MAX_INTERVAL_SECONDS) throw invalid(`interval ${oneLine(String(response.interval), 40)} s is out of range`)
  if (!(response.expires_in > 0 && response.expires_in <= MAX_EXPIRES_IN_SECONDS))
    throw invalid(`expires_in ${oneLine(String(response.expires_in), 40)} s is out of range`)
  if (!/^[\w-]{1,64}$/.test(response.user_code)) throw invalid('the user code is not printable')
  const verificationUri = safeWebUrl(response.verification_uri)
  if (!verificationUri) throw invalid('verification_uri is not an https URL (or http to this machine)')
  return {
    expiresIn: response.expires_in,
    interval,
    requestedScopes,
    // openid-client's poller waits `interval` seconds between polls: give it the bounded one.
    response: {...response, interval},
    userCode: response.user_code,
    verificationUri,
    verificationUriComplete: safeWebUrl(response.verification_uri_complete),
  }
}

/**
 * A verification URL obeys the issuer's rule (unsafeUrlMessage in config.ts): https, or http to this
 * machine only. Nothing else is shown or opened: a server must not make us launch `file:` or a shell,
 * or send the person to a page anyone on the path can alter.
 */
function safeWebUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  try {
    const url = new URL(value)
    return unsafeUrlMessage(url, 'the device code response') ? undefined : url.href
  } catch {
    return undefined
  }
}

/**
 * openid-client refuses a device code response whose interval is ≤ 0, and that check is its last one:
 * every other field has passed. Such a response is used with the default interval instead.
 */
function withNonPositiveInterval(error: unknown): client.DeviceAuthorizationResponse | undefined {
  if (!(error instanceof client.ClientError && error.code === 'OAUTH_INVALID_RESPONSE')) return undefined
  const body = ((error.cause as {cause?: {body?: unknown}} | undefined)?.cause?.body ?? undefined) as Record<string, unknown> | undefined
  if (!body || typeof body.interval !== 'number' || body.interval > 0 || !/"interval"/.test((error.cause as Error).message)) return undefined
  const {interval: _ignored, ...rest} = body
  return rest as unknown as client.DeviceAuthorizationResponse
}

/**
 * A token response as latch keeps it: the one conversion for the device flow and refresh. It never
 * throws (an absurd lifetime is capped, an unusable one dropped), so a rotated refresh token the
 * server has already issued is never lost to a parse or date error.
 */
export function grantedTokens(tokens: client.TokenEndpointResponse & {claims?: () => undefined | {sub?: string}}, previous: {refreshToken?: string; scopes: string[]}): GrantedTokens {
  let idTokenSubject: string | undefined
  try {
    idTokenSubject = tokens.claims?.()?.sub
  } catch {}

  const now = Date.now()
  return {
    accessToken: tokens.access_token,
    expiresAt: expiresAt(tokens.expires_in, now),
    idTokenSubject,
    issuedAt: new Date(now).toISOString(),
    // A server that does not rotate sends no new refresh token: the old one stays valid.
    refreshToken: tokens.refresh_token ?? previous.refreshToken,
    // RFC 6749 §5.1: when the server omits `scope`, it granted what was asked (or, on refresh, what was held).
    scopes: typeof tokens.scope === 'string' && tokens.scope ? tokens.scope.split(' ').filter(Boolean) : previous.scopes,
  }
}

/** `expires_in` seconds from now as an ISO date, capped at MAX_TOKEN_LIFETIME_SECONDS; undefined when unknown or unusable. */
export function expiresAt(expiresIn: unknown, now = Date.now()): string | undefined {
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0) return undefined
  return new Date(now + Math.min(expiresIn, MAX_TOKEN_LIFETIME_SECONDS) * 1000).toISOString()
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

  return grantedTokens(tokens, {scopes: code.requestedScopes})
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
