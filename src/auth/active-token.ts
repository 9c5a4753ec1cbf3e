/**
 * The access token a command should send, refreshed first when it is about to expire. Only an OAuth
 * token from the credentials file is refreshed; a token from LATCH_TOKEN or a personal access token
 * is used as it is. Refreshes are serialized across processes by the credentials lock, and a process
 * that waited for the lock uses the token the holder saved instead of refreshing a second time: with
 * rotating refresh tokens a second refresh would replay a spent token and kill the whole grant.
 *
 * This module is on the path of `latch token`: the lock and openid-client are imported only when a
 * refresh is actually due.
 */
import {type ActiveToken, checkStoredIssuer, fromStoredToken, profileOrigin, type Resolved, sameIssuer} from '../config.js'
import type {Context} from '../context.js'
import type {StoredCredentials} from '../credentials/schema.js'
import {ErrorKind, LatchError} from '../errors.js'

/**
 * Refresh when less than this is left, so the token cannot expire on its way to the server; for a
 * short-lived token, when less than half its lifetime is left (see refreshDue).
 */
export const REFRESH_MARGIN_SECONDS = 60

export type ResolvedToken = Resolved<ActiveToken>

export async function activeToken(context: Context): Promise<ResolvedToken> {
  const {apiKey} = context.config
  if (apiKey) {
    const {exchangedToken} = await import('./api-key-exchange.js')
    return exchangedToken(context, apiKey)
  }

  const token = requireToken(context)
  if (!canRefresh(context, token)) {
    if (token.source === 'file' && token.value.type === 'oauth' && expiresWithin(token.value.expiresAt, 0, context.now())) throw cannotRefresh(context, token)
    return token
  }

  if (!refreshDue(token.value.expiresAt, token.value.issuedAt, context.now())) return token
  const {withCredentialsLock} = await import('../credentials/lock.js')
  return withCredentialsLock(context.store.path, () => refreshLocked(context, token))
}

/**
 * Runs `request` with the active token; when the server rejects it (401) although it has not expired
 * (revoked early, server restarted) and latch can renew it, renews it once and retries once.
 */
export async function withActiveToken<T>(context: Context, request: (token: ResolvedToken) => Promise<T>): Promise<T> {
  const token = await activeToken(context)
  try {
    return await request(token)
  } catch (error) {
    const {apiKey} = context.config
    if (apiKey && token.value.type === 'exchanged' && error instanceof LatchError && error.kind === ErrorKind.TokenInvalid) {
      // A rejected exchanged token: the key is exchanged once more (a revoked key then fails there).
      const {exchangedToken} = await import('./api-key-exchange.js')
      return request(await exchangedToken(context, apiKey, {rejected: token.value.accessToken}))
    }

    if (!(error instanceof LatchError && error.kind === ErrorKind.TokenInvalid) || !canRefresh(context, token)) throw error
    const {withCredentialsLock} = await import('../credentials/lock.js')
    const renewed = await withCredentialsLock(context.store.path, () => refreshLocked(context, token, {rejected: true}))
    return request(renewed)
  }
}

/**
 * Whether a token is due for renewal: less than a minute left, or, for a token that lives two minutes
 * or less, less than half its lifetime (so a 30 s token is not renewed on every use). Without a known
 * issue time (files written by older versions) the minute applies.
 */
export function refreshDue(expiresAt: string | undefined, issuedAt: string | undefined, now = Date.now()): boolean {
  if (expiresAt === undefined) return false
  const lifetime = issuedAt === undefined ? Number.NaN : (Date.parse(expiresAt) - Date.parse(issuedAt)) / 1000
  const margin = lifetime > 0 ? Math.min(REFRESH_MARGIN_SECONDS, lifetime / 2) : REFRESH_MARGIN_SECONDS
  return expiresWithin(expiresAt, margin, now)
}

/** Whether latch can renew this token by itself: an OAuth token from the file, with a refresh token, for this issuer. */
export function canRefresh(context: Context, token: ResolvedToken): boolean {
  return (
    token.source === 'file' &&
    token.value.type === 'oauth' &&
    Boolean(token.value.refreshToken) &&
    // A refresh token is sent only to the server that issued it, never to one named by LATCH_ISSUER or --issuer.
    context.config.stored?.mismatch === false
  )
}

export function requireToken(context: Context): ResolvedToken {
  const {token} = context.config
  if (!token) throw notAuthenticated(context)
  // A stored token goes only to the issuer (and API) it came from: stop if a flag or env var names another.
  if (token.source === 'file') checkStoredIssuer(context.config, context.bin)
  return token
}

/**
 * Runs while holding the credentials lock: everything is decided again on what the file says now.
 * `rejected`: the server refused the access token `seen`, so it is renewed whatever its expiry says.
 */
