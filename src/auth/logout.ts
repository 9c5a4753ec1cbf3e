/**
 * `latch logout`: revoke on the server (RFC 7009), then forget locally. Local removal happens even when
 * revocation fails, and the result says which parts worked. It signs out of the selected profile
 * (config.profile), or with `all` of every profile, each revoked at the issuer it was signed in to.
 */
import type {Context} from '../context.js'
import type {StoredCredentials} from '../credentials/schema.js'
import {ErrorKind, LatchError} from '../errors.js'
import {validateServerUrl} from '../config.js'
import {safeText} from '../ui/terminal-text.js'
import {printedExpiry} from './instant.js'

type Revoked = 'failed' | 'not_applicable' | 'revoked'

export interface LogoutResult {
  credentials_path: string
  /** Where an unreadable credentials file was moved by `--force`. */
  moved_aside_to?: string
  /** The profile signed out of (without --all). */
  profile?: string
  /** With --all: each profile there was, and what happened to it. */
  profiles?: Array<{profile: string; revocation_error?: string; revoked: Revoked}>
  /** Whether the login (with --all: the whole file) was removed. */
  removed: boolean
  revoked: Revoked
  revocation_error?: string
  still_authenticated_by: string[]
}

export async function logout(context: Context, options: {all?: boolean; force: boolean}): Promise<LogoutResult> {
  if (options.all) return logoutAll(context, options)
  const stored = context.credentials
  const profile = context.config.profile.value
  const stillAuthenticatedBy = envCredentialsSet(context)
  const result: LogoutResult = {credentials_path: context.store.path, profile, removed: false, revoked: 'not_applicable', still_authenticated_by: stillAuthenticatedBy}
  if (context.unreadableCredentials) return moveUnreadableAside(context, result, options)

  if (!stored) {
    const others = Object.keys(context.credentialsFile?.profiles ?? {})
    const named = others.length > 0 ? ` for profile ${safeText(profile)}` : ofProfile(context)
    const hint = others.length > 0 ? ` (the profiles are: ${others.map((name) => safeText(name)).join(', ')}; name one with --profile, or use --all)` : ''
    context.note(`No stored credentials${named} at ${context.store.path}; nothing to remove${hint}.`)
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
    if (!(await context.confirm(`Log out${who} from ${safeText(stored.issuer)}${ofProfile(context, ' (profile NAME)')}?`))) {
      // Answering No is a choice, not a failure: exit 0. Ctrl-C at the prompt is still "Cancelled", 130.
      context.note('Nothing changed.')
      return result
    }
  }

  // The tokens are revoked where they were issued, whatever --issuer or LATCH_ISSUER names now.
  const issuer = context.config.stored?.issuer ?? stored.issuer
  if (stored.token?.type === 'oauth' && context.config.stored?.mismatch) context.note(`The stored credentials belong to ${safeText(issuer)}: revoking them there, not at ${safeText(context.config.issuer.value)}.`)
  Object.assign(result, await revokeLogin(context, stored, issuer, ''))

  // Under the credentials lock, so a refresh or a login running now cannot write the file back a moment later.
  const {withCredentialsLock} = await import('../credentials/lock.js')
  result.removed = await withCredentialsLock(context.store.path, () => context.store.remove())
  const left = result.removed ? await context.store.readFile() : undefined
  context.note(left ? `Removed the profile ${profile} from ${context.store.path} (still there: ${Object.keys(left.profiles).join(', ')}).` : `Removed ${context.store.path}.`)
  remindEnv(context, stillAuthenticatedBy)
  return result
}

