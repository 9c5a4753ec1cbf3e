/**
 * `latch bots` and `latch bots keys`: a bot is a principal of one organization, acting by its own keys
 * (docs/organizations.md). Deleting a bot or revoking a key asks first on a terminal (default No), and
 * is refused without one unless forced. Rotating a key creates the new one, proves it works, and only
 * then revokes the old one: a failure on the way never leaves the bot without a working key.
 */
import type {Context} from '../context.js'
import {ErrorKind, LatchError} from '../errors.js'
import type {Credential} from '../platform/client.js'
import {type Bot, type BotKey, createBot, createBotKey, deleteBot, listBotKeys, listBots, noSuchKey, revokeBotKey} from '../platform/orgs.js'
import type {Steps} from '../ui/steps.js'
import {safeText} from '../ui/terminal-text.js'
import {organizationToUse, withCredential} from './memberships.js'

/** Runs `work` in the organization the command acts in (see organizationToUse). */
function inOrganization<T>(context: Context, work: (credential: Credential, org: string) => Promise<T>): Promise<T> {
  return withCredential(context, async (credential) => work(credential, (await organizationToUse(context, credential)).value))
}

export async function createBotIn(context: Context, name: string): Promise<Bot> {
  if (!/^[a-z0-9-]{1,64}$/.test(name)) {
    throw new LatchError(ErrorKind.Usage, `Invalid bot name ${JSON.stringify(safeText(name, 80))}: 1 to 64 lowercase letters, digits and hyphens`, {hint: 'e.g. ci-worker'})
  }

  return inOrganization(context, (credential, org) => createBot(context.platform, credential, org, name))
}

export async function listBotsIn(context: Context): Promise<{bots: Bot[]; org: string}> {
  return inOrganization(context, async (credential, org) => ({bots: await listBots(context.platform, credential, org), org}))
}

export type Deletion<T> = (T & {deleted: true}) | {deleted: false}

/** Finds the bot by name or id first, so the question can say how many keys die with it. */
export async function deleteBotIn(context: Context, wanted: string, options: {force: boolean}): Promise<Deletion<Bot & {keys_revoked: number}>> {
  return inOrganization(context, async (credential, org) => {
    const bot = await findBot(context, credential, org, wanted)
    const keys = `${bot.key_count} ${bot.key_count === 1 ? 'key' : 'keys'}`
    const question = `Delete bot ${safeText(bot.name)} (${safeText(bot.id)}) in ${safeText(bot.org.name)}? Its ${keys} will stop working at once.`
    if (!(await confirmed(context, question, options, 'delete', `bots delete ${wanted}`))) return {deleted: false}
    const deleted = await deleteBot(context.platform, credential, org, bot.id)
    context.note(`Deleted bot ${safeText(deleted.name)} in ${safeText(deleted.org.name)}; ${deleted.keys_revoked} ${deleted.keys_revoked === 1 ? 'key' : 'keys'} revoked.`)
    return {...deleted, deleted: true}
  })
}

export interface CreatedKey extends BotKey {
  bot: {id: string; name: string}
  /** The key itself: shown once, never again. */
  key: string
  org: {id: string; name: string}
}

export async function createKeyFor(context: Context, wanted: string, label: string): Promise<CreatedKey> {
  checkLabel(label)
  return inOrganization(context, async (credential, org) => {
    const bot = await findBot(context, credential, org, wanted)
    const created = await createBotKey(context.platform, credential, org, bot.id, label)
    return {...created, bot: {id: bot.id, name: bot.name}, org: bot.org}
  })
}

export async function listKeysOf(context: Context, wanted: string): Promise<{bot: {id: string; name: string}; keys: BotKey[]; org: {id: string; name: string}}> {
  return inOrganization(context, async (credential, org) => {
    const bot = await findBot(context, credential, org, wanted)
    return {bot: {id: bot.id, name: bot.name}, keys: await listBotKeys(context.platform, credential, org, bot.id), org: bot.org}
  })
}

export async function revokeKeyOf(context: Context, wanted: string, id: string, options: {force: boolean}): Promise<Deletion<BotKey & {revoked_at: null | string}>> {
  return inOrganization(context, async (credential, org) => {
    const bot = await findBot(context, credential, org, wanted)
    const key = await findKey(context, credential, org, bot, id)
    const question = `Revoke key ${safeText(key.id)} (${safeText(key.masked)}${key.label ? `, ${safeText(key.label)}` : ''}) of bot ${safeText(bot.name)}? Whatever uses it stops working at once.`
    if (!(await confirmed(context, question, options, 'revoke', `bots keys revoke ${wanted} ${id}`))) return {deleted: false}
    const revoked = await revokeBotKey(context.platform, credential, org, bot.id, key.id)
    context.note(`Revoked key ${safeText(revoked.id)} (${safeText(revoked.masked)}) of bot ${safeText(bot.name)}.`)
    return {...revoked, deleted: true}
  })
}

