/**
 * Who is calling the platform API and where they may act: the caller a credential stands for (a user or
 * a bot), the organization it is bound to, and the rules every endpoint shares. An OAuth token from a
 * sign-in acts as its user in each of the user's organizations; a PAT, an API key's exchanged token and
 * a bot key act in the one organization they were made for.
 */
import type {Account} from './accounts.js'
import {HttpError} from './http.js'
import {type Bot, findOrganization, membershipsOf, type Organization, type Role, roleOf} from './organizations.js'
import type {Credential} from './secrets.js'

export type TokenType = 'bot_key' | 'exchanged' | 'oauth' | 'pat'

export type Principal = {account: Account; kind: 'user'} | {bot: Bot; kind: 'bot'}

export interface Caller {
  principal: Principal
  scopes: string[]
  token: {expires_at: string | null; type: TokenType}
  /** The organization the credential acts in; undefined for a sign-in's OAuth token (all the user's organizations). */
  boundOrg?: Organization
  /** The PAT, bot key or API key (for an exchanged token) behind the call. */
  credential?: Credential
}

/** The caller's role in an organization (`bot` for a bot in its own), or undefined when not a member. */
export function callerRole(caller: Caller, org: Organization): 'bot' | Role | undefined {
  if (caller.principal.kind === 'bot') return caller.principal.bot.orgId === org.id ? 'bot' : undefined
  return roleOf(caller.principal.account, org)
}

/** The organizations the caller may act in, with its role in each: the bound one alone, or every membership. */
export function callerOrgs(caller: Caller): Array<{org: Organization; role: 'bot' | Role}> {
  if (caller.boundOrg) {
    const role = callerRole(caller, caller.boundOrg)
    return role ? [{org: caller.boundOrg, role}] : []
  }

  if (caller.principal.kind === 'bot') return []
  return membershipsOf(caller.principal.account)
}

/**
 * The organization a path or body names (by name or id), if the caller may act in it. Unknown: 404.
 * A credential bound to another organization: 403 forbidden, whether or not the user also belongs to
 * that one (issue 16: "a PAT made in acme gets 403 on globex resources"). Not a member: 404, as for an
 * unknown one.
 */
export function requireOrgAccess(caller: Caller, ref: string): {org: Organization; role: 'bot' | Role} {
  const org = findOrganization(ref)
  if (!org) throw notFound(`no organization "${ref}"`)
  if (caller.boundOrg && caller.boundOrg.id !== org.id) {
    throw forbidden(`this credential acts in ${caller.boundOrg.name} only; it cannot be used on ${org.name}`)
  }

  const role = callerRole(caller, org)
  if (!role) throw notFound(`no organization "${ref}"`)
  return {org, role}
}

/** Only a person who is an admin of the organization: a member, or any bot, is refused with 403 forbidden. */
export function requireAdminUser(caller: Caller, org: Organization, action: string): Account {
  if (caller.principal.kind === 'bot') throw forbidden(`a bot cannot ${action}: use an admin's credential`)
  const {account} = caller.principal
  if (roleOf(account, org) !== 'admin') {
    throw forbidden(`only an admin of ${org.name} can ${action}; ${account.username} is a member`)
  }

  return account
}

/** Only a person: bots have no PATs or API keys of their own. */
export function requireUser(caller: Caller, what: string): Account {
  if (caller.principal.kind === 'bot') throw forbidden(`a bot has no ${what}: it acts with its bot keys`)
  return caller.principal.account
}

export function forbidden(description: string, extra: Record<string, unknown> = {}): HttpError {
  return new HttpError(403, 'forbidden', description, {extra})
}

export function notFound(description: string): HttpError {
  return new HttpError(404, 'not_found', description)
}
