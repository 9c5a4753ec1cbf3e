/**
 * Where oidc-provider keeps its codes, tokens, grants, sessions and interactions: in memory, one store
 * per emulator. oidc-provider's own memory adapter is module-global (two providers in one process would
 * share it) and evicts past 1,000 entries; this one is neither.
 *
 * Entries outlive their expiry by a grace period: oidc-provider checks `exp` itself, and it can only
 * answer `expired_token` (rather than `invalid_grant`, "not found") for a device code it can still find.
 */
import type {Adapter, AdapterFactory, AdapterPayload} from 'oidc-provider'

const GRACE_MS = 60 * 60 * 1000

interface Entry {
  payload: AdapterPayload
  /** Epoch milliseconds after which the entry is forgotten; undefined: never. */
  forgetAt?: number
}

/** Models whose entries belong to a grant and go away when the grant is revoked. */
const GRANT_MEMBERS = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'])

export function createMemoryStorage(options: {forgetConsumedRefreshTokens?: () => boolean} = {}): AdapterFactory {
  const entries = new Map<string, Entry>()
  const byUserCode = new Map<string, string>()
  const bySessionUid = new Map<string, string>()
  const byGrant = new Map<string, Set<string>>()

  function live(key: string): AdapterPayload | undefined {
    const entry = entries.get(key)
    if (!entry) return undefined
    if (entry.forgetAt !== undefined && entry.forgetAt <= Date.now()) {
      entries.delete(key)
      return undefined
    }

    return entry.payload
  }

  return (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`

    return {
      async consume(id) {
        const payload = live(keyOf(id))
        if (payload) payload.consumed = Math.floor(Date.now() / 1000)
      },

      async destroy(id) {
        const key = keyOf(id)
        const payload = entries.get(key)?.payload
        entries.delete(key)
        if (payload?.grantId) byGrant.get(payload.grantId)?.delete(key)
      },

      async find(id) {
        const payload = live(keyOf(id))
        if (model === 'RefreshToken' && payload?.consumed && options.forgetConsumedRefreshTokens?.()) return undefined
        return payload
      },

      async findByUid(uid) {
        const id = bySessionUid.get(uid)
        return id === undefined ? undefined : live(keyOf(id))
      },

      async findByUserCode(userCode) {
        const id = byUserCode.get(userCode)
        return id === undefined ? undefined : live(keyOf(id))
      },

      async revokeByGrantId(grantId) {
        for (const key of byGrant.get(grantId) ?? []) entries.delete(key)
        byGrant.delete(grantId)
      },

      async upsert(id, payload, expiresIn) {
        const key = keyOf(id)
        const forgetAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 + GRACE_MS : undefined
        entries.set(key, {forgetAt, payload})
        if (model === 'Session' && payload.uid) bySessionUid.set(payload.uid, id)
        if (model === 'DeviceCode' && payload.userCode) byUserCode.set(payload.userCode, id)
        if (GRANT_MEMBERS.has(model) && payload.grantId) {
          const members = byGrant.get(payload.grantId) ?? new Set<string>()
          members.add(key)
          byGrant.set(payload.grantId, members)
        }
      },
    }
  }
}
