/**
 * `latch tokens revoke ID…` / `latch keys revoke ID…`: asks first on a terminal (default No), refuses
 * without one unless --force. Revoking the token latch is signed in with says so and removes it from
 * credentials.json, under the lock; one that an environment variable holds is named so it can be unset.
 */
import type {Context} from '../context.js'
import {ErrorKind, LatchError} from '../errors.js'
import type {ManagedKind, RevokedCredential} from '../platform/managed-credentials.js'
import {describeError, type DescribedError} from '../ui/error-report.js'
import {safeText} from '../ui/terminal-text.js'
import {forgetStoredToken} from './stored.js'
import {isInUse, openSession, type Session} from './session.js'

export interface RevokeResult {
  /** Why an id could not be revoked; the command then exits with the first one's code. */
  errors: Array<DescribedError & {id: string}>
  revoked: Array<RevokedCredential & {in_use: boolean}>
  /** Set when the revoked one was the token in credentials.json, which was then removed from it. */
  signed_out?: boolean
}

export async function revokeCredentials(context: Context, kind: ManagedKind, ids: string[], options: {force?: boolean; json?: boolean}): Promise<RevokeResult> {
  const wanted = [...new Set(ids.map((id) => id.trim()).filter(Boolean))]
  if (wanted.length === 0) throw new LatchError(ErrorKind.Usage, `Name at least one ${kind.noun} id`, {hint: `\`latch ${kind.command} list\` shows the ids`})
  const result: RevokeResult = {errors: [], revoked: []}
  if (!options.force) {
    if (!(context.stdin.isTTY && context.stderr.isTTY)) {
      throw new LatchError(ErrorKind.Usage, `Refusing to revoke without confirmation`, {
        hint: `run \`latch ${kind.command} revoke ${wanted.map((id) => safeText(id, 80)).join(' ')} --force\` in scripts and pipelines`,
      })
    }

    const what = wanted.length === 1 ? `${kind.noun} ${safeText(wanted[0], 80)}` : `${wanted.length} ${kind.noun}s (${wanted.map((id) => safeText(id, 80)).join(', ')})`
    if (!(await context.confirm(`Revoke ${what}? Whatever uses it stops working at once.`))) {
      context.note('Nothing changed.')
      return result
    }
  }

  const session = await openSession(context, kind)
  for (const id of await inUseLast(session, wanted)) {
    try {
      // eslint-disable-next-line no-await-in-loop
      const revoked = await session.api.revoke(session.credential, id)
      const inUse = isInUse(session, revoked)
      result.revoked.push({...revoked, in_use: inUse})
      if (!options.json) context.note(`Revoked ${kind.noun} ${safeText(revoked.id)} (${safeText(revoked.name)}).`)
      // eslint-disable-next-line no-await-in-loop
      if (inUse) await afterRevokingInUse(context, session, kind, result, options.json)
    } catch (error) {
      if (!(error instanceof LatchError)) throw error
      result.errors.push({...describeError(error, context.bin), id})
    }
  }

  return result
}

/**
 * The one latch is using goes last, so that the requests for the others are not made with a token that
 * was just revoked. Finding it needs the list (keys.read); without it the order stays as given.
 */
async function inUseLast(session: Session, ids: string[]): Promise<string[]> {
  if (ids.length < 2 || !session.inUse) return ids
  try {
    const own = (await session.api.list(session.credential)).find((record) => isInUse(session, record))
    return own && ids.includes(own.id) ? [...ids.filter((id) => id !== own.id), own.id] : ids
  } catch {
    return ids
  }
}

async function afterRevokingInUse(context: Context, session: Session, kind: ManagedKind, result: RevokeResult, json?: boolean): Promise<void> {
  const inUse = session.inUse!
  if (inUse.source === 'file') {
    const removed = await forgetStoredToken(context, session.token.value.accessToken)
    result.signed_out = removed
    if (!json && removed) context.note(`That was the token latch is signed in with: removed it from ${context.store.path}. Run \`latch login\` to sign in again.`)
    return
  }

  if (kind.command === 'keys') {
    const {exchangeCachePath} = await import('../auth/api-key-exchange.js')
    const {rm} = await import('node:fs/promises')
    await rm(exchangeCachePath(context.config.configDir.value, context.config.apiKey!.value), {force: true})
  }

  if (!json) context.note(`That was the ${kind.noun} in ${inUse.origin}, which no longer works: unset it or set it to a current one.`)
}
