/**
 * `latch logout`: revoke on the server (RFC 7009), then forget locally. Local removal happens even when
 * revocation fails, and the result says which parts worked.
 */
import type {Context} from '../context.js'
import {ErrorKind, LatchError} from '../errors.js'
import {confirm} from '../ui/confirm.js'

export interface LogoutResult {
  credentials_path: string
  removed: boolean
  revoked: 'failed' | 'not_applicable' | 'revoked'
  revocation_error?: string
  still_authenticated_by: string[]
}

export async function logout(context: Context, options: {force: boolean}): Promise<LogoutResult> {
  const stored = context.credentials
  const stillAuthenticatedBy = [context.config.env.token, context.config.env.accessKey].filter((name) => context.env[name]?.trim())
  const result: LogoutResult = {credentials_path: context.store.path, removed: false, revoked: 'not_applicable', still_authenticated_by: stillAuthenticatedBy}

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

    const who = stored.user ? ` ${stored.user.name} (${stored.user.id})` : ''
    if (!(await confirm(`Log out${who} from ${stored.issuer}?`, context))) {
      throw new LatchError(ErrorKind.Cancelled, 'Logout cancelled', {hint: 'nothing was changed'})
    }
  }

  if (stored.token?.type === 'oauth') {
    const outcome = await revoke(context, stored.token.refresh_token, stored.token.access_token)
    result.revoked = outcome.ok ? 'revoked' : 'failed'
    if (!outcome.ok) result.revocation_error = outcome.reason
    context.note(
      outcome.ok
        ? 'Revoked the token on the server.'
        : `Warning: could not revoke the token on the server (${outcome.reason}); it stays valid until it expires.`,
    )
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

async function revoke(context: Context, refreshToken: string | undefined, accessToken: string): Promise<{ok: true} | {ok: false; reason: string}> {
  const {revokeToken} = await import('../oauth/revocation.js')
  let server
  try {
    server = await context.discover()
  } catch (error) {
    return {ok: false, reason: error instanceof Error ? error.message : String(error)}
  }

  // Revoking the refresh token ends the whole grant; the access token is revoked too for servers that don't cascade.
  if (refreshToken) {
    const outcome = await revokeToken(server, refreshToken, 'refresh_token')
    if (!outcome.ok) return outcome
  }

  return revokeToken(server, accessToken, 'access_token')
}

function remindEnv(context: Context, names: string[]): void {
  for (const name of names) context.note(`Note: ${name} is still set and will keep authenticating you; unset it to sign out completely.`)
}
