/**
 * LATCH_API_KEY in a pipeline: the key is exchanged at the token endpoint (RFC 8693) for a short-lived
 * access token, and only that token is sent to the platform API. The exchanged token is cached in the
 * config directory, one file per key named by the key's SHA-256 (the key itself is never written), mode
 * 0600, until it is due for renewal (a minute before it expires, or half the lifetime of a shorter-lived
 * one: see refreshDue). Exchanges are serialized by a lock on that file, and a process that waited for
 * the lock uses the token the holder saved: 50 parallel `latch token` runs make one exchange.
 */
import {createHash} from 'node:crypto'
import {join} from 'node:path'

import {type Resolved, sameIssuer} from '../config.js'
import type {Context} from '../context.js'
import type {StoredCredentials} from '../credentials/schema.js'
import {CredentialStore, UnreadableCredentials} from '../credentials/store.js'
import {ErrorKind, LatchError} from '../errors.js'
import {refreshDue, type ResolvedToken} from './active-token.js'

export const API_KEY_PATTERN = /^sk_live_[0-9a-f]{64}$/

/** The directory (under the config directory) that holds the exchanged tokens. */
export const EXCHANGED_TOKENS_DIR = 'exchanged-tokens'

/** Where the token exchanged for `apiKey` is cached: named by the key's SHA-256, never by the key. */
export function exchangeCachePath(configDir: string, apiKey: string): string {
  return join(configDir, EXCHANGED_TOKENS_DIR, `${createHash('sha256').update(apiKey).digest('hex')}.json`)
}

/**
 * The access token for the API key in `apiKey`: the cached one while it is good, else a new exchange.
 * `rejected`: the platform refused this token (the key was revoked, the server restarted), so it is
 * not used again whatever its expiry says.
 */
export async function exchangedToken(context: Context, apiKey: Resolved<string>, options: {rejected?: string} = {}): Promise<ResolvedToken> {
  checkApiKeyFormat(apiKey)
  const store = new CredentialStore(exchangeCachePath(context.config.configDir.value, apiKey.value), context.note)
  const usable = (cached: StoredCredentials | undefined) =>
    cached?.token &&
    sameIssuer(cached.issuer, context.config.issuer.value) &&
    cached.token.access_token !== options.rejected &&
    !refreshDue(cached.token.expires_at, cached.token.issued_at)
      ? resolved(apiKey, cached)
      : undefined

  const cached = usable(await readCache(store))
  if (cached) return cached

  const {withCredentialsLock} = await import('../credentials/lock.js')
  let locked = false
  try {
    return await withCredentialsLock(
      store.path,
      async () => {
        locked = true
        // Decided again on what the file says now: another process may have exchanged while we waited.
        const again = usable(await readCache(store))
        if (again) return again
        const fresh = await exchange(context, apiKey)
        try {
          // overwrite, not write: a cache file latch cannot read is replaced (write would refuse it).
          await store.overwrite(fresh)
        } catch (error) {
          if (!(error instanceof LatchError)) throw error
          context.note(`Warning: could not cache the exchanged token (${error.message}); the next command exchanges the key again.`)
        }

        return resolved(apiKey, fresh)
      },
      context.note,
    )
  } catch (error) {
    // A config directory latch may not write to (a read-only HOME in a pipeline): work without the cache.
    if (locked || !(error instanceof LatchError && error.kind === ErrorKind.CredentialsFile)) throw error
    context.note(`Warning: ${error.message}; exchanging the API key without caching the token.`)
    return resolved(apiKey, await exchange(context, apiKey))
  }
}

/** A cache file latch cannot use (corrupt, from another version) is replaced, not reported: it holds nothing worth keeping. */
async function readCache(store: CredentialStore): Promise<StoredCredentials | undefined> {
  try {
    return await store.read()
  } catch (error) {
    if (error instanceof UnreadableCredentials) return undefined
    throw error
  }
}

async function exchange(context: Context, apiKey: Resolved<string>): Promise<StoredCredentials> {
  const {exchangeApiKey} = await import('../oauth/token-exchange.js')
  const outcome = await exchangeApiKey(await context.discover(), apiKey.value, context.timeout)
  if (!outcome.ok) {
    if (outcome.error === 'unsupported_grant_type') {
      throw new LatchError(ErrorKind.Network, `The server at ${context.config.issuer.value} does not exchange API keys for tokens (RFC 8693 token exchange)`, {
        hint: `unset ${apiKey.origin} and sign in with \`${context.bin} login\`, or set ${context.config.env.token}`,
      })
    }

    throw new LatchError(ErrorKind.TokenInvalid, `Token is invalid or expired (from ${apiKey.origin}): the server refused to exchange the API key`, {
      hint: `set ${apiKey.origin} to a current API key (it may have been revoked: \`${context.bin} keys list\` shows yours), or unset it`,
    })
  }

  const {tokens} = outcome
  return {
    api_url: context.config.apiUrl.value,
    created_at: tokens.issuedAt,
    issuer: context.config.issuer.value,
    token: {access_token: tokens.accessToken, expires_at: tokens.expiresAt, issued_at: tokens.issuedAt, scopes: tokens.scopes, type: 'oauth'},
    version: 1,
  }
}

function resolved(apiKey: Resolved<string>, cached: StoredCredentials): ResolvedToken {
  const token = cached.token!
  return {
    origin: apiKey.origin,
    source: apiKey.source,
    value: {accessToken: token.access_token, expiresAt: token.expires_at, issuedAt: token.issued_at, scopes: token.scopes, type: 'exchanged'},
  }
}

/** The message says what is wrong with the shape, never what the key is. */
export function checkApiKeyFormat(apiKey: Resolved<string>): void {
  if (API_KEY_PATTERN.test(apiKey.value)) return
  const body = apiKey.value.startsWith('sk_live_') ? apiKey.value.slice('sk_live_'.length) : undefined
  const problem =
    body === undefined
      ? apiKey.value.startsWith('sk_pat_')
        ? `it holds a personal access token, not an API key (set ${apiKey.origin.replace(/API_KEY$/, 'TOKEN')} for that)`
        : 'it does not start with sk_live_'
      : body.length !== 64
        ? `it has ${body.length} characters after sk_live_, not 64`
        : 'it has characters that are not lower-case hex digits'
  throw new LatchError(ErrorKind.Usage, `Invalid API key in ${apiKey.origin}: ${problem}`, {
    hint: 'copy the whole key (sk_live_ followed by 64 hex characters) as `latch keys create` printed it',
  })
}
