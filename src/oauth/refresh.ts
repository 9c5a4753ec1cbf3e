/**
 * The refresh token grant (RFC 6749 §6) through openid-client. A refused grant (`invalid_grant`: revoked,
 * expired, or already rotated) is told apart from everything else, because only it means the stored
 * token is dead; a network or server failure leaves the stored token worth keeping.
 */
import * as client from 'openid-client'

import {type GrantedTokens, grantedTokens} from './device-flow.js'
import {serverError} from './errors.js'
import {endpointOf} from './server.js'

export type RefreshOutcome = {ok: true; tokens: GrantedTokens} | {ok: false; reason: 'invalid_grant'}

export async function refreshTokens(config: client.Configuration, refreshToken: string, previousScopes: string[], timeout: number): Promise<RefreshOutcome> {
  const url = endpointOf(config, 'token_endpoint')
  let tokens: Awaited<ReturnType<typeof client.refreshTokenGrant>>
  try {
    tokens = await client.refreshTokenGrant(config, refreshToken)
  } catch (error) {
    if (error instanceof client.ResponseBodyError && error.error === 'invalid_grant') return {ok: false, reason: 'invalid_grant'}
    throw serverError(error, url, 'refresh the token', timeout)
  }

  if (!tokens.access_token) {
    throw serverError(new Error('the response has no access token'), url, 'refresh the token', timeout)
  }

  return {ok: true, tokens: grantedTokens(tokens, {refreshToken, scopes: previousScopes})}
}
