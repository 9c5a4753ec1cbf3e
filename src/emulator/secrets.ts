/**
 * Personal access tokens, API keys, bot keys and project access keys. Only SHA-256 digests are kept:
 * the raw value is returned once, when it is created, exactly like the real platform, together with a
 * masked form (computed then and stored) that identifies it afterwards. Look-ups compare digests with
 * `timingSafeEqual` against every stored record, so the time taken says nothing about near misses.
 */
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'

export const PAT_PATTERN = /^sk_pat_[0-9a-f]{64}$/
export const API_KEY_PATTERN = /^sk_live_[0-9a-f]{64}$/
export const BOT_KEY_PATTERN = /^sk_bot_[0-9a-f]{64}$/
export const PROJECT_KEY_PATTERN = /^sk_proj_[\w-]{32,}$/

export type CredentialKind = 'api_key' | 'bot_key' | 'pat'

const PREFIX: Record<CredentialKind, string> = {api_key: 'sk_live_', bot_key: 'sk_bot_', pat: 'sk_pat_'}
const PATTERN: Record<CredentialKind, RegExp> = {api_key: API_KEY_PATTERN, bot_key: BOT_KEY_PATTERN, pat: PAT_PATTERN}
const ID_PREFIX: Record<CredentialKind, string> = {api_key: 'key_', bot_key: 'bkey_', pat: 'pat_'}

/** A personal access token, an API key or a bot key: everything but the secret itself. */
export interface Credential {
  id: string
  kind: CredentialKind
  /** The user who made it (PAT, API key) or the bot it belongs to (bot key). */
  ownerId: string
  /** The one organization it acts in. */
  orgId: string
  /** The name (PAT, API key) or label (bot key) its creator chose. */
  name: string
  scopes: string[]
  createdAt: Date
  /** null: never expires. */
  expiresAt: Date | null
  lastUsedAt: Date | null
  revokedAt: Date | null
  /** e.g. `sk_pat_1a2b…9z8y`, or `sk_bot_1...wxyz` for a bot key. */
  masked: string
  digest: Buffer
}

export interface Project {
  id: string
  accountId: string
  name: string
  revoked: boolean
  digest: Buffer
}

/**
 * The masked form shown after creation. PATs and API keys: the prefix, the first 4 and the last 4
 * characters of the random part around an ellipsis (`sk_pat_1a2b…9z8y`). Bot keys, as the platform's
 * documentation shows them: the first 8 characters, three dots, the last 4 (`sk_bot_1...wxyz`).
 */
export function maskSecret(kind: CredentialKind, secret: string): string {
  if (kind === 'bot_key') return `${secret.slice(0, 8)}...${secret.slice(-4)}`
  const random = secret.slice(PREFIX[kind].length)
  return `${PREFIX[kind]}${random.slice(0, 4)}\u2026${random.slice(-4)}`
}

export class SecretStore {
  readonly #credentials: Credential[] = []
  readonly #projects: Project[] = []
  readonly #revokedListeners: Array<(credential: Credential) => void> = []

  /** Told of every credential revoked, whichever way (platform API, control API, a deleted bot). */
  onRevoked(listener: (credential: Credential) => void): void {
    this.#revokedListeners.push(listener)
  }

  /** Revokes a credential from now on (or from `at`); nothing happens to one already revoked. */
  markRevoked(credential: Credential, at = new Date()): void {
    if (credential.revokedAt !== null) return
    credential.revokedAt = at
    for (const listener of this.#revokedListeners) listener(credential)
  }

  create(options: {
    /** null: never; a function: computed from the creation time. */
    expiresAt: Date | null | ((createdAt: Date) => Date)
    kind: CredentialKind
    name: string
    orgId: string
    ownerId: string
    scopes: string[]
  }): {credential: Credential; secret: string} {
    const secret = `${PREFIX[options.kind]}${randomBytes(32).toString('hex')}`
    const createdAt = new Date()
    const credential: Credential = {
      createdAt,
      digest: digestOf(secret),
      expiresAt: typeof options.expiresAt === 'function' ? options.expiresAt(createdAt) : options.expiresAt,
      id: `${ID_PREFIX[options.kind]}${randomBytes(8).toString('hex')}`,
      kind: options.kind,
      lastUsedAt: null,
      masked: maskSecret(options.kind, secret),
      name: options.name,
      orgId: options.orgId,
      ownerId: options.ownerId,
      revokedAt: null,
      scopes: [...new Set(options.scopes)],
    }
    this.#credentials.push(credential)
    return {credential, secret}
  }

  /** The record for a raw secret of any kind, revoked or expired ones included (the caller decides what those mean). */
  find(secret: string): Credential | undefined {
    const kind = kindOf(secret)
    if (!kind) return undefined
    return findByDigest(
      this.#credentials.filter((credential) => credential.kind === kind),
      digestOf(secret),
    )
  }

  findById(kind: CredentialKind, id: string): Credential | undefined {
    return this.#credentials.find((credential) => credential.kind === kind && credential.id === id)
  }

  /** Every credential of a kind whose owner is `ownerId`, oldest first, revoked ones included. */
  listByOwner(kind: CredentialKind, ownerId: string): Credential[] {
    return this.#credentials.filter((credential) => credential.kind === kind && credential.ownerId === ownerId)
  }

  /** Whether a credential can be used now: not revoked, not expired. */
  isLive(credential: Credential, at = Date.now()): boolean {
    return credential.revokedAt === null && (credential.expiresAt === null || credential.expiresAt.getTime() > at)
  }

  createProject(options: {accountId: string; name: string}): {accessKey: string; project: Project} {
    const accessKey = `sk_proj_${randomBytes(32).toString('base64url')}`
    const project: Project = {
      accountId: options.accountId,
      digest: digestOf(accessKey),
      id: `prj_${randomBytes(8).toString('hex')}`,
      name: options.name,
      revoked: false,
    }
    this.#projects.push(project)
    return {accessKey, project}
  }

  findProject(accessKey: string): Project | undefined {
    if (!PROJECT_KEY_PATTERN.test(accessKey)) return undefined
    return findByDigest(this.#projects, digestOf(accessKey))
  }

  /** Revokes a PAT, API key, bot key or project key by its secret; says which it was, or undefined when it is none (or already revoked). */
  revoke(secret: string): 'project' | CredentialKind | undefined {
    const credential = this.find(secret)
    if (credential) {
      if (credential.revokedAt) return undefined
      this.markRevoked(credential)
      return credential.kind
    }

    const project = this.findProject(secret)
    if (project && !project.revoked) {
      project.revoked = true
      return 'project'
    }

    return undefined
  }
}

function kindOf(secret: string): CredentialKind | undefined {
  return (Object.keys(PATTERN) as CredentialKind[]).find((kind) => PATTERN[kind].test(secret))
}

function digestOf(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest()
}

function findByDigest<T extends {digest: Buffer}>(records: T[], digest: Buffer): T | undefined {
  let found: T | undefined
  // No early exit: every record is compared, whether or not an earlier one matched.
  for (const record of records) {
    if (timingSafeEqual(record.digest, digest) && !found) found = record
  }

  return found
}
