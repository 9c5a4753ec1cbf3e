/**
 * `latch login --token`: a personal access token from a hidden prompt or stdin (never argv), checked
 * for shape, then with the server, then saved. A rejected token changes nothing on disk.
 */
import type {Context} from '../context.js'
import {ErrorKind, LatchError} from '../errors.js'
import {createSteps} from '../ui/steps.js'
import {warnIfShadowed} from './device-login.js'
import {expiryWarning} from './expiry-warning.js'
import {identify, type Identity} from './identity.js'
import {type LoginOutcome, saveLogin} from './save-login.js'

export interface TokenLoginOptions {
  /** --json: no steps on stderr. */
  json?: boolean
  /** Aborted on Ctrl-C or SIGTERM. */
  signal?: AbortSignal
}

export async function tokenLogin(context: Context, options: TokenLoginOptions = {}): Promise<LoginOutcome> {
  const steps = createSteps({env: context.env, json: options.json, signal: options.signal, stream: context.stderr})
  warnIfShadowed(context)
  await context.store.checkWritable()
  const secret = await context.readSecret('personal access token', `echo "$PAT" | ${context.bin} login --token`)
  checkPatFormat(secret, context.brand.tokenPrefixes.pat)
  // One request both proves the token genuine and names its owner.
  const user = await steps.run('Checking the token and reading your account...', () => identifyIfAllowed(context, secret))
  const outcome = await saveLogin(
    context,
    {access_token: secret, expires_at: user?.token?.expires_at ?? undefined, scopes: user?.token?.scopes ?? [], type: 'pat'},
    user,
    steps,
    options.json,
  )
  if (outcome.authenticated) {
    const warning = await expiryWarning(context, {origin: context.store.path, scopes: user?.token?.scopes, secret, source: 'file'}, user?.token?.expires_at, user?.token?.id)
    if (warning) return {...outcome, expiry_warning: warning}
  }

  return outcome
}

/**
 * A PAT made for one job (say, inference only) may not read the account: the server's 403
 * insufficient_scope still proves the token is genuine, so it is saved without a name.
 */
async function identifyIfAllowed(context: Context, secret: string): Promise<Identity | undefined> {
  try {
    return await identify(context, {origin: 'the pasted token', secret, source: 'input'})
  } catch (error) {
    if (!(error instanceof LatchError && error.kind === ErrorKind.InsufficientScope)) throw error
    context.note('Note: this token cannot read account information (account.read), so latch cannot show whose it is.')
    return undefined
  }
}

/** The message says what is wrong with the shape, never what the token is. `prefix`: the CLI's (package.json oclif.latch). */
export function checkPatFormat(secret: string, prefix = 'sk_pat_'): void {
  const body = secret.startsWith(prefix) ? secret.slice(prefix.length) : undefined
  if (body !== undefined && /^[0-9a-f]{64}$/.test(body)) return
  const problem =
    body === undefined
      ? `it does not start with ${prefix}`
      : body.length !== 64
        ? `it has ${body.length} characters after ${prefix}, not 64`
        : /[A-F]/.test(body) && /^[0-9a-fA-F]+$/.test(body)
          ? 'it has upper-case letters; tokens are lower-case hex'
          : 'it has characters that are not hex digits'
  throw new LatchError(ErrorKind.Usage, `Invalid personal access token: ${problem}`, {
    hint: `copy the whole token (${prefix} followed by 64 hex characters) from the console`,
  })
}
