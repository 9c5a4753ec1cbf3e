/**
 * `latch tokens rotate ID` / `latch keys rotate ID`: replace a token or key without a moment in which
 * nothing works, in this order:
 *
 *   1. read    the old one (its name, scopes, lifetime);
 *   2. create  the replacement: same scopes unless --scopes narrows them, same lifetime, `NAME-2`;
 *   3. verify  the replacement against the platform (a key: exchanged first);
 *   4. save    it into credentials.json, under the lock, when the old one is the token stored there;
 *   5. revoke  the old one.
 *
 * The old one is never revoked before the replacement is verified (and saved, when it is the stored
 * login). A failure says exactly where things stand: before step 3 passes, the old one is still
 * valid and a replacement that failed verification is revoked again (a RotationError); after it, the
 * replacement is valid and its secret is printed whatever happens next, and the report carries the
 * error of step 4 or 5 (the command then exits with that error's code).
 */
import type {Context} from '../context.js'
import {ErrorKind, LatchError} from '../errors.js'
import type {Credential} from '../platform/client.js'
import type {CreatedCredential, ManagedCredential, ManagedKind} from '../platform/managed-credentials.js'
import {describeError, type DescribedError} from '../ui/error-report.js'
import {createSteps} from '../ui/steps.js'
import {safeText} from '../ui/terminal-text.js'
import {createdReport, type CreatedReport, shownOnce} from './create.js'
import {checkName, checkNarrower, nextName, parseScopes, sameLifetime} from './input.js'
import {isInUse, openSession, type Session} from './session.js'
import {replaceStoredToken} from './stored.js'

export type RotationStep = 'create' | 'read' | 'revoke' | 'save' | 'verify'

/** Where things stand when a rotation stops: the old one, the replacement, credentials.json. */
export interface RotationState {
  credentials_file: 'not_used' | 'unchanged' | 'updated'
  old: {id: string; name: null | string; revoked: boolean}
  replacement: null | {created: 'no' | 'unknown' | 'yes'; id: null | string; name: string; revoked_again: boolean; verified: boolean}
}

/** A rotation that stopped before the replacement was verified: the old one is still valid. */
export class RotationError extends LatchError {
  constructor(
    readonly step: RotationStep,
    readonly state: RotationState,
    kind: ErrorKind,
    message: string,
    options: {cause?: unknown; hint?: string},
  ) {
    super(kind, message, options)
  }

  toJSON(): ReturnType<LatchError['toJSON']> {
    const {error} = super.toJSON()
    return {error: {...error, state: this.state, step: this.step} as typeof error}
  }
}

export type RotationReport = CreatedReport & {
  credentials_file: RotationState['credentials_file']
  /** Step 4 or 5 failed after the replacement was verified: it is valid, the old one may be too. */
  error?: DescribedError & {state: RotationState; step: RotationStep}
  replaced: {id: string; name: string; revoked: boolean; revoked_at: null | string}
}

export interface RotateOptions {
  json?: boolean
  name?: string
  scopes?: string
  /**
   * Ctrl-C or SIGTERM: the rotation stops at the next safe point. Before the replacement is verified
   * that is the next step (a replacement already made is revoked again); once it is verified, the
   * rotation finishes, so that its secret is printed and the old one revoked.
   */
  signal?: AbortSignal
}

/** The error a stopped rotation ends with: exit 130 (Ctrl-C) or 143 (SIGTERM). */
export function rotationInterrupted(signal: AbortSignal): LatchError {
  const terminated = signal.reason === 'SIGTERM'
  return new LatchError(terminated ? ErrorKind.Terminated : ErrorKind.Cancelled, terminated ? 'Stopped by SIGTERM' : 'Cancelled', {
    hint: 'see above for where things stand',
  })
}

