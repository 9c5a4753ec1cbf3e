/**
 * Organizations and bots (issue 16) on the emulator's side, over HTTP: who each credential acts as and
 * where, bots and bot keys, and the rules — a member cannot create bots, a bot cannot create keys, a
 * credential bound to one organization gets 403 on another, deleting a bot kills its keys at once.
 */
import {describe, expect, it} from '@jest/globals'

import {useEmulator} from '../helpers/emulator.js'
import {me, sleep} from './oauth.js'
import {ALL_SCOPES, api, signIn} from './platform.js'

const emulator = useEmulator(['--interval', '0.2'])

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const MANAGE = ['keys.read', 'keys.write', 'account.read']

let counter = 0
/** A bot name no other test uses. */
function uniqueName(stem = 'bot'): string {
  counter += 1
  return `${stem}-${counter}`
}

/** An OAuth token from a sign-in: acts in every organization of the user. */
function oauth(user: string): Promise<string> {
  return signIn(emulator, user, MANAGE)
}

async function createBot(token: string, org: string, name = uniqueName()) {
  const response = await api(emulator.issuer, 'POST', `/v1/orgs/${org}/bots`, token, {name})
  expect(response.status).toBe(201)
  return response.body as {id: string; name: string; key_count: number}
}

async function createKey(token: string, org: string, bot: string, label = 'primary') {
  const response = await api(emulator.issuer, 'POST', `/v1/orgs/${org}/bots/${bot}/keys`, token, {label})
  expect(response.status).toBe(201)
  return response.body as {id: string; key: string; masked: string; label: string; created_at: string; expires_at: string}
}

describe('who a credential acts as (/v1/me, /v1/orgs)', () => {
  it('a sign-in token: the user in every organization they belong to; /v1/me names the first', async () => {
    const bob = await oauth('bob')
    const {body} = await me(emulator.issuer, bob)
    expect(body).toMatchObject({
      email: 'bob@example.com',
      id: 'usr_bob',
      org: {id: 'org_acme', name: 'acme', role: 'member'},
      principal: {id: 'usr_bob', kind: 'user', name: 'Bob Example'},
      token: {type: 'oauth'},
    })
    expect(body.token).not.toHaveProperty('id')
    expect((await api(emulator.issuer, 'GET', '/v1/orgs', bob)).body).toEqual({
      orgs: [
        {id: 'org_acme', name: 'acme', role: 'member'},
        {id: 'org_globex', name: 'globex', role: 'admin'},
      ],
    })
    expect((await api(emulator.issuer, 'GET', '/v1/orgs', await oauth('alice'))).body).toEqual({orgs: [{id: 'org_acme', name: 'acme', role: 'admin'}]})
  })

  it('a PAT: the user in its one organization', async () => {
    const pat = await emulator.createPat({org: 'globex', scopes: ['account.read'], user: 'bob'})
    expect((await me(emulator.issuer, pat.token)).body.org).toEqual({id: 'org_globex', name: 'globex', role: 'admin'})
    expect((await api(emulator.issuer, 'GET', '/v1/orgs', pat.token)).body).toEqual({orgs: [{id: 'org_globex', name: 'globex', role: 'admin'}]})
  })

  it('a bot key: the bot, never a person, in its organization', async () => {
    const created = await emulator.createBotKey({bot: 'ci-worker', label: 'ci', org: 'acme'})
    const {body, status} = await me(emulator.issuer, created.key)
    expect(status).toBe(200)
    expect(body).toEqual({
      email: null,
      id: created.bot.id,
      name: 'ci-worker',
      org: {id: 'org_acme', name: 'acme', role: 'bot'},
      principal: {id: created.bot.id, kind: 'bot', name: 'ci-worker'},
      scopes: ALL_SCOPES,
      token: {expires_at: expect.stringMatching(ISO_MS), id: created.id, type: 'bot_key'},
    })
    expect((await api(emulator.issuer, 'GET', '/v1/orgs', created.key)).body).toEqual({orgs: [{id: 'org_acme', name: 'acme', role: 'bot'}]})
    // A person's project is not the bot's.
    const {access_key} = await emulator.createProject({name: 'Rocket'})
    const project = await fetch(`${emulator.issuer}/v1/projects/current`, {headers: {authorization: `Bearer ${created.key}`, 'x-access-key': access_key}})
    expect(project.status).toBe(404)
  })
})

