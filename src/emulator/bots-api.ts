/**
 * Bots and their keys through the platform API (`/v1/orgs/:org/bots…`). Anyone who may act in the
 * organization lists them (`keys.read`); only a person who is an admin there creates or deletes a bot or
 * a bot key (`keys.write`): a member or a bot gets 403. Deleting a bot revokes all its keys at once. A
 * bot key is shown once; afterwards its label and masked form (`sk_bot_1...wxyz`) identify it.
 */
import {PLATFORM_SCOPES} from '../platform/scopes.js'
import {notFound, requireAdminUser, requireOrgAccess} from './access.js'
import {HttpError} from './http.js'
import {type Bot, BOT_NAME_PATTERN, type Bots, type Organization} from './organizations.js'
import {iso, type PlatformRoute, requireName} from './platform-routes.js'
import type {Credential, SecretStore} from './secrets.js'

/** A bot key is valid for 20 years unless revoked. */
export const BOT_KEY_LIFETIME_YEARS = 20

/** What a bot key can do: the whole catalogue (what it may do is decided by its bot's place, not by scopes). */
export const BOT_KEY_SCOPES: readonly string[] = Object.keys(PLATFORM_SCOPES)

export class BotDirectory {
  readonly #bots: Bots
  readonly #secrets: SecretStore

  constructor(bots: Bots, secrets: SecretStore) {
    this.#bots = bots
    this.#secrets = secrets
  }

  list(org: Organization): Bot[] {
    return this.#bots.list(org)
  }

  findById(id: string): Bot | undefined {
    return this.#bots.findById(id)
  }

  /** The bot's live keys, oldest first. */
  liveKeys(bot: Bot): Credential[] {
    return this.#secrets.listByOwner('bot_key', bot.id).filter((key) => this.#secrets.isLive(key))
  }

  describeBot(bot: Bot, org: Organization): Record<string, unknown> {
    return {created_at: iso(bot.createdAt), id: bot.id, key_count: this.liveKeys(bot).length, name: bot.name, org: {id: org.id, name: org.name}}
  }

  createBot(org: Organization, name: unknown): Bot {
    if (typeof name !== 'string' || !BOT_NAME_PATTERN.test(name)) {
      throw new HttpError(400, 'invalid_request', '"name" must be 1 to 64 lowercase letters, digits or dashes (e.g. ci-worker)')
    }

    if (this.#bots.find(org, name)) throw new HttpError(409, 'conflict', `${org.name} already has a bot named ${name}`)
    return this.#bots.create(org, name)
  }

  findBot(org: Organization, ref: string): Bot {
    const bot = this.#bots.find(org, ref)
    if (!bot) throw notFound(`${org.name} has no bot "${ref}"`)
    return bot
  }

  /** Deletes a bot and revokes its keys; says how many keys were revoked. */
  deleteBot(bot: Bot): number {
    const keys = this.liveKeys(bot)
    const now = new Date()
    for (const key of keys) this.#secrets.markRevoked(key, now)
    this.#bots.delete(bot)
    return keys.length
  }

  createKey(bot: Bot, label: string): {key: Credential; secret: string} {
    const {credential, secret} = this.#secrets.create({
      expiresAt(createdAt) {
        const expiresAt = new Date(createdAt)
        expiresAt.setUTCFullYear(createdAt.getUTCFullYear() + BOT_KEY_LIFETIME_YEARS)
        return expiresAt
      },
      kind: 'bot_key',
      name: label,
      orgId: bot.orgId,
      ownerId: bot.id,
      scopes: [...BOT_KEY_SCOPES],
    })
    return {key: credential, secret}
  }

  revokeKey(key: Credential): void {
    this.#secrets.markRevoked(key)
  }

  findKey(bot: Bot, id: string): Credential {
    const key = this.#secrets.findById('bot_key', id)
    if (!key || key.ownerId !== bot.id || key.revokedAt !== null) throw notFound(`bot ${bot.name} has no key ${id}`)
    return key
  }
}

export function describeBotKey(key: Credential): Record<string, unknown> {
  return {
    created_at: iso(key.createdAt),
    expires_at: iso(key.expiresAt),
    id: key.id,
    label: key.name,
    last_used_at: iso(key.lastUsedAt),
    masked: key.masked,
  }
}

const BOTS = /^\/v1\/orgs\/(?<org>[^/]+)\/bots$/
const BOT = /^\/v1\/orgs\/(?<org>[^/]+)\/bots\/(?<bot>[^/]+)$/
const KEYS = /^\/v1\/orgs\/(?<org>[^/]+)\/bots\/(?<bot>[^/]+)\/keys$/
const KEY = /^\/v1\/orgs\/(?<org>[^/]+)\/bots\/(?<bot>[^/]+)\/keys\/(?<id>[^/]+)$/

export function botRoutes(directory: BotDirectory): PlatformRoute[] {
  return [
    {
      handle({caller, params}) {
        const {org} = requireOrgAccess(caller, params.org)
        const bots = directory.list(org).map((bot) => directory.describeBot(bot, org))
        return {body: {bots}, status: 200}
      },
      method: 'GET',
      pattern: BOTS,
      scope: 'keys.read',
    },
    {
      handle({body, caller, params}) {
        const {org} = requireOrgAccess(caller, params.org)
        requireAdminUser(caller, org, 'create bots')
        const bot = directory.createBot(org, body.name)
        return {body: directory.describeBot(bot, org), status: 201}
      },
      method: 'POST',
      pattern: BOTS,
      scope: 'keys.write',
    },
    {
      handle({caller, params}) {
        const {org} = requireOrgAccess(caller, params.org)
        requireAdminUser(caller, org, 'delete bots')
        const bot = directory.findBot(org, params.bot)
        const keysRevoked = directory.deleteBot(bot)
        return {body: {...directory.describeBot(bot, org), keys_revoked: keysRevoked}, status: 200}
      },
      method: 'DELETE',
      pattern: BOT,
      scope: 'keys.write',
    },
    {
      handle({caller, params}) {
        const {org} = requireOrgAccess(caller, params.org)
        const bot = directory.findBot(org, params.bot)
        return {body: {keys: directory.liveKeys(bot).map((key) => describeBotKey(key))}, status: 200}
      },
      method: 'GET',
      pattern: KEYS,
      scope: 'keys.read',
    },
    {
      handle({body, caller, params}) {
        const {org} = requireOrgAccess(caller, params.org)
        requireAdminUser(caller, org, 'create bot keys')
        const bot = directory.findBot(org, params.bot)
        const label = requireName(body, 'label')
        const {key, secret} = directory.createKey(bot, label)
        return {body: {...describeBotKey(key), key: secret}, status: 201}
      },
      method: 'POST',
      pattern: KEYS,
      scope: 'keys.write',
    },
    {
      handle({caller, params}) {
        const {org} = requireOrgAccess(caller, params.org)
        requireAdminUser(caller, org, 'revoke bot keys')
        const bot = directory.findBot(org, params.bot)
        const key = directory.findKey(bot, params.id)
        directory.revokeKey(key)
        return {body: {...describeBotKey(key), revoked_at: iso(key.revokedAt)}, status: 200}
      },
      method: 'DELETE',
      pattern: KEY,
      scope: 'keys.write',
    },
  ]
}
