/**
 * Personal access tokens and API keys through the platform API (`/v1/tokens`, `/v1/api-keys`), against
 * the real emulator over HTTP: scopes, no escalation, immediate revocation, masked forms, last use,
 * organizations, and secrets never shown twice.
 */
import {describe, expect, it} from '@jest/globals'

import {useEmulator} from '../helpers/emulator.js'
import {me, sleep} from './oauth.js'
import {ALL_SCOPES, api, signIn} from './platform.js'

const emulator = useEmulator(['--interval', '0.2'])

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** An alice PAT (bound to acme) with every scope: a caller that may manage credentials. */
async function manager(user = 'alice', org?: string): Promise<string> {
  return (await emulator.createPat({name: 'manager', org, scopes: ALL_SCOPES, user})).token
}

describe.each([
  {collection: '/v1/tokens', field: 'token', kind: 'PAT', list: 'tokens', pattern: /^sk_pat_([0-9a-f]{64})$/, prefix: 'sk_pat_'},
  {collection: '/v1/api-keys', field: 'key', kind: 'API key', list: 'api_keys', pattern: /^sk_live_([0-9a-f]{64})$/, prefix: 'sk_live_'},
])('$collection', ({collection, field, list, pattern, prefix}) => {
  it('creates one: the secret once, the masked form exact, the record complete', async () => {
    const caller = await manager()
    const before = Date.now()
    const created = await api(emulator.issuer, 'POST', collection, caller, {name: 'github-actions-prod', scopes: ['inference', 'account.read']})
    expect(created.status).toBe(201)
    const secret = created.body[field] as string
    const random = pattern.exec(secret)?.[1]
    expect(random).toBeDefined()
    expect(created.body).toEqual({
      created_at: expect.stringMatching(ISO_MS),
      expires_at: null,
      id: expect.any(String),
      last_used_at: null,
      masked: `${prefix}${random!.slice(0, 4)}\u2026${random!.slice(-4)}`,
      name: 'github-actions-prod',
      org: {id: 'org_acme', name: 'acme'},
      scopes: ['inference', 'account.read'],
      [field]: secret,
    })
    expect(Date.parse(created.body.created_at as string)).toBeGreaterThanOrEqual(before)
  })

  it('lists only the caller\'s own, masked, never the secret', async () => {
    const caller = await manager()
    const created = await api(emulator.issuer, 'POST', collection, caller, {name: 'listed', scopes: ['account.read']})
    const secret = created.body[field] as string
    const bobs = await api(emulator.issuer, 'POST', collection, await manager('bob'), {name: 'bobs', scopes: ['account.read']})

    const listed = await api(emulator.issuer, 'GET', collection, caller)
    expect(listed.status).toBe(200)
    const entries = listed.body[list] as Array<Record<string, unknown>>
    const entry = entries.find((candidate) => candidate.id === created.body.id)
    const {[field]: _secret, ...record} = created.body
    expect(entry).toEqual(record)
    expect(entries.map((candidate) => candidate.id)).not.toContain(bobs.body.id)
    const text = JSON.stringify(listed.body)
    expect(text).not.toContain(secret)
    expect(text).not.toContain(secret.slice(prefix.length))
    expect(text).not.toMatch(/[0-9a-f]{64}/)
  })

  it('needs keys.read to list and keys.write to create and revoke', async () => {
    const readOnly = (await emulator.createPat({scopes: ['keys.read', 'account.read']})).token
    const writeOnly = (await emulator.createPat({scopes: ['keys.write', 'account.read']})).token
    const list = await api(emulator.issuer, 'GET', collection, writeOnly)
    expect(list.status).toBe(403)
    expect(list.body).toMatchObject({error: 'insufficient_scope', scope: 'keys.read'})
    expect(list.headers.get('www-authenticate')).toMatch(/scope="keys\.read"/)
    const create = await api(emulator.issuer, 'POST', collection, readOnly, {name: 'x', scopes: ['account.read']})
    expect(create.status).toBe(403)
    expect(create.body).toMatchObject({error: 'insufficient_scope', scope: 'keys.write'})
    const revoke = await api(emulator.issuer, 'DELETE', `${collection}/whatever`, readOnly)
    expect(revoke.status).toBe(403)
    expect(revoke.body).toMatchObject({error: 'insufficient_scope', scope: 'keys.write'})
  })

  it('never gives scopes the caller lacks (no escalation), naming them', async () => {
    const caller = (await emulator.createPat({scopes: ['keys.write', 'account.read', 'inference']})).token
    const response = await api(emulator.issuer, 'POST', collection, caller, {name: 'x', scopes: ['inference', 'deployments.write', 'keys.read']})
    expect(response.status).toBe(403)
    expect(response.body).toEqual({
      error: 'forbidden',
      error_description: expect.stringContaining('deployments.write, keys.read'),
      missing_scopes: ['deployments.write', 'keys.read'],
    })
    // The defaults (the login scopes) are subject to the same rule.
    const defaults = await api(emulator.issuer, 'POST', collection, caller, {name: 'x'})
    expect(defaults.status).toBe(403)
    expect(defaults.body.missing_scopes).toEqual(['projects.read', 'deployments.read'])
    const allowed = await api(emulator.issuer, 'POST', collection, caller, {name: 'x', scopes: ['inference']})
    expect(allowed.status).toBe(201)
  })

  it('applies the same rule to an OAuth token from a sign-in, and defaults to the login scopes', async () => {
    const oauth = await signIn(emulator, 'alice', ['inference', 'projects.read', 'deployments.read', 'account.read', 'keys.write'])
    const made = await api(emulator.issuer, 'POST', collection, oauth, {name: 'defaults'})
    expect(made.status).toBe(201)
    expect(made.body.scopes).toEqual(['inference', 'projects.read', 'deployments.read', 'account.read'])
    const escalating = await api(emulator.issuer, 'POST', collection, oauth, {name: 'x', scopes: ['keys.read']})
    expect(escalating.status).toBe(403)
    expect(escalating.body.missing_scopes).toEqual(['keys.read'])
  })

  it.each([
    ['no name', {}],
    ['an empty name', {name: ''}],
    ['a name of spaces', {name: '   '}],
    ['a name of 65 characters', {name: 'x'.repeat(65)}],
    ['a name with a newline', {name: 'ci\nprod'}],
    ['a name with an escape character', {name: 'ci\u001B[31m'}],
    ['a name with a right-to-left override', {name: 'ci\u202Edorp'}],
    ['a name with a line separator', {name: 'ci\u2028prod'}],
    ['a name that is a number', {name: 7}],
    ['scopes that are not an array', {name: 'x', scopes: 'inference'}],
    ['an empty scope list', {name: 'x', scopes: []}],
    ['a scope not in the catalogue', {name: 'x', scopes: ['root']}],
    ['an org that is a number', {name: 'x', org: 5}],
  ])('answers 400 invalid_request naming the field for %s', async (_label, body) => {
    const response = await api(emulator.issuer, 'POST', collection, await manager(), body)
    expect(response.status).toBe(400)
    expect(response.body).toEqual({error: 'invalid_request', error_description: expect.stringMatching(/"(name|scopes|org)"/)})
  })

  it('accepts a name of 64 printable characters, Unicode included', async () => {
    const name = `déploiement ${'x'.repeat(52)}`
    expect([...name]).toHaveLength(64)
    const response = await api(emulator.issuer, 'POST', collection, await manager(), {name, scopes: ['account.read']})
    expect(response.status).toBe(201)
    expect(response.body.name).toBe(name)
  })

  it('does not need unique names', async () => {
    const caller = await manager()
    const first = await api(emulator.issuer, 'POST', collection, caller, {name: 'same', scopes: ['account.read']})
    const second = await api(emulator.issuer, 'POST', collection, caller, {name: 'same', scopes: ['account.read']})
    expect([first.status, second.status]).toEqual([201, 201])
    expect(first.body.id).not.toBe(second.body.id)
  })

  it('revokes at once: answers the record with revoked_at, drops it from the list, 404 the second time', async () => {
    const caller = await manager()
    const created = await api(emulator.issuer, 'POST', collection, caller, {name: 'short-lived', scopes: ['account.read']})
    const id = created.body.id as string
    const revoked = await api(emulator.issuer, 'DELETE', `${collection}/${id}`, caller)
    expect(revoked.status).toBe(200)
    const {[field]: _secret, ...record} = created.body
    expect(revoked.body).toEqual({...record, revoked_at: expect.stringMatching(ISO_MS)})
    const listed = await api(emulator.issuer, 'GET', collection, caller)
    expect((listed.body[list] as Array<{id: string}>).map((entry) => entry.id)).not.toContain(id)
    const again = await api(emulator.issuer, 'DELETE', `${collection}/${id}`, caller)
    expect(again.status).toBe(404)
    expect(again.body.error).toBe('not_found')
  })

  it("answers 404 for someone else's, exactly as for an unknown id, and leaves it alive", async () => {
    const bobs = await api(emulator.issuer, 'POST', collection, await manager('bob'), {name: 'bobs', scopes: ['account.read']})
    const theirs = await api(emulator.issuer, 'DELETE', `${collection}/${bobs.body.id as string}`, await manager())
    const unknown = await api(emulator.issuer, 'DELETE', `${collection}/nothing_here`, await manager())
    expect(theirs.status).toBe(404)
    expect(unknown.status).toBe(404)
    expect(theirs.body.error).toBe(unknown.body.error)
    const listed = await api(emulator.issuer, 'GET', collection, await manager('bob'))
    expect((listed.body[list] as Array<{id: string}>).map((entry) => entry.id)).toContain(bobs.body.id)
  })

  it('makes it in the organization asked for (name or id), only where the user is a member', async () => {
    const bobOauth = await signIn(emulator, 'bob', ['keys.read', 'keys.write', 'account.read'])
    const byName = await api(emulator.issuer, 'POST', collection, bobOauth, {name: 'g', org: 'globex', scopes: ['account.read']})
    expect(byName.status).toBe(201)
    expect(byName.body.org).toEqual({id: 'org_globex', name: 'globex'})
    const byId = await api(emulator.issuer, 'POST', collection, bobOauth, {name: 'a', org: 'org_acme', scopes: ['account.read']})
    expect(byId.body.org).toEqual({id: 'org_acme', name: 'acme'})
    // The user's first organization, in the seeded order, by default.
    const byDefault = await api(emulator.issuer, 'POST', collection, bobOauth, {name: 'd', scopes: ['account.read']})
    expect(byDefault.body.org).toEqual({id: 'org_acme', name: 'acme'})

    const aliceOauth = await signIn(emulator, 'alice', ['keys.write', 'account.read'])
    for (const org of ['globex', 'initech']) {
      const refused = await api(emulator.issuer, 'POST', collection, aliceOauth, {name: 'x', org, scopes: ['account.read']})
      expect(refused.status).toBe(404)
      expect(refused.body.error).toBe('not_found')
    }
  })

  it('from a credential bound to one organization: makes and shows only that organization\'s', async () => {
    const acmeBob = await manager('bob', 'acme')
    const globexBob = await manager('bob', 'globex')
    const inGlobex = await api(emulator.issuer, 'POST', collection, globexBob, {name: 'in-globex', scopes: ['account.read']})
    expect(inGlobex.body.org).toEqual({id: 'org_globex', name: 'globex'})
    const crossing = await api(emulator.issuer, 'POST', collection, acmeBob, {name: 'x', org: 'globex', scopes: ['account.read']})
    expect(crossing.status).toBe(403)
    expect(crossing.body.error).toBe('forbidden')

    const listed = await api(emulator.issuer, 'GET', collection, acmeBob)
    const orgs = new Set((listed.body[list] as Array<{org: {name: string}}>).map((entry) => entry.org.name))
    expect([...orgs]).toEqual(['acme'])
    const revoking = await api(emulator.issuer, 'DELETE', `${collection}/${inGlobex.body.id as string}`, acmeBob)
    expect(revoking.status).toBe(403)
    expect(revoking.body.error).toBe('forbidden')
  })

  it('refuses a bot: bots have no PATs or API keys', async () => {
    const {key} = await emulator.createBotKey({bot: 'ci-worker', org: 'acme'})
    for (const [method, body] of [['GET', undefined], ['POST', {name: 'x', scopes: ['account.read']}]] as const) {
      const response = await api(emulator.issuer, method, collection, key, body)
      expect(response.status).toBe(403)
      expect(response.body.error).toBe('forbidden')
    }
  })

  it('answers 401 invalid_token without a credential, and 405 for another method', async () => {
    const anonymous = await api(emulator.issuer, 'GET', collection, undefined)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
    const wrong = await api(emulator.issuer, 'DELETE', collection, await manager())
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET, POST')
  })
})