describe('bots', () => {
  it('an admin creates one (201), lists it, and names must be unique in the organization (409)', async () => {
    const alice = await oauth('alice')
    const name = uniqueName('deployer')
    const before = Date.now()
    const created = await api(emulator.issuer, 'POST', '/v1/orgs/acme/bots', alice, {name})
    expect(created.status).toBe(201)
    expect(created.body).toEqual({
      created_at: expect.stringMatching(ISO_MS),
      id: expect.stringMatching(/^bot_[0-9a-f]{16}$/),
      key_count: 0,
      name,
      org: {id: 'org_acme', name: 'acme'},
    })
    expect(Date.parse(created.body.created_at as string)).toBeGreaterThanOrEqual(before)

    const listed = await api(emulator.issuer, 'GET', '/v1/orgs/org_acme/bots', alice)
    expect(listed.status).toBe(200)
    expect(listed.body.bots).toContainEqual(created.body)

    const duplicate = await api(emulator.issuer, 'POST', '/v1/orgs/acme/bots', alice, {name})
    expect(duplicate.status).toBe(409)
    expect(duplicate.body.error).toBe('conflict')

    // Unique per organization only: bob may use the name in globex.
    const elsewhere = await api(emulator.issuer, 'POST', '/v1/orgs/globex/bots', await oauth('bob'), {name})
    expect(elsewhere.status).toBe(201)
  })

  it.each([
    ['no name', {}],
    ['an empty name', {name: ''}],
    ['capitals', {name: 'CI-Worker'}],
    ['an underscore', {name: 'ci_worker'}],
    ['a space', {name: 'ci worker'}],
    ['65 characters', {name: 'a'.repeat(65)}],
  ])('refuses a bot name with %s (400)', async (_label, body) => {
    const response = await api(emulator.issuer, 'POST', '/v1/orgs/acme/bots', await oauth('alice'), body)
    expect(response.status).toBe(400)
    expect(response.body).toEqual({error: 'invalid_request', error_description: expect.stringContaining('"name"')})
  })

  it('a member is refused with 403 forbidden, but may list', async () => {
    const bob = await oauth('bob')
    const refused = await api(emulator.issuer, 'POST', '/v1/orgs/acme/bots', bob, {name: uniqueName()})
    expect(refused.status).toBe(403)
    expect(refused.body).toEqual({error: 'forbidden', error_description: expect.stringContaining('admin')})
    const bot = await createBot(await oauth('alice'), 'acme')
    expect((await api(emulator.issuer, 'DELETE', `/v1/orgs/acme/bots/${bot.name}`, bob)).status).toBe(403)
    expect((await api(emulator.issuer, 'POST', `/v1/orgs/acme/bots/${bot.name}/keys`, bob, {label: 'x'})).status).toBe(403)
    expect((await api(emulator.issuer, 'GET', '/v1/orgs/acme/bots', bob)).status).toBe(200)
  })

  it('a bot is refused with 403 forbidden: it creates no bots and no keys, not even its own', async () => {
    const {bot, key} = await emulator.createBotKey({bot: uniqueName(), org: 'acme'})
    const newBot = await api(emulator.issuer, 'POST', '/v1/orgs/acme/bots', key, {name: uniqueName()})
    expect(newBot.status).toBe(403)
    expect(newBot.body.error).toBe('forbidden')
    const ownKey = await api(emulator.issuer, 'POST', `/v1/orgs/acme/bots/${bot.name}/keys`, key, {label: 'mine'})
    expect(ownKey.status).toBe(403)
    expect(ownKey.body.error).toBe('forbidden')
    // Reading its organization's bots is allowed.
    expect((await api(emulator.issuer, 'GET', '/v1/orgs/acme/bots', key)).status).toBe(200)
  })

  it('a credential bound to acme gets 403 on globex resources; a non-member gets 404; an unknown org 404', async () => {
    const acmeBob = (await emulator.createPat({org: 'acme', scopes: MANAGE, user: 'bob'})).token
    const globexBot = await createBot(await oauth('bob'), 'globex')
    for (const [method, path, body] of [
      ['GET', '/v1/orgs/globex/bots', undefined],
      ['POST', '/v1/orgs/globex/bots', {name: uniqueName()}],
      ['GET', `/v1/orgs/org_globex/bots/${globexBot.name}/keys`, undefined],
      ['POST', `/v1/orgs/globex/bots/${globexBot.name}/keys`, {label: 'x'}],
      ['DELETE', `/v1/orgs/globex/bots/${globexBot.name}`, undefined],
    ] as const) {
      const response = await api(emulator.issuer, method, path, acmeBob, body)
      expect({method, path, status: response.status, error: response.body.error}).toEqual({method, path, status: 403, error: 'forbidden'})
    }

    const bobBotKey = await emulator.createBotKey({bot: uniqueName(), org: 'acme'})
    expect((await api(emulator.issuer, 'GET', '/v1/orgs/globex/bots', bobBotKey.key)).status).toBe(403)

    const alice = await oauth('alice')
    const nonMember = await api(emulator.issuer, 'GET', '/v1/orgs/globex/bots', alice)
    expect(nonMember.status).toBe(404)
    expect(nonMember.body.error).toBe('not_found')
    const unknown = await api(emulator.issuer, 'GET', '/v1/orgs/initech/bots', alice)
    expect(unknown.status).toBe(404)
    expect(unknown.body.error).toBe('not_found')

    // The same bob, signed in (every organization of his): allowed in globex.
    expect((await api(emulator.issuer, 'GET', '/v1/orgs/globex/bots', await oauth('bob'))).status).toBe(200)
  })

  it('deleting a bot revokes all its keys at once and says how many', async () => {
    const alice = await oauth('alice')
    const bot = await createBot(alice, 'acme')
    const first = await createKey(alice, 'acme', bot.name, 'one')
    const second = await createKey(alice, 'acme', bot.id, 'two')
    expect((await me(emulator.issuer, first.key)).status).toBe(200)
    expect((await me(emulator.issuer, second.key)).status).toBe(200)

    const deleted = await api(emulator.issuer, 'DELETE', `/v1/orgs/acme/bots/${bot.name}`, alice)
    expect(deleted.status).toBe(200)
    expect(deleted.body).toMatchObject({id: bot.id, keys_revoked: 2, name: bot.name, org: {id: 'org_acme', name: 'acme'}})
    for (const key of [first.key, second.key]) {
      const after = await me(emulator.issuer, key)
      expect(after.status).toBe(401)
      expect(after.body.error).toBe('invalid_token')
      // Revoked themselves, not only orphaned: nothing live is left to revoke.
      const revokeAgain = await fetch(`${emulator.issuer}/_emulator/revoke`, {
        body: JSON.stringify({token: key}),
        headers: {'content-type': 'application/json'},
        method: 'POST',
      })
      expect(revokeAgain.status).toBe(404)
    }

    const bots = (await api(emulator.issuer, 'GET', '/v1/orgs/acme/bots', alice)).body.bots as Array<{id: string}>
    expect(bots.map((entry) => entry.id)).not.toContain(bot.id)
    expect((await api(emulator.issuer, 'GET', `/v1/orgs/acme/bots/${bot.id}/keys`, alice)).status).toBe(404)
    expect((await api(emulator.issuer, 'DELETE', `/v1/orgs/acme/bots/${bot.id}`, alice)).status).toBe(404)
  })

  it('answers 404 for an unknown bot, and for a bot of another organization named by id', async () => {
    const bob = await oauth('bob')
    const globexBot = await createBot(bob, 'globex')
    expect((await api(emulator.issuer, 'GET', '/v1/orgs/acme/bots/nobody/keys', bob)).status).toBe(404)
    const crossed = await api(emulator.issuer, 'GET', `/v1/orgs/acme/bots/${globexBot.id}/keys`, bob)
    expect(crossed.status).toBe(404)
    expect(crossed.body.error).toBe('not_found')
  })
})

