/**
 * The platform API's organizations, bots and bot keys (docs/organizations.md): one function per
 * endpoint, every response checked field by field before use. Errors are the platform client's.
 */
import {ErrorKind, LatchError} from '../errors.js'
import {type Credential, membershipOf, type OrgMembership, type PlatformClient, type Refusal} from './client.js'

export interface Bot {
  created_at: string
  id: string
  key_count: number
  name: string
  org: {id: string; name: string}
}

/** A bot key as listed: never the key itself, only its masked form (`sk_bot_1...wxyz`). */
export interface BotKey {
  created_at: string
  expires_at: null | string
  id: string
  label: string
  last_used_at: null | string
  masked: string
}

export async function listOrgs(platform: PlatformClient, credential: Credential): Promise<OrgMembership[]> {
  const body = (await platform.call('GET', '/v1/orgs', credential)) as {orgs?: unknown}
  return listOf(body?.orgs, '/v1/orgs', membershipOf)
}

export async function listBots(platform: PlatformClient, credential: Credential, org: string): Promise<Bot[]> {
  const path = botsPath(org)
  const body = (await platform.call('GET', path, credential, {refused: orgRefused(org)})) as {bots?: unknown}
  return listOf(body?.bots, path, botOf)
}

export async function createBot(platform: PlatformClient, credential: Credential, org: string, name: string): Promise<Bot> {
  const path = botsPath(org)
  return checked(await platform.call('POST', path, credential, {body: {name}, refused: orgRefused(org)}), path, botOf)
}

export async function deleteBot(platform: PlatformClient, credential: Credential, org: string, bot: string): Promise<Bot & {keys_revoked: number}> {
  const path = botPath(org, bot)
  const body = await platform.call('DELETE', path, credential, {refused: botRefused(org, bot)})
  const deleted = checked(body, path, botOf)
  const revoked = (body as {keys_revoked?: unknown}).keys_revoked
  if (!(Number.isInteger(revoked) && (revoked as number) >= 0)) throw malformed(path)
  return {...deleted, keys_revoked: revoked as number}
}

export async function listBotKeys(platform: PlatformClient, credential: Credential, org: string, bot: string): Promise<BotKey[]> {
  const path = `${botPath(org, bot)}/keys`
  const body = (await platform.call('GET', path, credential, {refused: botRefused(org, bot)})) as {keys?: unknown}
  return listOf(body?.keys, path, botKeyOf)
}

export async function createBotKey(platform: PlatformClient, credential: Credential, org: string, bot: string, label: string): Promise<BotKey & {key: string}> {
  const path = `${botPath(org, bot)}/keys`
  const body = await platform.call('POST', path, credential, {body: {label}, refused: botRefused(org, bot)})
  const record = checked(body, path, botKeyOf)
  const {key} = body as {key?: unknown}
  if (typeof key !== 'string' || !/^[\x21-\x7E]{8,512}$/.test(key)) throw malformed(path)
  return {...record, key}
}

export async function revokeBotKey(platform: PlatformClient, credential: Credential, org: string, bot: string, id: string): Promise<BotKey & {revoked_at: null | string}> {
  const path = `${botPath(org, bot)}/keys/${encodeURIComponent(id)}`
  const body = await platform.call('DELETE', path, credential, {
    refused: (refusal) => (refusal.status === 404 && /key/i.test(refusal.description) ? noSuchKey(id, bot, org) : botRefused(org, bot)(refusal)),
  })
  const record = checked(body, path, botKeyOf)
  const {revoked_at: revokedAt} = body as {revoked_at?: unknown}
  return {...record, revoked_at: typeof revokedAt === 'string' ? revokedAt : null}
}

export function noSuchKey(id: string, bot: string, org: string): LatchError {
  return new LatchError(ErrorKind.NotFound, `Bot ${bot} in ${org} has no key ${id}`, {hint: `run \`latch bots keys list ${bot}\` to see its keys`})
}

function botsPath(org: string): string {
  return `/v1/orgs/${encodeURIComponent(org)}/bots`
}

function botPath(org: string, bot: string): string {
  return `${botsPath(org)}/${encodeURIComponent(bot)}`
}

/** A 404 on an organization's path: it is not one of the caller's (or does not exist: the server does not say which). */
function orgRefused(org: string): (refusal: Refusal) => LatchError | undefined {
  return (refusal) => {
    if (refusal.status === 404) {
      return new LatchError(ErrorKind.NotFound, `No organization ${org} among yours`, {hint: 'run `latch orgs list` to see your organizations, and choose one with --org or `latch orgs switch`'})
    }

    if (refusal.status === 403) return forbidden(refusal, org)
    if (refusal.status === 409) {
      return new LatchError(ErrorKind.Conflict, `A bot with that name already exists in ${org}`, {hint: 'choose another name, or see `latch bots list`'})
    }

    return undefined
  }
}

/** A 404 on a bot's path: the server says whether the organization or the bot is unknown. */
function botRefused(org: string, bot: string): (refusal: Refusal) => LatchError | undefined {
  return (refusal) => {
    if (refusal.status === 404 && !/organi[sz]ation/i.test(refusal.description)) {
      return new LatchError(ErrorKind.NotFound, `No bot ${bot} in ${org}`, {hint: `run \`latch bots list --org ${org}\` to see its bots`})
    }

    return orgRefused(org)(refusal)
  }
}

function forbidden(refusal: Refusal, org: string): LatchError {
  return new LatchError(ErrorKind.Forbidden, `Not allowed in ${org}: ${refusal.description || 'the platform refused'}`, {
    hint: 'only a person who is an admin of the organization manages its bots and keys; a personal access token acts only in the organization it was made for',
  })
}

function listOf<T>(value: unknown, path: string, check: (item: unknown) => null | T): T[] {
  if (!Array.isArray(value)) throw malformed(path)
  return value.map((item) => checked(item, path, check))
}

function checked<T>(value: unknown, path: string, check: (item: unknown) => null | T): T {
  const result = check(value)
  if (result === null) throw malformed(path)
  return result
}

function malformed(path: string): LatchError {
  return new LatchError(ErrorKind.Network, `The platform API's answer to ${path} is not one latch can use`, {hint: 'check that LATCH_API_URL points at the platform API'})
}

function botOf(value: unknown): Bot | null {
  const bot = value as Partial<Bot> | null
  if (typeof bot !== 'object' || bot === null) return null
  if (!isText(bot.id) || !isText(bot.name) || !isText(bot.created_at)) return null
  const org = bot.org as Partial<Bot['org']> | undefined
  if (!(typeof org === 'object' && org !== null && isText(org.id) && isText(org.name))) return null
  const keyCount = Number.isInteger(bot.key_count) && (bot.key_count as number) >= 0 ? (bot.key_count as number) : 0
  return {created_at: bot.created_at, id: bot.id, key_count: keyCount, name: bot.name, org: {id: org.id, name: org.name}}
}

function botKeyOf(value: unknown): BotKey | null {
  const key = value as Partial<BotKey> | null
  if (typeof key !== 'object' || key === null) return null
  if (!isText(key.id) || typeof key.label !== 'string' || !isText(key.masked) || !isText(key.created_at)) return null
  return {
    created_at: key.created_at,
    expires_at: isText(key.expires_at) ? key.expires_at : null,
    id: key.id,
    label: key.label,
    last_used_at: isText(key.last_used_at) ? key.last_used_at : null,
    masked: key.masked,
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}
