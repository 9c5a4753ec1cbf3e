/**
 * The refresh token grant (RFC 6749 §6) through openid-client. A refused grant is told apart from
 * everything else, because only it means the stored token is dead: any 4xx answer from the token
 * endpoint, whether `invalid_grant` (revoked, expired, already rotated) or, as some servers do, a bare
 * 400 or 401 with an empty or non-JSON body. A network failure, a timeout or a 5xx leaves the stored
 * token worth keeping.
 */
import * as client from 'openid-client'

import {type GrantedTokens, grantedTokens} from './device-flow.js'
import {httpStatusOf, serverError} from './errors.js'
import {endpointOf} from './server.js'

export type RefreshOutcome = {ok: true; tokens: GrantedTokens} | {ok: false; reason: 'refused'; status: number}

export async function refreshTokens(config: client.Configuration, refreshToken: string, previousScopes: string[], timeout: number): Promise<RefreshOutcome> {
  const url = endpointOf(config, 'token_endpoint')
  let tokens: Awaited<ReturnType<typeof client.refreshTokenGrant>>
  try {
    tokens = await client.refreshTokenGrant(config, refreshToken)
  } catch (error) {
    const status = httpStatusOf(error)
    if (status !== undefined && status >= 400 && status < 500) return {ok: false, reason: 'refused', status}
    throw serverError(error, url, 'refresh the token', timeout)
  }

  if (!tokens.access_token) {
    throw serverError(new Error('the response has no access token'), url, 'refresh the token', timeout)
  }

  return {ok: true, tokens: grantedTokens(tokens, {refreshToken, scopes: previousScopes})}
}
