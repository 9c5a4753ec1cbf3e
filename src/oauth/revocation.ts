/**
 * RFC 7009 revocation. The outcome is reported, never thrown: logout goes on locally either way. A
 * failure says what the server answered and what that means, because "could not revoke" alone leaves
 * a person unsure whether the token still works.
 */
import * as client from 'openid-client'

import {describeNetworkFailure, oneLine} from '../network-errors.js'
import {httpStatusOf} from './errors.js'

export type RevocationOutcome = {ok: true} | {ok: false; reason: string; status?: number}

export async function revokeToken(config: client.Configuration, token: string, hint: 'access_token' | 'refresh_token'): Promise<RevocationOutcome> {
  if (!config.serverMetadata().revocation_endpoint) return {ok: false, reason: 'the server has no revocation endpoint'}
  try {
    await client.tokenRevocation(config, token, {token_type_hint: hint})
    return {ok: true}
  } catch (error) {
    const network = describeNetworkFailure(error)
    if (network) return {ok: false, reason: network}
    const status = httpStatusOf(error)
    const code = error instanceof client.ResponseBodyError ? ` ${oneLine(error.error, 60)}` : ''
    if (status !== undefined) return {ok: false, reason: `the server answered ${status}${code}: ${meaningOf(status, code.trim())}`, status}
    return {ok: false, reason: oneLine(String((error as Error).message ?? error))}
  }
}

/** What a revocation endpoint's refusal means for a public client like latch. */
function meaningOf(status: number, code: string): string {
  if (status === 401 || code === 'invalid_client') return 'the server requires client authentication, which a public client cannot give'
  if (status === 403) return 'the server does not let this client revoke tokens'
  if (code === 'unsupported_token_type') return 'the server cannot revoke this kind of token'
  if (status === 429) return 'the server is rate limiting; try again later'
  if (status >= 500) return 'the server had a problem'
  return 'the server refused the request'
}
