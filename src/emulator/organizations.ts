/**
 * The organizations the emulator knows, who belongs to them with which role, and their bots. The
 * organizations and memberships are seeded and fixed; bots are made and deleted at run time (through
 * the platform API or the control API) and live as long as the emulator.
 */
import {randomBytes} from 'node:crypto'

import type {Account} from './accounts.js'

export type Role = 'admin' | 'member'

export interface Organization {
  id: string
  name: string
  /** In seeded order: a user's "first organization" is the first one here that lists them. */
  members: ReadonlyArray<{accountId: string; role: Role}>
}

export const SEEDED_ORGANIZATIONS: readonly Organization[] = [
  {
    id: 'org_acme',
    members: [
      {accountId: 'usr_alice', role: 'admin'},
      {accountId: 'usr_bob', role: 'member'},
    ],
    name: 'acme',
  },
  {id: 'org_globex', members: [{accountId: 'usr_bob', role: 'admin'}], name: 'globex'},
]

export interface Bot {
  id: string
  name: string
  orgId: string
  createdAt: Date
}

/** Bot names: what a person types in a command line and a CI file. */
export const BOT_NAME_PATTERN = /^[a-z0-9-]{1,64}$/

/** An organization by its name or its id; undefined when there is none. */
export function findOrganization(ref: unknown): Organization | undefined {
  if (typeof ref !== 'string') return undefined
  return SEEDED_ORGANIZATIONS.find((org) => org.id === ref || org.name === ref)
}

export function findOrganizationById(id: string): Organization | undefined {
  return SEEDED_ORGANIZATIONS.find((org) => org.id === id)
}

/** The user's role in an organization, or undefined when they are not a member. */
export function roleOf(account: Account, org: Organization): Role | undefined {
  return org.members.find((member) => member.accountId === account.id)?.role
}

/** The organizations a user belongs to, in seeded order, with their role in each. */
export function membershipsOf(account: Account): Array<{org: Organization; role: Role}> {
  const memberships: Array<{org: Organization; role: Role}> = []
  for (const org of SEEDED_ORGANIZATIONS) {
    const role = roleOf(account, org)
    if (role) memberships.push({org, role})
  }

  return memberships
}

/** The bots of every organization, for one emulator. */
export class Bots {
  readonly #bots: Bot[] = []

  create(org: Organization, name: string): Bot {
    const bot: Bot = {createdAt: new Date(), id: `bot_${randomBytes(8).toString('hex')}`, name, orgId: org.id}
    this.#bots.push(bot)
    return bot
  }

  /** A bot of this organization by its name or id. */
  find(org: Organization, ref: string): Bot | undefined {
    return this.#bots.find((bot) => bot.orgId === org.id && (bot.id === ref || bot.name === ref))
  }

  findById(id: string): Bot | undefined {
    return this.#bots.find((bot) => bot.id === id)
  }

  list(org: Organization): Bot[] {
    return this.#bots.filter((bot) => bot.orgId === org.id)
  }

  delete(bot: Bot): void {
    const index = this.#bots.indexOf(bot)
    if (index !== -1) this.#bots.splice(index, 1)
  }
}
