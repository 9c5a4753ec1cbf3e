/**
 * RFC 7009 revocation. The outcome is reported, never thrown: logout goes on locally either way.
 */
import * as client from 'openid-client'

import {describeNetworkFailure, oneLine} from '../network-errors.js'

export type RevocationOutcome = {ok: true} | {ok: false; reason: string}

export async function revokeToken(config: client.Configuration, token: string, hint: 'access_token' | 'refresh_token'): Promise<RevocationOutcome> {
  if (!config.serverMetadata().revocation_endpoint) return {ok: false, reason: 'the server has no revocation endpoint'}
  try {
    await client.tokenRevocation(config, token, {token_type_hint: hint})
    return {ok: true}
  } catch (error) {
    const reason =
      describeNetworkFailure(error) ??
      (error instanceof client.ResponseBodyError ? `the server answered ${error.status} ${oneLine(error.error)}` : oneLine(String((error as Error).message ?? error)))
    return {ok: false, reason}
  }
}