async function refreshLocked(context: Context, seen: ResolvedToken, options: {rejected?: boolean} = {}): Promise<ResolvedToken> {
  const current = await context.store.read()
  if (!current?.token) throw notAuthenticated(context)
  const stored = current.token
  const renewedElsewhere = stored.access_token !== seen.value.accessToken
  const due = options.rejected ? !renewedElsewhere : refreshDue(stored.expires_at, stored.issued_at, context.now())
  if (stored.type !== 'oauth' || (renewedElsewhere && !expiresWithin(stored.expires_at, 0, context.now())) || !due) {
    return adopt(context, current, seen.origin)
  }

  if (!stored.refresh_token || !sameIssuer(current.issuer, context.config.issuer.value)) {
    if (expiresWithin(stored.expires_at, 0, context.now())) throw cannotRefresh(context, seen)
    return adopt(context, current, seen.origin)
  }

  const {refreshTokens} = await import('../oauth/refresh.js')
  let outcome: Awaited<ReturnType<typeof refreshTokens>>
  try {
    outcome = await refreshTokens(await context.discover(), stored.refresh_token, stored.scopes, context.timeout)
  } catch (error) {
    if (error instanceof LatchError && error.kind === ErrorKind.Network) {
      throw new LatchError(ErrorKind.Network, error.message, {
        cause: error,
        hint: 'check your network connection and try again; the stored credentials were not changed',
      })
    }

    throw error
  }

  if (!outcome.ok) return forgetDeadToken(context, seen, stored.refresh_token)

  const next: StoredCredentials = {
    ...current,
    token: {
      access_token: outcome.tokens.accessToken,
      expires_at: outcome.tokens.expiresAt,
      issued_at: outcome.tokens.issuedAt,
      refresh_token: outcome.tokens.refreshToken,
      scopes: outcome.tokens.scopes,
      type: 'oauth',
    },
  }
  await context.store.write(next)
  return adopt(context, next, seen.origin)
}

/**
 * The server refused the refresh token. If the file now holds a different one, another process rotated
 * it (our lock was taken over after a stall): use that. Otherwise the grant is gone: remove the dead
 * token, keep the rest (the linked project, the issuer), and ask for a new login.
 */
async function forgetDeadToken(context: Context, seen: ResolvedToken, spentRefreshToken: string): Promise<ResolvedToken> {
  const current = await context.store.read()
  const token = current?.token
  if (current && token && token.refresh_token !== spentRefreshToken && !expiresWithin(token.expires_at, 0, context.now())) return adopt(context, current, seen.origin)
  if (current) {
    const {token: _dead, ...kept} = current
    await context.store.write(kept)
    context.credentials = kept
  }

  context.config.token = undefined
  throw new LatchError(ErrorKind.TokenInvalid, `Token is invalid or expired (from ${seen.origin}): the server refused to renew it`, {
    hint: `run \`${loginCommand(context)}\` to sign in again${current?.access_key ? ' (your linked project is kept)' : ''}`,
  })
}

/** Later steps of the same command (e.g. `link` saving a key) must build on the credentials now on disk. */
function adopt(context: Context, credentials: StoredCredentials, origin: string): ResolvedToken {
  const resolved: ResolvedToken = {origin, source: 'file', value: fromStoredToken(credentials.token!)}
  context.credentials = credentials
  context.config.token = resolved
  return resolved
}

/** True when the token expires within `seconds` from now (or already has); a token without an expiry never does. */
export function expiresWithin(expiresAt: string | undefined, seconds: number, now = Date.now()): boolean {
  if (expiresAt === undefined) return false
  return Date.parse(expiresAt) - now <= seconds * 1000
}

function cannotRefresh(context: Context, token: ResolvedToken): LatchError {
  const otherIssuer = context.credentials && !sameIssuer(context.credentials.issuer, context.config.issuer.value)
  return new LatchError(ErrorKind.TokenInvalid, `Token is invalid or expired (from ${token.origin}): it expired${otherIssuer ? ` and was issued by ${context.credentials!.issuer}, not ${context.config.issuer.value}` : ' and cannot be renewed'}`, {
    hint: `run \`${loginCommand(context)}\` to sign in again`,
  })
}

function notAuthenticated(context: Context): LatchError {
  const {profile} = context.config
  return new LatchError(ErrorKind.NotAuthenticated, `You are not authenticated${profile.reason === 'default' ? '' : ` in profile ${profile.value} (from ${profileOrigin(profile, context.bin)})`}`, {
    hint: `run \`${loginCommand(context)}\`, or set ${context.config.env.token}`,
  })
}

/** The command that signs in to the profile in use: `--profile` is named only when this command was given it. */
export function loginCommand(context: Context): string {
  const {profile} = context.config
  return `${context.bin} login${profile.reason === 'flag' ? ` --profile ${profile.value}` : ''}`
}
