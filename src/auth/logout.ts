/**
 * `latch logout`: revoke on the server (RFC 7009), then forget locally. Local removal happens even when
 * revocation fails, and the result says which parts worked.
 */
import type {Context} from '../context.js'
import {ErrorKind, LatchError} from '../errors.js'
import {validateServerUrl} from '../config.js'
import {safeText} from '../ui/terminal-text.js'
import {printedExpiry} from './instant.js'

export interface LogoutResult {
  credentials_path: string
  /** Where an unreadable credentials file was moved by `--force`. */
  moved_aside_to?: string
  removed: boolean
  revoked: 'failed' | 'not_applicable' | 'revoked'
  revocation_error?: string
  still_authenticated_by: string[]
}

export async function logout(context: Context, options: {force: boolean}): Promise<LogoutResult> {
  const stored = context.credentials
  const stillAuthenticatedBy = [context.config.env.token, context.config.env.apiKey, context.config.env.accessKey].filter((name) => context.env[name]?.trim())
  const result: LogoutResult = {credentials_path: context.store.path, removed: false, revoked: 'not_applicable', still_authenticated_by: stillAuthenticatedBy}

  if (context.unreadableCredentials) {
    if (!options.force) throw context.unreadableCredentials
    result.moved_aside_to = await context.store.moveAside()
    context.note(`Moved the unreadable credentials file aside to ${result.moved_aside_to}; nothing could be revoked on the server.`)
    remindEnv(context, stillAuthenticatedBy)
    return result
  }

  if (!stored) {
    context.note(`No stored credentials at ${context.store.path}; nothing to remove.`)
    remindEnv(context, stillAuthenticatedBy)
    return result
  }

  if (!options.force) {
    if (!(context.stdin.isTTY && context.stderr.isTTY)) {
      throw new LatchError(ErrorKind.Usage, 'Refusing to log out without confirmation', {
        hint: `run \`${context.bin} logout --force\` in scripts and pipelines`,
      })
    }

    const who = stored.user ? ` ${safeText(stored.user.name)} (${safeText(stored.user.id)})` : ''
    if (!(await context.confirm(`Log out${who} from ${safeText(stored.issuer)}?`))) {
      // Answering No is a choice, not a failure: exit 0. Ctrl-C at the prompt is still "Cancelled", 130.
      context.note('Nothing changed.')
      return result
    }
  }

  if (stored.token?.type === 'oauth') {
    // The tokens are revoked where they were issued, whatever --issuer or LATCH_ISSUER names now.
    const issuer = context.config.stored?.issuer ?? stored.issuer
    if (context.config.stored?.mismatch) context.note(`The stored credentials belong to ${safeText(issuer)}: revoking them there, not at ${safeText(context.config.issuer.value)}.`)
    const outcome = await revoke(context, issuer, stored.token.refresh_token, stored.token.access_token)
    result.revoked = outcome.ok ? 'revoked' : 'failed'
    if (!outcome.ok) result.revocation_error = outcome.reason
    context.note(outcome.ok ? 'Revoked the token on the server.' : `Warning: could not revoke the token on the server (${safeText(outcome.reason)}); ${stillValid(outcome.failed, Boolean(stored.token.refresh_token), stored.token.expires_at)}.`)
  } else if (stored.token?.type === 'pat') {
    context.note('Personal access tokens are not revoked by logout: delete it in the console if it should stop working.')
  }

  // Under the credentials lock, so a refresh or a login running now cannot write the file back a moment later.
  const {withCredentialsLock} = await import('../credentials/lock.js')
  result.removed = await withCredentialsLock(context.store.path, () => context.store.remove())
  context.note(`Removed ${context.store.path}.`)
  remindEnv(context, stillAuthenticatedBy)
  return result
}

/**
 * What a failed revocation leaves usable, and until when, for the warning (docs/tokens.md): `grant` when
 * the refresh token could not be revoked, `access` when only the access token could not be.
 */
function stillValid(failed: 'access' | 'grant', hadRefreshToken: boolean, expiresAt: string | undefined): string {
  const access = `the access token stays valid until ${printedExpiry(expiresAt) ?? 'it expires'}`
  if (failed === 'grant') return `${access}, and the refresh token until its own expiry on the server (whoever holds it can get new access tokens until then)`
  return hadRefreshToken ? `the login was ended on the server, but ${access} on servers that do not end both together` : access
}

type Revocation = {ok: true} | {failed: 'access' | 'grant'; ok: false; reason: string}

async function revoke(context: Context, issuer: string, refreshToken: string | undefined, accessToken: string): Promise<Revocation> {
  const {revokeToken} = await import('../oauth/revocation.js')
  let server
  try {
    server = await context.discover(validateServerUrl(issuer, context.store.path))
  } catch (error) {
    return {failed: refreshToken ? 'grant' : 'access', ok: false, reason: error instanceof Error ? error.message : String(error)}
  }

  // Revoking the refresh token ends the whole grant; the access token is revoked too for servers that don't cascade.
  if (refreshToken) {
    const outcome = await revokeToken(server, refreshToken, 'refresh_token')
    if (!outcome.ok) return {...outcome, failed: 'grant'}
  }

  const outcome = await revokeToken(server, accessToken, 'access_token')
  return outcome.ok ? outcome : {...outcome, failed: 'access'}
}

function remindEnv(context: Context, names: string[]): void {
  for (const name of names) context.note(`Note: ${name} is still set and will keep authenticating you; unset it to sign out completely.`)
}
