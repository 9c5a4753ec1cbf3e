/**
 * What every `latch tokens …` / `latch keys …` command works with: the credential latch is using
 * (renewed or exchanged first, as for any command), the client for the kind, and how to recognize
 * the managed credential that is the one in use.
 */
import type {Context} from '../context.js'
import {activeToken, type ResolvedToken} from '../auth/active-token.js'
import type {Credential} from '../platform/client.js'
import {type ManagedCredential, ManagedCredentials, type ManagedKind, maskOf} from '../platform/managed-credentials.js'

export interface Session {
  api: ManagedCredentials
  /** The credential every request of the command is sent with. */
  credential: Credential
  /** Where the managed credential in use comes from (`LATCH_TOKEN`, the credentials file, `LATCH_API_KEY`), if one of this kind is. */
  inUse?: {mask: string; origin: string; source: 'env' | 'file'}
  token: ResolvedToken
}

export async function openSession(context: Context, kind: ManagedKind): Promise<Session> {
  const token = await activeToken(context)
  const credential: Credential = {
    origin: token.origin,
    scopes: token.value.scopes,
    secret: token.value.accessToken,
    source: token.source === 'env' ? 'env' : 'file',
  }
  return {api: new ManagedCredentials(context.platform, kind), credential, inUse: inUseOf(context, kind, token), token}
}

function inUseOf(context: Context, kind: ManagedKind, token: ResolvedToken): Session['inUse'] {
  if (kind.command === 'tokens') {
    if (!token.value.accessToken.startsWith(kind.prefix)) return undefined
    return {mask: maskOf(token.value.accessToken), origin: token.origin, source: token.source === 'env' ? 'env' : 'file'}
  }

  const {apiKey} = context.config
  return apiKey ? {mask: maskOf(apiKey.value), origin: apiKey.origin, source: 'env'} : undefined
}

/** Whether `record` is the credential latch is using. */
export function isInUse(session: Session, record: Pick<ManagedCredential, 'masked'>): boolean {
  return session.inUse?.mask === record.masked
}
