/** `latch tokens list` / `latch keys list`: the caller's own, masked, the one latch is using marked. */
import type {Context} from '../context.js'
import type {ManagedCredential, ManagedKind} from '../platform/managed-credentials.js'
import {isInUse, openSession} from './session.js'

export type ListedCredential = ManagedCredential & {in_use: boolean}

export interface ListResult {
  records: ListedCredential[]
  /** Where the one in use comes from, for the table's footnote. */
  usedFrom?: string
}

export async function listCredentials(context: Context, kind: ManagedKind): Promise<ListResult> {
  const session = await openSession(context, kind)
  // In the current organization only, when one is chosen (--org, LATCH_ORG, the stored default).
  const org = context.config.org
  const all = await session.api.list(session.credential)
  const records = org ? all.filter((record) => record.org && (record.org.name === org.value || record.org.id === org.value)) : all
  return {
    records: records.map((record) => ({...record, in_use: isInUse(session, record)})),
    usedFrom: session.inUse?.origin,
  }
}
