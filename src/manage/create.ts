/**
 * `latch tokens create` / `latch keys create`: a new token or key, whose secret the command prints
 * once on stdout (alone on its line, for `TOKEN=$(latch tokens create …)`); stderr says that it is
 * shown only this once and how to keep it.
 */
import type {Context} from '../context.js'
import {printedExpiry} from '../auth/instant.js'
import type {CreatedCredential, ManagedKind} from '../platform/managed-credentials.js'
import {safeText} from '../ui/terminal-text.js'
import {checkName, parseExpiry, parseScopes} from './input.js'
import {openSession} from './session.js'

export interface CreateOptions {
  expires?: string
  json?: boolean
  name: string
  scopes?: string
}

/** What `--json` prints: the record and the secret, under `token` or `key`. */
export type CreatedReport = {
  created_at: string
  expires_at: null | string
  id: string
  name: string
  /** The organization it acts in. */
  org?: {id: string; name: string}
  scopes: string[]
} & ({key: string} | {token: string})

export async function createCredential(context: Context, kind: ManagedKind, options: CreateOptions): Promise<CreatedReport> {
  const name = checkName(options.name)
  const scopes = options.scopes === undefined ? undefined : parseScopes(options.scopes)
  const expiresAt = kind.expires ? parseExpiry(options.expires) : undefined
  const session = await openSession(context, kind)
  // The organization it is for: --org, LATCH_ORG or the stored default (config.ts); else the platform's default (the first membership).
  const org = context.config.org?.value
  const created = await session.api.create(session.credential, {name, ...(org ? {org} : {}), ...(scopes ? {scopes} : {}), ...(kind.expires ? {expires_at: expiresAt} : {})})
  if (!options.json) context.note(shownOnce(created, kind))
  return createdReport(created, kind)
}

export function createdReport(created: CreatedCredential, kind: ManagedKind): CreatedReport {
  const record = {
    created_at: created.created_at,
    expires_at: created.expires_at,
    id: created.id,
    name: created.name,
    ...(created.org ? {org: created.org} : {}),
    scopes: created.scopes,
  }
  return kind.secretField === 'key' ? {...record, key: created.secret} : {...record, token: created.secret}
}

/** The stderr lines that go with a secret printed on stdout. */
export function shownOnce(created: CreatedCredential, kind: ManagedKind): string {
  const expiry = kind.expires ? `; expires ${created.expires_at ? printedExpiry(created.expires_at) : 'never'}` : ''
  return [
    `Created ${kind.noun} ${safeText(created.id)} (${safeText(created.name)})${created.org ? ` in ${safeText(created.org.name)}` : ''}: scopes ${safeText(created.scopes.join(', ') || 'none', 300)}${expiry}.`,
    `This is the only time the ${kind.noun} is shown (latch does not keep it): store it now, e.g. as a CI secret (\`gh secret set NAME\` reads it from stdin).`,
  ].join('\n')
}
