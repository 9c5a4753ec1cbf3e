/**
 * `latch orgs`: the organizations the credential acts in, which one is current and why, and the
 * default stored with the login (`latch orgs switch`). Which one is current is decided in config.ts
 * (currentOrg); this module asks the platform for the memberships it is chosen from.
 */
import {currentOrg, type Resolved} from '../config.js'
import type {Context} from '../context.js'
import {ErrorKind, LatchError} from '../errors.js'
import type {Credential, OrgMembership} from '../platform/client.js'
import {listOrgs} from '../platform/orgs.js'
import {safeText} from '../ui/terminal-text.js'
import {withActiveToken} from '../auth/active-token.js'

/** Runs `work` with the active token as a platform credential (renewed once and retried if the server rejects it). */
export function withCredential<T>(context: Context, work: (credential: Credential) => Promise<T>): Promise<T> {
  return withActiveToken(context, (token) =>
    work({origin: token.origin, scopes: token.value.scopes, secret: token.value.accessToken, source: token.source === 'env' ? 'env' : 'file'}),
  )
}

/**
 * The organization to act in, as the server names it: the chosen one must be among the memberships
 * (else a not_found error naming where it was chosen); without a choice, the first membership.
 */
export async function resolveOrganization(context: Context, credential: Credential): Promise<Resolved<OrgMembership>> {
  const current = currentOrg(context.config.org, await listOrgs(context.platform, credential))
  if (current.value) return {...current, value: current.value}
  if (current.wanted !== undefined) throw notAMember(context, current)
  throw new LatchError(ErrorKind.NotFound, 'You belong to no organization', {hint: 'ask an admin of your organization to add you'})
}

/**
 * Where a command that acts in one organization sends its requests: the chosen name or id as it is
 * (the server checks membership: no extra request), else the first membership, asked from the server.
 */
export async function organizationToUse(context: Context, credential: Credential): Promise<Resolved<string>> {
  if (context.config.org) return context.config.org
  const current = await resolveOrganization(context, credential)
  return {...current, value: current.value.name}
}

export interface OrgListing {
  /** The organization commands act in now, and why; null when the chosen one is not among these. */
  current: null | (OrgMembership & {origin: string; source: string})
  orgs: Array<OrgMembership & {current: boolean}>
}

export async function listOrganizations(context: Context): Promise<OrgListing> {
  const orgs = await withCredential(context, (credential) => listOrgs(context.platform, credential))
  const current = currentOrg(context.config.org, orgs)
  if (!current.value && current.wanted !== undefined) {
    context.note(`Note: ${describeOrigin(current)} names ${safeText(current.wanted)}, which is not one of these organizations.`)
  }

  return {
    current: current.value ? {...current.value, origin: current.origin, source: current.source} : null,
    orgs: orgs.map((org) => ({...org, current: org === current.value})),
  }
}

export interface SwitchResult {
  credentials_path: string
  org: OrgMembership
}

/**
 * Stores `wanted` (a name or id, checked among the memberships first) as the login's default
 * organization, under the credentials lock. Only the stored login has a place to keep it: with a token
 * from LATCH_TOKEN it would not apply, so that is refused.
 */
export async function switchOrganization(context: Context, wanted: string): Promise<SwitchResult> {
  const token = context.config.token
  if (token?.source === 'env') {
    throw new LatchError(ErrorKind.Usage, `${token.origin} is set: a default organization is kept with a stored login, and would not apply while ${token.origin} is used`, {
      hint: `set ${context.config.env.org}=${wanted} to choose the organization for that token, or unset ${token.origin}`,
    })
  }

  const orgs = await withCredential(context, (credential) => listOrgs(context.platform, credential))
  const current = currentOrg({origin: 'the argument', source: 'flag', value: wanted}, orgs)
  if (!current.value) throw notAMember(context, current)
  const org = current.value

  const {updateCredentials} = await import('../credentials/lock.js')
  context.credentials = await updateCredentials(context.store, (stored) => {
    if (!stored?.token) throw new LatchError(ErrorKind.NotAuthenticated, 'You are not authenticated', {hint: `run \`${context.bin} login\``})
    return {...stored, org: org.name}
  })
  if (context.config.org && context.config.org.source !== 'file') {
    context.note(`Note: ${describeOrigin(context.config.org)} still chooses ${safeText(context.config.org.value)} while it is set.`)
  }

  return {credentials_path: context.store.path, org}
}

function notAMember(context: Context, current: {origin: string; source: string; wanted?: string}): LatchError {
  const fix =
    current.source === 'env'
      ? `, or unset ${current.origin}`
      : current.source === 'file'
        ? ` (it is the default stored by \`${context.bin} orgs switch\`: switch to another)`
        : ''
  return new LatchError(ErrorKind.NotFound, `${safeText(current.wanted ?? '')} (from ${describeOrigin(current)}) is not one of your organizations`, {
    hint: `run \`${context.bin} orgs list\` to see yours${fix}`,
  })
}

/** `--org`, `LATCH_ORG`, `the default stored in PATH`. */
export function describeOrigin(value: {origin: string; source: string}): string {
  if (value.source === 'file') return `the default stored in ${value.origin}`
  return value.origin
}
