/**
 * The credentials a person manages through the platform API (issue 15): personal access tokens at
 * /v1/tokens and API keys at /v1/api-keys. One client for both, told apart by a `ManagedKind`; every
 * record is checked field by field before use, and the server's refusals become the documented errors
 * (an unknown id, a scope the caller may not hand out).
 */
import {ErrorKind, LatchError} from '../errors.js'
import {type Credential, insufficientScope, type PlatformClient, type Refusal} from './client.js'

export interface ManagedKind {
  /** The command topic: `tokens`, `keys`. */
  command: 'keys' | 'tokens'
  /** Whether the kind has an expiry (API keys have none). */
  expires: boolean
  /** The field of a list answer holding the records. */
  listFields: string[]
  /** What a person calls one: `token`, `API key`. */
  noun: string
  path: string
  /** The secret's prefix, up to and including its last underscore. */
  prefix: string
  /** The field of a create answer holding the secret. */
  secretField: 'key' | 'token'
}

export const PERSONAL_ACCESS_TOKENS: ManagedKind = {
  command: 'tokens',
  expires: true,
  listFields: ['tokens'],
  noun: 'token',
  path: '/v1/tokens',
  prefix: 'sk_pat_',
  secretField: 'token',
}

export const API_KEYS: ManagedKind = {
  command: 'keys',
  expires: false,
  // The contract names the record (K) but not the list's field: both spellings are read.
  listFields: ['api_keys', 'keys'],
  noun: 'API key',
  path: '/v1/api-keys',
  prefix: 'sk_live_',
  secretField: 'key',
}

/** A token or key as the platform lists it: never its secret. */
export interface ManagedCredential {
  created_at: string
  expires_at: null | string
  id: string
  last_used_at: null | string
  masked: string
  name: string
  org?: {id: string; name: string}
  scopes: string[]
}

export interface CreatedCredential extends ManagedCredential {
  /** The secret, shown once. */
  secret: string
}

export interface RevokedCredential extends ManagedCredential {
  revoked_at: null | string
}

export interface CreateRequest {
  /** ISO 8601, or null for never; left out for an API key. */
  expires_at?: null | string
  name: string
  org?: string
  scopes?: string[]
}

export class ManagedCredentials {
  constructor(
    private readonly platform: PlatformClient,
    readonly kind: ManagedKind,
  ) {}

  async list(credential: Credential): Promise<ManagedCredential[]> {
    const body = await this.platform.call('GET', this.kind.path, credential, {refused: (refusal) => this.refused(refusal, credential)})
    const field = this.kind.listFields.find((name) => Array.isArray((body as Record<string, unknown> | null)?.[name]))
    if (!field) throw this.malformed(this.kind.path)
    return ((body as Record<string, unknown[]>)[field]).map((item) => this.record(item, this.kind.path))
  }

  async create(credential: Credential, request: CreateRequest): Promise<CreatedCredential> {
    const body = await this.platform.call('POST', this.kind.path, credential, {body: request, refused: (refusal) => this.refused(refusal, credential)})
    const record = this.record(body, this.kind.path)
    const secret = (body as Record<string, unknown>)[this.kind.secretField]
    if (typeof secret !== 'string' || !secret.startsWith(this.kind.prefix) || !/^[\x21-\x7E]+$/.test(secret)) throw this.malformed(this.kind.path)
    return {...record, secret}
  }

  async revoke(credential: Credential, id: string): Promise<RevokedCredential> {
    const path = `${this.kind.path}/${encodeURIComponent(id)}`
    const body = await this.platform.call('DELETE', path, credential, {refused: (refusal) => this.refused(refusal, credential, id)})
    const revokedAt = (body as Record<string, unknown> | null)?.revoked_at
    return {...this.record(body, path), revoked_at: typeof revokedAt === 'string' ? revokedAt : null}
  }

  /** The server's refusals that mean something specific here; the rest are reported as the client does. */
  private refused(refusal: Refusal, credential: Credential, id?: string): LatchError | undefined {
    const missing = refusal.fields.missing_scopes
    if (refusal.status === 403 && Array.isArray(missing) && missing.length > 0 && missing.every((scope) => typeof scope === 'string')) {
      // No escalation: a credential can only hand out scopes it has itself.
      const error = insufficientScope(missing as string[], credential)
      return new LatchError(ErrorKind.InsufficientScope, `Insufficient scope: a new ${this.kind.noun} may only have scopes that the token from ${credential.origin} has itself, and it lacks ${(missing as string[]).join(', ')}`, {hint: error.hint})
    }

    if (refusal.status === 404 && id !== undefined) {
      return new LatchError(ErrorKind.NotFound, `No ${this.kind.noun} with id ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)} among yours (unknown, already revoked, or someone else's)`, {
        hint: `\`latch ${this.kind.command} list\` shows the ids of yours`,
      })
    }

    return undefined
  }

  private record(value: unknown, path: string): ManagedCredential {
    const item = value as Partial<Record<keyof ManagedCredential, unknown>> | null
    if (typeof item !== 'object' || item === null) throw this.malformed(path)
    const {created_at: createdAt, expires_at: expiresAt, id, last_used_at: lastUsedAt, masked, name, org, scopes} = item
    if (!isText(id) || typeof name !== 'string' || !isText(masked) || !isDate(createdAt)) throw this.malformed(path)
    if (!(Array.isArray(scopes) && scopes.every((scope) => typeof scope === 'string'))) throw this.malformed(path)
    if (!(expiresAt === null || expiresAt === undefined || isDate(expiresAt)) || !(lastUsedAt === null || lastUsedAt === undefined || isDate(lastUsedAt))) throw this.malformed(path)
    const orgRecord = org as undefined | {id?: unknown; name?: unknown}
    return {
      created_at: createdAt,
      expires_at: (expiresAt as string | undefined) ?? null,
      id,
      last_used_at: (lastUsedAt as string | undefined) ?? null,
      masked,
      name,
      ...(orgRecord && isText(orgRecord.id) && typeof orgRecord.name === 'string' ? {org: {id: orgRecord.id, name: orgRecord.name}} : {}),
      scopes,
    }
  }

  private malformed(path: string): LatchError {
    return new LatchError(ErrorKind.Network, `The platform API sent a response to ${path} that latch cannot use`, {
      hint: 'check that LATCH_API_URL points at the platform API',
    })
  }
}

/**
 * The masked form of a secret as the platform shows it: the prefix (up to its last underscore), the
 * first 4 characters of the random part, `…`, the last 4 (`sk_pat_1a2b…9z8y`). Used only to recognize
 * the credential latch itself is using in a list; the secret never leaves this function.
 */
export function maskOf(secret: string): string {
  const cut = secret.lastIndexOf('_') + 1
  const random = secret.slice(cut)
  if (random.length < 12) return `${secret.slice(0, cut)}…`
  return `${secret.slice(0, cut)}${random.slice(0, 4)}…${random.slice(-4)}`
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value))
}
