/**
 * OAuth 2.0 Token Exchange (RFC 8693) through openid-client: an API key (the subject token) for a
 * short-lived access token, at the token endpoint, as a public client. A refused key is told apart from
 * everything else: any 4xx answer (`invalid_grant` for an unknown or revoked key) means the key is no
 * good; a network failure, a timeout or a 5xx does not.
 */
import * as client from 'openid-client'

import {type GrantedTokens, grantedTokens} from './device-flow.js'
import {httpStatusOf, serverError} from './errors.js'
import {endpointOf} from './server.js'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'

export type ExchangeOutcome = {ok: true; tokens: GrantedTokens} | {error: string; ok: false; status: number}

export async function exchangeApiKey(config: client.Configuration, apiKey: string, timeout: number): Promise<ExchangeOutcome> {
  const url = endpointOf(config, 'token_endpoint')
  let tokens: Awaited<ReturnType<typeof client.genericGrantRequest>>
  try {
    tokens = await client.genericGrantRequest(config, TOKEN_EXCHANGE_GRANT, {subject_token: apiKey, subject_token_type: ACCESS_TOKEN_TYPE})
  } catch (error) {
    const status = httpStatusOf(error)
    if (status !== undefined && status >= 400 && status < 500) {
      return {error: error instanceof client.ResponseBodyError ? error.error : '', ok: false, status}
    }

    throw serverError(error, url, 'exchange the API key', timeout)
  }

  if (!tokens.access_token) throw serverError(new Error('the response has no access token'), url, 'exchange the API key', timeout)
  return {ok: true, tokens: grantedTokens(tokens, {scopes: []})}
}