export interface Rotation {
  /** The new key itself: shown once. */
  key: string
  new: BotKey
  revoked: BotKey & {revoked_at: null | string}
}

/**
 * New key, verified (GET /v1/me with it answers as this bot), then the old one revoked. If the new key
 * does not work, the old one is kept and the new one revoked again; the error says so.
 */
export async function rotateKeyOf(context: Context, wanted: string, id: string, steps: Steps, label?: string): Promise<Rotation> {
  if (label !== undefined) checkLabel(label)
  return inOrganization(context, async (credential, org) => {
    const bot = await findBot(context, credential, org, wanted)
    const old = await findKey(context, credential, org, bot, id)
    const created = await steps.run('Creating a new key...', () => createBotKey(context.platform, credential, org, bot.id, label ?? old.label), {
      done: (key) => `Created key ${safeText(key.id)} (${safeText(key.masked)})`,
    })
    try {
      await steps.run('Verifying the new key...', () => verifyBotKey(context, created.key, bot), {done: () => `Verified: the new key acts as bot ${safeText(bot.name)}`})
    } catch (error) {
      // The old key keeps working; the new one, unproven, is taken back (best effort).
      await revokeBotKey(context.platform, credential, org, bot.id, created.id).catch(() => {})
      const reason = error instanceof Error ? error.message : String(error)
      throw new LatchError(ErrorKind.General, `The new key did not work (${reason}); the old key ${old.id} was kept and still works`, {
        cause: error,
        hint: 'try again in a moment; the unverified new key was revoked',
      })
    }

    const revoked = await steps.run('Revoking the old key...', () => revokeBotKey(context.platform, credential, org, bot.id, old.id), {
      done: () => `Revoked the old key ${safeText(old.id)} (${safeText(old.masked)})`,
    })
    const {key, ...record} = created
    return {key, new: record, revoked}
  })
}

/** Proof that a new key works: the platform answers /v1/me with it, as the bot it was made for. */
async function verifyBotKey(context: Context, key: string, bot: Bot): Promise<void> {
  const credential: Credential = {origin: 'the new key', secret: key, source: 'input'}
  try {
    const me = await context.platform.me(credential)
    if (me?.principal && (me.principal.kind !== 'bot' || me.principal.id !== bot.id)) {
      throw new LatchError(ErrorKind.General, `the platform says it acts as ${me.principal.kind} ${safeText(me.principal.name)}, not as bot ${safeText(bot.name)}`)
    }
  } catch (error) {
    // Without account.read the key still authenticated: a missing scope is a 403, a dead key a 401.
    if (error instanceof LatchError && error.kind === ErrorKind.InsufficientScope) return
    throw error
  }
}

async function findBot(context: Context, credential: Credential, org: string, wanted: string): Promise<Bot> {
  const bots = await listBots(context.platform, credential, org)
  const bot = bots.find((candidate) => candidate.name === wanted || candidate.id === wanted)
  if (!bot) throw new LatchError(ErrorKind.NotFound, `No bot ${safeText(wanted)} in ${safeText(org)}`, {hint: `run \`${context.bin} bots list --org ${safeText(org)}\` to see its bots`})
  return bot
}

async function findKey(context: Context, credential: Credential, org: string, bot: Bot, id: string): Promise<BotKey> {
  const key = (await listBotKeys(context.platform, credential, org, bot.id)).find((candidate) => candidate.id === id)
  if (!key) throw noSuchKey(safeText(id), bot.name, org)
  return key
}

function checkLabel(label: string): void {
  if (!/^[^\p{Cc}]{1,64}$/u.test(label)) {
    throw new LatchError(ErrorKind.Usage, 'A key label is 1 to 64 printable characters', {hint: 'e.g. --label "github actions"'})
  }
}

/** Yes on --force; on a terminal, the person's answer (default No); without one, a usage error. */
async function confirmed(context: Context, question: string, options: {force: boolean}, verb: 'delete' | 'revoke', command: string): Promise<boolean> {
  if (options.force) return true
  if (!(context.stdin.isTTY && context.stderr.isTTY)) {
    throw new LatchError(ErrorKind.Usage, `Refusing to ${verb} without confirmation`, {hint: `run \`${context.bin} ${command} --force\` in scripts and pipelines`})
  }

  if (await context.confirm(question)) return true
  context.note('Nothing changed.')
  return false
}
