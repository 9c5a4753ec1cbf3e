/**
 * `latch token`: the active access token, renewed first when it is about to expire, for scripts:
 * `curl -H "Authorization: Bearer $(latch token)"`. Only the token goes to stdout; anything a person
 * should know goes to stderr.
 */
import type {ActiveTokenType} from '../config.js'
import type {Context} from '../context.js'
import {activeToken} from './active-token.js'
import {printedExpiry} from './instant.js'
import {platformScopes} from './scopes.js'

export interface TokenReport {
  /** When the token stops working; null when unknown (LATCH_TOKEN) or never. */
  expires_at: null | string
  /** The profile whose stored token this is (see resolveProfile); null for a token from the environment. */
  profile: null | string
  /** The platform scopes the token was granted; null when unknown (a token from LATCH_TOKEN). */
  scopes: null | string[]
  source: 'env' | 'file'
  token: string
  type: ActiveTokenType
}

export async function printToken(context: Context): Promise<TokenReport> {
  const token = await activeToken(context)
  if (token.value.type === 'exchanged') context.note(`Using a token exchanged for the API key in ${token.origin}.`)
  else if (token.source === 'env') context.note(`Using the token from ${token.origin}.`)
  return {
    expires_at: printedExpiry(token.value.expiresAt),
    profile: token.source === 'file' ? context.config.profile.value : null,
    scopes: token.value.scopes ? platformScopes(token.value.scopes) : null,
    source: token.source as 'env' | 'file',
    token: token.value.accessToken,
    type: token.value.type,
  }
}