/** `logout --all`: every profile, each revoked at its own issuer, then the file removed. */
async function logoutAll(context: Context, options: {force: boolean}): Promise<LogoutResult> {
  const stillAuthenticatedBy = envCredentialsSet(context)
  const result: LogoutResult = {credentials_path: context.store.path, profiles: [], removed: false, revoked: 'not_applicable', still_authenticated_by: stillAuthenticatedBy}
  if (context.unreadableCredentials) return moveUnreadableAside(context, result, options)

  const names = Object.keys(context.credentialsFile?.profiles ?? {})
  if (names.length === 0) {
    context.note(`No stored credentials at ${context.store.path}; nothing to remove.`)
    remindEnv(context, stillAuthenticatedBy)
    return result
  }

  if (!options.force) {
    if (!(context.stdin.isTTY && context.stderr.isTTY)) {
      throw new LatchError(ErrorKind.Usage, 'Refusing to log out without confirmation', {
        hint: `run \`${context.bin} logout --all --force\` in scripts and pipelines`,
      })
    }

    if (!(await context.confirm(`Log out of all ${names.length} profiles (${names.map((name) => safeText(name)).join(', ')})?`))) {
      context.note('Nothing changed.')
      return result
    }
  }

  const {withCredentialsLock} = await import('../credentials/lock.js')
  for (const name of names) {
    const stored = context.credentialsFile!.profiles[name]
    const outcome = await revokeLogin(context, stored, stored.issuer, `${name}: `)
    result.profiles!.push({profile: name, revoked: outcome.revoked, ...(outcome.revocation_error ? {revocation_error: outcome.revocation_error} : {})})
    if (outcome.revoked === 'failed') result.revoked = 'failed'
    else if (outcome.revoked === 'revoked' && result.revoked === 'not_applicable') result.revoked = 'revoked'
    // Each under the lock, so a refresh of that profile running now cannot write it back a moment later;
    // a profile that another process adds meanwhile is left alone.
    await withCredentialsLock(context.store.path, () => context.store.forProfile(name).remove())
  }

  result.removed = !(await context.store.readFile())
  context.note(result.removed ? `Removed ${context.store.path}.` : `Removed the profiles ${names.join(', ')} from ${context.store.path}.`)
  remindEnv(context, stillAuthenticatedBy)
  return result
}

/** Revokes one login's tokens at `issuer` and says so; `label` starts each message (the profile with --all). */
async function revokeLogin(context: Context, stored: StoredCredentials, issuer: string, label: string): Promise<{revocation_error?: string; revoked: Revoked}> {
  if (stored.token?.type === 'oauth') {
    const outcome = await revoke(context, issuer, stored.token.refresh_token, stored.token.access_token)
    context.note(outcome.ok ? `${label}Revoked the token on the server.` : `${label}Warning: could not revoke the token on the server (${safeText(outcome.reason)}); ${stillValid(outcome.failed, Boolean(stored.token.refresh_token), stored.token.expires_at)}.`)
    return outcome.ok ? {revoked: 'revoked'} : {revocation_error: outcome.reason, revoked: 'failed'}
  }

  if (stored.token?.type === 'pat') context.note(`${label}Personal access tokens are not revoked by logout: delete it in the console if it should stop working.`)
  return {revoked: 'not_applicable'}
}

/** ` for profile NAME` (or `template` with NAME replaced), unless the profile is the default one nobody chose. */
function ofProfile(context: Context, template = ' for profile NAME'): string {
  const {profile} = context.config
  return profile.reason === 'default' ? '' : template.replace('NAME', safeText(profile.value))
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

/** The credentials in the environment that keep authenticating after a logout (LATCH_TOKEN, LATCH_API_KEY, LATCH_ACCESS_KEY). */
function envCredentialsSet(context: Context): string[] {
  const {env} = context.config
  return [env.token, env.apiKey, env.accessKey].filter((name) => context.env[name]?.trim())
}

/** `--force` with a credentials file latch cannot read: moved aside (kept), nothing revoked; without --force, the file's error. */
async function moveUnreadableAside(context: Context, result: LogoutResult, options: {force: boolean}): Promise<LogoutResult> {
  if (!options.force) throw context.unreadableCredentials
  result.moved_aside_to = await context.store.moveAside()
  context.note(`Moved the unreadable credentials file aside to ${result.moved_aside_to}; nothing could be revoked on the server.`)
  remindEnv(context, result.still_authenticated_by)
  return result
}

function remindEnv(context: Context, names: string[]): void {
  for (const name of names) context.note(`Note: ${name} is still set and will keep authenticating you; unset it to sign out completely.`)
}