export async function rotateCredential(context: Context, kind: ManagedKind, id: string, options: RotateOptions): Promise<RotationReport> {
  const newName = options.name === undefined ? undefined : checkName(options.name)
  const asked = options.scopes === undefined ? undefined : parseScopes(options.scopes)
  const steps = createSteps({env: context.env, json: options.json, stream: context.stderr})
  const noun = kind.noun
  const session = await openSession(context, kind)
  const state: RotationState = {credentials_file: 'not_used', old: {id, name: null, revoked: false}, replacement: null}
  const stop = (step: RotationStep, cause: unknown, where: string, hint?: string): never => {
    if (!(cause instanceof LatchError)) throw cause
    throw new RotationError(step, structuredClone(state), cause.kind, `Rotation stopped (${step}): ${trimPeriod(cause.message)}. ${where}`, {cause, hint: hint ?? cause.hint})
  }

  // 1. read
  let old: ManagedCredential
  let all: ManagedCredential[]
  try {
    all = await steps.run(`Reading ${noun} ${safeText(id, 80)}...`, () => session.api.list(session.credential))
    const found = all.find((record) => record.id === id)
    if (!found) {
      throw new LatchError(ErrorKind.NotFound, `No ${noun} with id ${JSON.stringify(safeText(id, 80))} among yours (unknown, already revoked, or someone else's)`, {
        hint: `\`latch ${kind.command} list\` shows the ids of yours`,
      })
    }

    old = found
  } catch (error) {
    return stop('read', error, `Nothing changed: no new ${noun} was created and none was revoked.`)
  }

  state.old.name = old.name
  if (options.signal?.aborted) return stop('read', rotationInterrupted(options.signal), `Nothing changed: no new ${noun} was created and none was revoked.`)
  const scopes = asked ?? old.scopes
  if (asked) checkNarrower(asked, old.scopes, noun)
  const name = newName ?? nextName(old.name, all.map((record) => record.name))
  const stored = kind.command === 'tokens' && isInUse(session, old) && session.inUse?.source === 'file'
  if (stored) state.credentials_file = 'unchanged'
  const oldLabel = `${safeText(old.id)} (${safeText(old.name)})`

  // 2. create
  let created: CreatedCredential
  state.replacement = {created: 'unknown', id: null, name, revoked_again: false, verified: false}
  try {
    created = await steps.run(`Creating the replacement ${safeText(name)}...`, () =>
      session.api.create(session.credential, {
        name,
        scopes,
        ...(kind.expires ? {expires_at: sameLifetime(old)} : {}),
        ...(old.org ? {org: old.org.id} : {}),
      }),
    )
  } catch (error) {
    // A network failure may have struck after the server created it; any answer from the server means it did not.
    const unknown = error instanceof LatchError && error.kind === ErrorKind.Network
    state.replacement.created = unknown ? 'unknown' : 'no'
    return stop(
      'create',
      error,
      unknown
        ? `The old ${noun} ${oldLabel} is still valid (not revoked); the new one (${safeText(name)}) may or may not have been created: look for it in \`latch ${kind.command} list\` and revoke it if it is there.`
        : `Nothing changed: the old ${noun} ${oldLabel} is still valid, and no new one was created.`,
    )
  }

  Object.assign(state.replacement, {created: 'yes', id: created.id, name: created.name})
  const newLabel = `${safeText(created.id)} (${safeText(created.name)})`

  // 3. verify
  try {
    await steps.run(`Verifying the new ${noun}...`, async () => {
      if (options.signal?.aborted) throw rotationInterrupted(options.signal)
      await verify(context, kind, created.secret)
    })
    state.replacement.verified = true
  } catch (error) {
    const interrupted = error instanceof LatchError && (error.kind === ErrorKind.Cancelled || error.kind === ErrorKind.Terminated)
    // Never left half-made: the unverified replacement is revoked again, the old one is untouched.
    let cleanup: string
    try {
      await session.api.revoke(session.credential, created.id)
      state.replacement.revoked_again = true
      cleanup = 'and was revoked again'
    } catch (revokeError) {
      cleanup = `and could not be revoked again (${trimPeriod(revokeError instanceof Error ? revokeError.message : String(revokeError))}): revoke it with \`latch ${kind.command} revoke ${safeText(created.id)} --force\``
    }

    return stop(
      'verify',
      error,
      `The old ${noun} ${oldLabel} is still valid (not revoked); the new ${noun} ${newLabel} was created but ${interrupted ? 'the rotation was stopped before it was verified' : 'did not pass verification'}, ${cleanup}.`,
      interrupted
        ? `keep using the old ${noun}; run \`latch ${kind.command} rotate ${safeText(old.id)}\` again to rotate it`
        : `keep using the old ${noun}, and run \`latch ${kind.command} rotate ${safeText(old.id)}\` again once the platform accepts new ones`,
    )
  }

  const report: RotationReport = {
    ...createdReport(created, kind),
    credentials_file: state.credentials_file,
    replaced: {id: old.id, name: old.name, revoked: false, revoked_at: null},
  }
  if (!options.json) context.note(shownOnce(created, kind))
  const partial = (step: RotationStep, error: unknown, where: string, hint: string): RotationReport => {
    if (!(error instanceof LatchError)) throw error
    const described = describeError(error, context.bin)
    report.credentials_file = state.credentials_file
    report.error = {...described, hint, message: `Rotation stopped (${step}): ${trimPeriod(described.message)}. ${where}`, state: structuredClone(state), step}
    return report
  }

  // 4. save
  if (stored) {
    try {
      const saved = await steps.run('Saving the new token to the credentials file...', () =>
        replaceStoredToken(context, session.token.value.accessToken, {
          access_token: created.secret,
          ...(created.expires_at ? {expires_at: created.expires_at} : {}),
          scopes: created.scopes,
          type: 'pat',
        }),
      )
      state.credentials_file = saved ? 'updated' : 'unchanged'
      if (!saved && !options.json) context.note(`Note: ${context.store.path} no longer held the old token (another login replaced it): it was left as it is.`)
    } catch (error) {
      return partial(
        'save',
        error,
        `The new ${noun} ${newLabel} is valid and was printed on stdout; the old ${noun} ${oldLabel} is still valid (not revoked, because ${context.store.path} still holds it, unchanged).`,
        `save the new token (\`latch login --token\` reads it from stdin), then run \`latch ${kind.command} revoke ${safeText(old.id)} --force\``,
      )
    }
  }

  // 5. revoke
  try {
    const revoked = await steps.run(`Revoking the old ${noun} ${oldLabel}...`, () => session.api.revoke(session.credential, old.id))
    state.old.revoked = true
    report.replaced = {id: old.id, name: old.name, revoked: true, revoked_at: revoked.revoked_at}
  } catch (error) {
    const file = state.credentials_file === 'updated' ? `; ${context.store.path} now holds the new one` : ''
    return partial(
      'revoke',
      error,
      `The new ${noun} ${newLabel} is valid and was printed on stdout${file}; the old ${noun} ${oldLabel} is STILL VALID (not revoked).`,
      `revoke it: \`latch ${kind.command} revoke ${safeText(old.id)} --force\``,
    )
  }

  report.credentials_file = state.credentials_file
  if (!options.json) afterRotation(context, session, kind, old, state)
  await forgetOldExchange(context, session, kind, old)
  return report
}

