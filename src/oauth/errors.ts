/**
 * Turns what openid-client and fetch throw into the error a person can act on: which server, what
 * happened, what to do. The OAuth error codes that mean something specific are mapped by the caller.
 */
import * as client from 'openid-client'

import {ErrorKind, LatchError} from '../errors.js'
import {describeNetworkFailure, describeRetryAfter, findTlsFailure, oneLine, tlsHint} from '../network-errors.js'
import {proxyNote} from '../transport.js'
import {MAX_RESPONSE_BYTES, ResponseTooLarge} from './limited-fetch.js'

/**
 * For a failed call to `url` while doing `action` ("discover the server", "request a device code").
 * OAuth protocol errors that callers care about (access_denied, expired_token, invalid_grant) must be
 * handled before this, which treats everything as a server or network problem.
 */
export function serverError(error: unknown, url: string, action: string, timeoutSeconds?: number): LatchError {
  if (error instanceof LatchError) return error
  if (causes(error).some((cause) => cause instanceof ResponseTooLarge)) {
    return new LatchError(ErrorKind.Network, `Could not ${action} at ${url}: the response is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB`, {
      cause: error,
      hint: 'the server did not answer as an OAuth server should: check the issuer URL',
    })
  }

  const tls = findTlsFailure(error)
  if (tls) return new LatchError(ErrorKind.Tls, `Could not ${action} at ${url}${proxyNote(url)}: ${tls.problem}`, {cause: error, hint: tlsHint(tls, url)})
  const network = describeNetworkFailure(error)
  if (network) {
    const detail = network === 'timed out' && timeoutSeconds ? `no answer within ${timeoutSeconds} s` : network
    return new LatchError(ErrorKind.Network, `Could not ${action} at ${url}${proxyNote(url)}: ${detail}`, {
      cause: error,
      hint: 'check the URL and your network connection, then try again',
    })
  }

  if (error instanceof client.ResponseBodyError) {
    const description = error.error_description ? `: ${oneLine(error.error_description)}` : ''
    return new LatchError(ErrorKind.Network, `Could not ${action} at ${url}: the server answered ${error.status} ${oneLine(error.error)}${description}`, {
      cause: error,
      hint: 'check that this is the right server and that your client id is registered there',
    })
  }

  if (error instanceof client.ClientError) {
    return new LatchError(ErrorKind.Network, `Could not ${action} at ${url}: ${describeClientError(error)}`, {
      cause: error,
      hint: 'the server did not answer as an OAuth server should: check the issuer URL',
    })
  }

  return new LatchError(ErrorKind.Network, `Could not ${action} at ${url}: ${oneLine(error instanceof Error ? error.message : String(error))}`, {
    cause: error,
    hint: 'check the URL and your network connection, then try again',
  })
}

function describeClientError(error: client.ClientError): string {
  const status = (error.cause as Response | undefined)?.status
  switch (error.code) {
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
      return status ? `unexpected HTTP status ${status}${retryAfter(error.cause as Response)}` : 'unexpected HTTP status'
    case 'OAUTH_RESPONSE_IS_NOT_JSON':
      return 'the response is not JSON'
    case 'OAUTH_PARSE_ERROR':
      return 'the response is not valid JSON'
    case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
      return 'the server says it is a different issuer'
    case 'OAUTH_INVALID_RESPONSE':
      // openid-client says only "invalid response encountered"; the check that failed is in the cause.
      return `invalid response (${oneLine(error.cause instanceof Error ? error.cause.message : error.message)})`
    case 'OAUTH_MISSING_SERVER_METADATA':
    case 'OAUTH_INVALID_SERVER_METADATA':
      return 'the server metadata lacks a required endpoint'
    default:
      return oneLine(error.message)
  }
}

/**
 * The HTTP status a server answered with, when the failure is an answer at all (not a network failure):
 * openid-client keeps the Response as the cause of its errors, or the status on ResponseBodyError.
 */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof client.ResponseBodyError || error instanceof client.WWWAuthenticateChallengeError) return error.status
  const cause = (error as {cause?: unknown} | undefined)?.cause
  return cause instanceof Response ? cause.status : undefined
}

function causes(error: unknown): unknown[] {
  const list: unknown[] = []
  for (let current = error; current && list.length < 10; current = (current as {cause?: unknown}).cause) list.push(current)
  return list
}

/** " (the server asks to retry after N s)" when a 429/503 carries Retry-After, so a person knows how long to wait. */
function retryAfter(response: Response | undefined): string {
  return describeRetryAfter(response?.headers?.get?.('retry-after'))
}