describe('POST /v1/tokens expiry', () => {
  it('takes expires_at (returned in ISO 8601 UTC with milliseconds), and null or nothing for never', async () => {
    const caller = await manager()
    const at = new Date(Date.now() + 30 * 24 * 3600 * 1000)
    const dated = await api(emulator.issuer, 'POST', '/v1/tokens', caller, {expires_at: at.toISOString(), name: 'x', scopes: ['account.read']})
    expect(dated.status).toBe(201)
    expect(dated.body.expires_at).toBe(at.toISOString())
    const never = await api(emulator.issuer, 'POST', '/v1/tokens', caller, {expires_at: null, name: 'x', scopes: ['account.read']})
    expect(never.body.expires_at).toBeNull()
    const plainDate = await api(emulator.issuer, 'POST', '/v1/tokens', caller, {expires_at: '2099-12-31', name: 'x', scopes: ['account.read']})
    expect(plainDate.body.expires_at).toBe('2099-12-31T00:00:00.000Z')
  })

  it.each([
    ['in the past', '2001-01-01T00:00:00Z'],
    ['not a date', 'tomorrow'],
    ['a number', 1_900_000_000],
  ])('refuses expires_at %s with 400', async (_label, expires) => {
    const response = await api(emulator.issuer, 'POST', '/v1/tokens', await manager(), {expires_at: expires, name: 'x', scopes: ['account.read']})
    expect(response.status).toBe(400)
    expect(response.body).toEqual({error: 'invalid_request', error_description: expect.stringContaining('"expires_at"')})
  })

  it('stops accepting the PAT when it expires', async () => {
    const caller = await manager()
    const at = new Date(Date.now() + 1500)
    const made = await api(emulator.issuer, 'POST', '/v1/tokens', caller, {expires_at: at.toISOString(), name: 'x', scopes: ['account.read']})
    expect((await me(emulator.issuer, made.body.token as string)).status).toBe(200)
    await sleep(at.getTime() - Date.now() + 50)
    expect((await me(emulator.issuer, made.body.token as string)).status).toBe(401)
  })

  it('API keys take no expiry', async () => {
    const response = await api(emulator.issuer, 'POST', '/v1/api-keys', await manager(), {expires_at: '2099-01-01T00:00:00Z', name: 'x', scopes: ['account.read']})
    expect(response.status).toBe(400)
    expect(response.body.error_description).toContain('"expires_at"')
  })
})