/**
 * The replacement works: a token is sent to /v1/me; a key is exchanged first (keys never go to the
 * platform API) and the exchanged token is sent. A 403 insufficient_scope (a token narrowed to, say,
 * inference alone) still proves the platform accepted it; a 401 does not.
 */
async function verify(context: Context, kind: ManagedKind, secret: string): Promise<void> {
  let bearer = secret
  if (kind.command === 'keys') {
    const {exchangeApiKey} = await import('../oauth/token-exchange.js')
    const outcome = await exchangeApiKey(await context.discover(), secret, context.timeout)
    if (!outcome.ok) throw new LatchError(ErrorKind.TokenInvalid, `The token endpoint refused to exchange the new API key (${outcome.error || `HTTP ${outcome.status}`})`, {hint: 'try the rotation again'})
    bearer = outcome.tokens.accessToken
  }

  const credential: Credential = {origin: `the new ${kind.noun}`, secret: bearer, source: 'input'}
  try {
    const me = await context.platform.me(credential)
    if (!me) throw new LatchError(ErrorKind.Network, 'The platform API has no /v1/me to verify the new credential with', {hint: 'check that LATCH_API_URL points at the platform API'})
  } catch (error) {
    if (error instanceof LatchError && error.kind === ErrorKind.InsufficientScope) return
    throw error
  }
}

function afterRotation(context: Context, session: Session, kind: ManagedKind, old: ManagedCredential, state: RotationState): void {
  context.note(`Revoked the old ${kind.noun} ${safeText(old.id)} (${safeText(old.name)}).`)
  if (state.credentials_file === 'updated') context.note(`Saved the new token to ${context.store.path}.`)
  if (isInUse(session, old) && session.inUse?.source === 'env') {
    context.note(`${session.inUse.origin} still holds the old ${kind.noun}, which no longer works: set it to the new one.`)
  }
}

/** The token exchanged for a rotated-away key is dead: its cache file goes too. */
async function forgetOldExchange(context: Context, session: Session, kind: ManagedKind, old: ManagedCredential): Promise<void> {
  if (kind.command !== 'keys' || !isInUse(session, old) || !context.config.apiKey) return
  const {exchangeCachePath} = await import('../auth/api-key-exchange.js')
  const {rm} = await import('node:fs/promises')
  await rm(exchangeCachePath(context.config.configDir.value, context.config.apiKey.value), {force: true}).catch(() => {})
}

function trimPeriod(text: string): string {
  return text.replace(/\.$/, '')
}