describe('bot keys', () => {
  it('are shown once; afterwards the label and the masked form (first 8 ... last 4) identify them', async () => {
    const alice = await oauth('alice')
    const bot = await createBot(alice, 'acme')
    const created = await createKey(alice, 'acme', bot.name, 'github-actions')
    expect(created.key).toMatch(/^sk_bot_[0-9a-f]{64}$/)
    expect(created.masked).toBe(`${created.key.slice(0, 8)}...${created.key.slice(-4)}`)
    expect(created).toEqual({
      created_at: expect.stringMatching(ISO_MS),
      expires_at: expect.stringMatching(ISO_MS),
      id: expect.stringMatching(/^bkey_[0-9a-f]{16}$/),
      key: created.key,
      label: 'github-actions',
      last_used_at: null,
      masked: created.masked,
    })
    // Valid for 20 years.
    const created_at = new Date(created.created_at)
    const twentyYears = new Date(created_at)
    twentyYears.setUTCFullYear(created_at.getUTCFullYear() + 20)
    expect(created.expires_at).toBe(twentyYears.toISOString())

    const listed = await api(emulator.issuer, 'GET', `/v1/orgs/acme/bots/${bot.name}/keys`, alice)
    expect(listed.status).toBe(200)
    const {key: _secret, ...record} = created
    expect(listed.body).toEqual({keys: [record]})
    expect(JSON.stringify(listed.body)).not.toContain(created.key.slice(8, -4))

    const bots = (await api(emulator.issuer, 'GET', '/v1/orgs/acme/bots', alice)).body.bots as Array<{id: string; key_count: number}>
    expect(bots.find((entry) => entry.id === bot.id)?.key_count).toBe(1)
  })

  it('a bot holds several keys; revoking one kills it at once and leaves the other', async () => {
    const alice = await oauth('alice')
    const bot = await createBot(alice, 'acme')
    const old = await createKey(alice, 'acme', bot.name, 'old')
    const fresh = await createKey(alice, 'acme', bot.name, 'new')
    const revoked = await api(emulator.issuer, 'DELETE', `/v1/orgs/acme/bots/${bot.name}/keys/${old.id}`, alice)
    expect(revoked.status).toBe(200)
    const {key: _secret, ...record} = old
    expect(revoked.body).toEqual({...record, last_used_at: null, revoked_at: expect.stringMatching(ISO_MS)})
    expect((await me(emulator.issuer, old.key)).status).toBe(401)
    expect((await me(emulator.issuer, fresh.key)).status).toBe(200)
    const listed = (await api(emulator.issuer, 'GET', `/v1/orgs/acme/bots/${bot.name}/keys`, alice)).body.keys as Array<{id: string}>
    expect(listed.map((entry) => entry.id)).toEqual([fresh.id])
    expect((await api(emulator.issuer, 'DELETE', `/v1/orgs/acme/bots/${bot.name}/keys/${old.id}`, alice)).status).toBe(404)
  })

  it('update last_used_at on every call made with them', async () => {
    const alice = await oauth('alice')
    const bot = await createBot(alice, 'acme')
    const key = await createKey(alice, 'acme', bot.name)
    const lastUsed = async () =>
      ((await api(emulator.issuer, 'GET', `/v1/orgs/acme/bots/${bot.name}/keys`, alice)).body.keys as Array<{last_used_at: string | null}>)[0]
        .last_used_at
    expect(await lastUsed()).toBeNull()
    await me(emulator.issuer, key.key)
    const first = await lastUsed()
    expect(first).toMatch(ISO_MS)
    await sleep(20)
    await api(emulator.issuer, 'GET', '/v1/orgs', key.key)
    expect(Date.parse((await lastUsed())!)).toBeGreaterThan(Date.parse(first!))
  })

  it('refuse a label that is not 1 to 64 printable characters', async () => {
    const alice = await oauth('alice')
    const bot = await createBot(alice, 'acme')
    for (const label of ['', 'x'.repeat(65), 'tab\there', undefined]) {
      const response = await api(emulator.issuer, 'POST', `/v1/orgs/acme/bots/${bot.name}/keys`, alice, {label})
      expect(response.status).toBe(400)
      expect(response.body.error_description).toContain('"label"')
    }
  })

  it('never appear in the request log', async () => {
    const alice = await oauth('alice')
    const bot = await createBot(alice, 'acme')
    const key = await createKey(alice, 'acme', bot.name)
    await me(emulator.issuer, key.key)
    const log = JSON.stringify(await emulator.requests())
    expect(log).not.toContain(key.key.slice(7))
    expect(log).not.toContain(alice)
  })
})