describe('using a PAT', () => {
  it('is refused at once after revocation (401 invalid_token on the next call)', async () => {
    const caller = await manager()
    const made = await api(emulator.issuer, 'POST', '/v1/tokens', caller, {name: 'doomed', scopes: ['account.read']})
    const token = made.body.token as string
    expect((await me(emulator.issuer, token)).status).toBe(200)
    await api(emulator.issuer, 'DELETE', `/v1/tokens/${made.body.id as string}`, caller)
    const after = await me(emulator.issuer, token)
    expect(after.status).toBe(401)
    expect(after.body.error).toBe('invalid_token')
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
  })

  it('can revoke itself', async () => {
    const self = await emulator.createPat({scopes: ['keys.write', 'account.read']})
    const revoked = await api(emulator.issuer, 'DELETE', `/v1/tokens/${self.id}`, self.token)
    expect(revoked.status).toBe(200)
    expect((await me(emulator.issuer, self.token)).status).toBe(401)
  })

  it('updates last_used_at on every call, even one refused for scope', async () => {
    const caller = await manager()
    const made = await api(emulator.issuer, 'POST', '/v1/tokens', caller, {name: 'watched', scopes: ['account.read']})
    const listEntry = async () =>
      ((await api(emulator.issuer, 'GET', '/v1/tokens', caller)).body.tokens as Array<{id: string; last_used_at: string | null}>).find(
        (entry) => entry.id === made.body.id,
      )!
    expect((await listEntry()).last_used_at).toBeNull()

    const before = Date.now()
    await me(emulator.issuer, made.body.token as string)
    const first = (await listEntry()).last_used_at
    expect(first).toMatch(ISO_MS)
    expect(Date.parse(first!)).toBeGreaterThanOrEqual(before)

    await sleep(20)
    const refused = await api(emulator.issuer, 'GET', '/v1/tokens', made.body.token as string)
    expect(refused.status).toBe(403)
    expect(Date.parse((await listEntry()).last_used_at!)).toBeGreaterThan(Date.parse(first!))
  })

  it('reports its id, type and organization at /v1/me', async () => {
    const pat = await emulator.createPat({org: 'globex', scopes: ['account.read'], user: 'bob'})
    const {body} = await me(emulator.issuer, pat.token)
    expect(body.token).toEqual({expires_at: null, id: pat.id, type: 'pat'})
    expect(body.org).toEqual({id: 'org_globex', name: 'globex', role: 'admin'})
  })
})

describe('secrets stay out of sight', () => {
  it('never appear in the request log', async () => {
    const caller = await manager()
    const pat = await api(emulator.issuer, 'POST', '/v1/tokens', caller, {name: 'logged', scopes: ['account.read']})
    const key = await api(emulator.issuer, 'POST', '/v1/api-keys', caller, {name: 'logged', scopes: ['account.read']})
    await me(emulator.issuer, pat.body.token as string)
    await api(emulator.issuer, 'DELETE', `/v1/tokens/${pat.body.id as string}`, caller)
    const log = JSON.stringify(await emulator.requests())
    for (const secret of [caller, pat.body.token as string, key.body.key as string]) {
      expect(log).not.toContain(secret)
      expect(log).not.toContain(secret.slice(-20))
    }

    expect(log).not.toMatch(/[0-9a-f]{64}/)
  })
})
