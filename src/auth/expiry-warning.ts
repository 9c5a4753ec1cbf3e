/**
 * A personal access token does not renew itself: `whoami` and `login --token` warn when the one in use
 * expires within EXPIRY_WARNING_DAYS, with the date and the command that rotates it. The token's id
 * (for the exact `latch tokens rotate ID`) is the one /v1/me reported, else looked up in the token list
 * when the token may read it (keys.read); otherwise the warning points at `latch tokens list`, which marks it.
 */
import type {Context} from '../context.js'
import type {Credential} from '../platform/client.js'
import {printedInstant} from './instant.js'

export const EXPIRY_WARNING_DAYS = 7

export interface ExpiryWarning {
  expires_at: string
  message: string
  /** The command that rotates the token. */
  rotate: string
}

export async function expiryWarning(
  context: Context,
  credential: Credential,
  expiresAt: null | string | undefined,
  /** The token's id when the server already said it (/v1/me). */
  knownId?: string,
  now = Date.now(),
): Promise<ExpiryWarning | undefined> {
  if (!expiresAt || !credential.secret.startsWith('sk_pat_')) return undefined
  const left = Date.parse(expiresAt) - now
  if (!(left > 0 && left <= EXPIRY_WARNING_DAYS * 86_400_000)) return undefined
  const id = knownId ?? (await ownId(context, credential))
  const rotate = id ? `latch tokens rotate ${id}` : 'latch tokens rotate ID'
  const days = Math.floor(left / 86_400_000)
  const when = days >= 1 ? `in ${days} day${days === 1 ? '' : 's'}` : `in ${Math.max(1, Math.floor(left / 3_600_000))} hour${left < 7_200_000 ? '' : 's'}`
  const message = `Warning: this personal access token expires on ${printedInstant(expiresAt)} (${when}): rotate it with \`${rotate}\`${id ? '' : ' (`latch tokens list` marks it)'}.`
  context.note(message)
  return {expires_at: printedInstant(expiresAt), message, rotate}
}

async function ownId(context: Context, credential: Credential): Promise<string | undefined> {
  const {ManagedCredentials, maskOf, PERSONAL_ACCESS_TOKENS} = await import('../platform/managed-credentials.js')
  try {
    const mask = maskOf(credential.secret)
    const mine = (await new ManagedCredentials(context.platform, PERSONAL_ACCESS_TOKENS).list(credential)).filter((record) => record.masked === mask)
    return mine.length === 1 && /^[\w.-]+$/.test(mine[0].id) ? mine[0].id : undefined
  } catch {
    return undefined
  }
}
