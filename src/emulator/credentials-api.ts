/**
 * A person's own credentials through the platform API: personal access tokens (`/v1/tokens`) and API
 * keys (`/v1/api-keys`). Listing needs `keys.read`; creating and revoking need `keys.write`. A caller
 * never creates a credential with a scope its own token lacks (no escalation), and a credential bound to
 * one organization only sees and makes credentials of that organization. The secret is in the creation
 * response only; lists carry the masked form. Revocation is immediate.
 */
import {DEFAULT_LOGIN_SCOPES} from '../platform/scopes.js'
import {type Caller, forbidden, notFound, requireOrgAccess, requireUser} from './access.js'
import {HttpError} from './http.js'
import {findOrganizationById, membershipsOf, type Organization} from './organizations.js'
import {iso, type PlatformRequest, type PlatformRoute, requestedScopes, requireName} from './platform-routes.js'
import type {Credential, SecretStore} from './secrets.js'

/** What a list or a creation shows of a PAT or an API key: everything but the secret. */
export function describeCredential(credential: Credential): Record<string, unknown> {
  const org = findOrganizationById(credential.orgId)
  return {
    created_at: iso(credential.createdAt),
    expires_at: iso(credential.expiresAt),
    id: credential.id,
    last_used_at: iso(credential.lastUsedAt),
    masked: credential.masked,
    name: credential.name,
    org: {id: credential.orgId, name: org?.name ?? null},
    scopes: credential.scopes,
  }
}

interface Kind {
  kind: 'api_key' | 'pat'
  path: string
  /** The list's field, and what the response calls the secret. */
  listField: string
  secretField: string
  noun: string
  expires: boolean
}

const KINDS: Kind[] = [
  {expires: true, kind: 'pat', listField: 'tokens', noun: 'personal access tokens', path: '/v1/tokens', secretField: 'token'},
  {expires: false, kind: 'api_key', listField: 'api_keys', noun: 'API keys', path: '/v1/api-keys', secretField: 'key'},
]

export function credentialRoutes(secrets: SecretStore): PlatformRoute[] {
  return KINDS.flatMap((kind) => routesFor(kind, secrets))
}

function routesFor(kind: Kind, secrets: SecretStore): PlatformRoute[] {
  const collection = new RegExp(`^${kind.path}$`)
  const item = new RegExp(`^${kind.path}/(?<id>[^/]+)$`)

  return [
    {
      handle({caller}) {
        const account = requireUser(caller, kind.noun)
        const listed = secrets
          .listByOwner(kind.kind, account.id)
          .filter((credential) => credential.revokedAt === null)
          .filter((credential) => !caller.boundOrg || credential.orgId === caller.boundOrg.id)
          .map((credential) => describeCredential(credential))
        return {body: {[kind.listField]: listed}, status: 200}
      },
      method: 'GET',
      pattern: collection,
      scope: 'keys.read',
    },
    {
      handle({body, caller}) {
        const account = requireUser(caller, kind.noun)
        const name = requireName(body, 'name')
        const scopes = requestedScopes(body, DEFAULT_LOGIN_SCOPES)
        const expiresAt = kind.expires ? requestedExpiry(body) : refuseExpiry(body)
        const org = requestedOrg(caller, body)
        const missing = scopes.filter((scope) => !caller.scopes.includes(scope))
        if (missing.length > 0) {
          throw forbidden(`this credential cannot give scopes it does not have: ${missing.join(', ')}`, {missing_scopes: missing})
        }

        const {credential, secret} = secrets.create({expiresAt, kind: kind.kind, name, orgId: org.id, ownerId: account.id, scopes})
        return {body: {...describeCredential(credential), [kind.secretField]: secret}, status: 201}
      },
      method: 'POST',
      pattern: collection,
      scope: 'keys.write',
    },
    {
      handle({caller, params}: PlatformRequest) {
        const account = requireUser(caller, kind.noun)
        const credential = secrets.findById(kind.kind, params.id)
        // Someone else's is reported exactly like an unknown id: its existence is not the caller's business.
        if (!credential || credential.ownerId !== account.id || credential.revokedAt !== null) {
          throw notFound(`no ${kind.noun.replace(/s$/, '')} with id ${params.id}`)
        }

        if (caller.boundOrg && credential.orgId !== caller.boundOrg.id) {
          throw forbidden(`this credential acts in ${caller.boundOrg.name} only; ${params.id} belongs to another organization`)
        }

        secrets.markRevoked(credential)
        return {body: {...describeCredential(credential), revoked_at: iso(credential.revokedAt)}, status: 200}
      },
      method: 'DELETE',
      pattern: item,
      scope: 'keys.write',
    },
  ]
}

/** `org` (name or id) in the body, else the credential's own organization, else the user's first. */
function requestedOrg(caller: Caller, body: Record<string, unknown>): Organization {
  const ref = body.org
  if (ref !== undefined && ref !== null) {
    if (typeof ref !== 'string' || ref === '') throw new HttpError(400, 'invalid_request', '"org" must be an organization name or id')
    return requireOrgAccess(caller, ref).org
  }

  if (caller.boundOrg) return caller.boundOrg
  const first = caller.principal.kind === 'user' ? membershipsOf(caller.principal.account)[0] : undefined
  if (!first) throw new HttpError(400, 'invalid_request', 'you belong to no organization: name one with "org"')
  return first.org
}

/** `expires_at`: an ISO 8601 time in the future, or null (or left out) for never. */
function requestedExpiry(body: Record<string, unknown>): Date | null {
  const value = body.expires_at
  if (value === undefined || value === null) return null
  const at = typeof value === 'string' && ISO_8601.test(value) ? new Date(value) : undefined
  if (!at || Number.isNaN(at.getTime())) {
    throw new HttpError(400, 'invalid_request', '"expires_at" must be an ISO 8601 time (2026-12-31T00:00:00Z) or null for never')
  }

  if (at.getTime() <= Date.now()) throw new HttpError(400, 'invalid_request', '"expires_at" is in the past')
  return at
}

function refuseExpiry(body: Record<string, unknown>): null {
  if (body.expires_at !== undefined && body.expires_at !== null) {
    throw new HttpError(400, 'invalid_request', '"expires_at": API keys do not expire; revoke them instead')
  }

  return null
}

/** A date, or a date and time with a zone (Z or ±hh:mm). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/
