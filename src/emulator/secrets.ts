/**
 * Personal access tokens and project access keys. Only SHA-256 digests are kept: the raw value is
 * returned once, when it is created, exactly like the real platform. Look-ups compare digests with
 * `timingSafeEqual` against every stored record, so the time taken says nothing about near misses.
 */
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'

export const PAT_PATTERN = /^sk_pat_[0-9a-f]{64}$/
export const PROJECT_KEY_PATTERN = /^sk_proj_[\w-]{32,}$/

export interface PersonalAccessToken {
  id: string
  accountId: string
  name: string
  scopes: string[]
  createdAt: Date
  /** null: never expires. */
  expiresAt: Date | null
  revoked: boolean
  digest: Buffer
}

export interface Project {
  id: string
  accountId: string
  name: string
  revoked: boolean
  digest: Buffer
}

export class SecretStore {
  readonly #pats: PersonalAccessToken[] = []
  readonly #projects: Project[] = []

  createPat(options: {accountId: string; expiresIn?: number; name: string; scopes: string[]}): {
    pat: PersonalAccessToken
    token: string
  } {
    const token = `sk_pat_${randomBytes(32).toString('hex')}`
    const createdAt = new Date()
    const pat: PersonalAccessToken = {
      accountId: options.accountId,
      createdAt,
      digest: digestOf(token),
      expiresAt: options.expiresIn === undefined ? null : new Date(createdAt.getTime() + options.expiresIn * 1000),
      id: `pat_${randomBytes(8).toString('hex')}`,
      name: options.name,
      revoked: false,
      scopes: [...new Set(options.scopes)],
    }
    this.#pats.push(pat)
    return {pat, token}
  }

  /** The record for a raw PAT, revoked or expired ones included (the caller decides what those mean). */
  findPat(token: string): PersonalAccessToken | undefined {
    if (!PAT_PATTERN.test(token)) return undefined
    return findByDigest(this.#pats, digestOf(token))
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

  /** Revokes a PAT or a project key; says which it was, or undefined when it is neither. */
  revoke(secret: string): 'pat' | 'project' | undefined {
    const pat = this.findPat(secret)
    if (pat) {
      pat.revoked = true
      return 'pat'
    }

    const project = this.findProject(secret)
    if (project) {
      project.revoked = true
      return 'project'
    }

    return undefined
  }
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
