/**
 * API keys in pipelines (issue 15 §3), on the emulator's side: an API key is traded at the token
 * endpoint for a short-lived access token (RFC 8693); the key itself is refused at the platform API.
 */
import {describe, expect, it} from '@jest/globals'

import {useEmulator} from '../helpers/emulator.js'
import {CLIENT_ID, getJson, me, postForm, postJson, sleep} from './oauth.js'
import {ACCESS_TOKEN_TYPE, api, exchange, TOKEN_EXCHANGE_GRANT} from './platform.js'

const emulator = useEmulator(['--interval', '0.2'])

describe('discovery', () => {
  it('lists the token exchange grant', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const {body} = await getJson(`${emulator.issuer}${path}`)
      expect(body.grant_types_supported).toContain(TOKEN_EXCHANGE_GRANT)
    }
  })
})

describe('exchanging an API key', () => {
  it('gives a Bearer access token with the key\'s scopes, 15 minutes by default, that works at /v1/me', async () => {
    const apiKey = await emulator.createApiKey({name: 'pipeline', org: 'globex', scopes: ['account.read', 'inference'], user: 'bob'})
    const before = Date.now()
    const response = await exchange(emulator.issuer, apiKey.key)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toContain('no-store')
    expect(response.body).toEqual({
      access_token: expect.stringMatching(/^[\w-]{43}$/),
      expires_in: 900,
      issued_token_type: ACCESS_TOKEN_TYPE,
      scope: 'account.read inference',
      token_type: 'Bearer',
    })

    const {body, status} = await me(emulator.issuer, response.body.access_token as string)
    expect(status).toBe(200)
    expect(body).toMatchObject({
      email: 'bob@example.com',
      id: 'usr_bob',
      org: {id: 'org_globex', name: 'globex', role: 'admin'},
      principal: {id: 'usr_bob', kind: 'user', name: 'Bob Example'},
      scopes: ['account.read', 'inference'],
      token: {id: apiKey.id, type: 'exchanged'},
    })
    const expiresAt = Date.parse((body.token as {expires_at: string}).expires_at)
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 900_000)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 900_000)
  })

  it('acts only in the key\'s organization', async () => {
    const apiKey = await emulator.createApiKey({org: 'acme', scopes: ['account.read', 'keys.read'], user: 'bob'})
    const token = (await exchange(emulator.issuer, apiKey.key)).body.access_token as string
    expect((await api(emulator.issuer, 'GET', '/v1/orgs', token)).body).toEqual({orgs: [{id: 'org_acme', name: 'acme', role: 'member'}]})
    const cross = await api(emulator.issuer, 'GET', '/v1/orgs/globex/bots', token)
    expect(cross.status).toBe(403)
    expect(cross.body.error).toBe('forbidden')
  })

  it('narrows to the scopes asked for, and refuses scopes the key lacks', async () => {
    const apiKey = await emulator.createApiKey({scopes: ['account.read', 'inference']})
    const narrowed = await exchange(emulator.issuer, apiKey.key, {scope: 'inference'})
    expect(narrowed.status).toBe(200)
    expect(narrowed.body.scope).toBe('inference')
    expect((await me(emulator.issuer, narrowed.body.access_token as string)).status).toBe(403)

    const wider = await exchange(emulator.issuer, apiKey.key, {scope: 'inference keys.write'})
    expect(wider.status).toBe(400)
    expect(wider.body.error).toBe('invalid_scope')
    expect(wider.body.error_description).toContain('keys.write')
  })

  it('updates the key\'s last_used_at when exchanged and on every call with the exchanged token', async () => {
    const manager = (await emulator.createPat({scopes: ['keys.read', 'account.read']})).token
    const apiKey = await emulator.createApiKey({scopes: ['account.read']})
    const lastUsed = async () =>
      ((await api(emulator.issuer, 'GET', '/v1/api-keys', manager)).body.api_keys as Array<{id: string; last_used_at: string | null}>).find(
        (entry) => entry.id === apiKey.id,
      )!.last_used_at
    expect(await lastUsed()).toBeNull()
    const token = (await exchange(emulator.issuer, apiKey.key)).body.access_token as string
    const atExchange = await lastUsed()
    expect(atExchange).not.toBeNull()
    await sleep(20)
    await me(emulator.issuer, token)
    expect(Date.parse((await lastUsed())!)).toBeGreaterThan(Date.parse(atExchange!))
  })

  it('ends at once for tokens already exchanged when the key is revoked, and the next exchange fails', async () => {
    const manager = (await emulator.createPat({scopes: ['keys.write', 'account.read']})).token
    const apiKey = await emulator.createApiKey({scopes: ['account.read']})
    const token = (await exchange(emulator.issuer, apiKey.key)).body.access_token as string
    expect((await me(emulator.issuer, token)).status).toBe(200)

    const revoked = await api(emulator.issuer, 'DELETE', `/v1/api-keys/${apiKey.id}`, manager)
    expect(revoked.status).toBe(200)
    const after = await me(emulator.issuer, token)
    expect(after.status).toBe(401)
    expect(after.body.error).toBe('invalid_token')

    const again = await exchange(emulator.issuer, apiKey.key)
    expect(again.status).toBe(400)
    expect(again.body.error).toBe('invalid_grant')
  })

  it('ends them for introspection too once the key is revoked', async () => {
    const apiKey = await emulator.createApiKey({scopes: ['account.read']})
    const token = (await exchange(emulator.issuer, apiKey.key)).body.access_token as string
    const introspect = () => postForm(`${emulator.issuer}/token/introspection`, {client_id: CLIENT_ID, token})
    expect((await introspect()).body).toMatchObject({active: true, client_id: CLIENT_ID, scope: 'account.read', sub: 'usr_alice'})
    await emulator.revoke(apiKey.key)
    expect((await introspect()).body).toEqual({active: false})
  })

  it('also ends when the key is revoked through the control API', async () => {
    const apiKey = await emulator.createApiKey({scopes: ['account.read']})
    const token = (await exchange(emulator.issuer, apiKey.key)).body.access_token as string
    await emulator.revoke(apiKey.key)
    expect((await me(emulator.issuer, token)).status).toBe(401)
  })

  it('ends when the exchanged token expires (exchanged_token_ttl)', async () => {
    await postJson(`${emulator.issuer}/_emulator/settings`, {exchanged_token_ttl: 1})
    try {
      const apiKey = await emulator.createApiKey({scopes: ['account.read']})
      const response = await exchange(emulator.issuer, apiKey.key)
      expect(response.body.expires_in).toBe(1)
      const token = response.body.access_token as string
      expect((await me(emulator.issuer, token)).status).toBe(200)
      await sleep(2100)
      expect((await me(emulator.issuer, token)).status).toBe(401)
    } finally {
      await postJson(`${emulator.issuer}/_emulator/settings`, {exchanged_token_ttl: 900})
    }
  })

  it('is logged with its grant_type, never with the key or the token', async () => {
    const apiKey = await emulator.createApiKey({scopes: ['account.read']})
    const token = (await exchange(emulator.issuer, apiKey.key)).body.access_token as string
    await exchange(emulator.issuer, `sk_live_${'0'.repeat(64)}`)
    const log = await emulator.requests()
    const exchanges = log.filter((entry) => entry.grant_type === TOKEN_EXCHANGE_GRANT)
    expect(exchanges.length).toBeGreaterThanOrEqual(2)
    expect(exchanges.at(-2)).toMatchObject({method: 'POST', path: '/token', status: 200})
    expect(exchanges.at(-1)).toMatchObject({error: 'invalid_grant', path: '/token', status: 400})
    const text = JSON.stringify(log)
    expect(text).not.toContain(apiKey.key.slice(8))
    expect(text).not.toContain(token)
  })
})

describe('refusals', () => {
  it('refuses the API key itself at the platform API, saying to exchange it', async () => {
    const apiKey = await emulator.createApiKey({scopes: ['account.read']})
    const {body, headers, status} = await me(emulator.issuer, apiKey.key)
    expect(status).toBe(401)
    expect(headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
    expect(body).toEqual({error: 'invalid_token', error_description: 'API keys are exchanged at the token endpoint first (RFC 8693)'})
  })

  it.each([
    ['an unknown key', `sk_live_${'a'.repeat(64)}`],
    ['a malformed key', 'sk_live_short'],
  ])('answers 400 invalid_grant for %s', async (_label, subject) => {
    const response = await exchange(emulator.issuer, subject)
    expect(response.status).toBe(400)
    expect(response.body.error).toBe('invalid_grant')
  })

  it('exchanges only API keys: a PAT or a bot key is invalid_grant', async () => {
    const pat = await emulator.createPat({scopes: ['account.read']})
    const bot = await emulator.createBotKey({bot: 'exchanger', org: 'acme'})
    for (const subject of [pat.token, bot.key]) {
      const response = await exchange(emulator.issuer, subject)
      expect(response.status).toBe(400)
      expect(response.body.error).toBe('invalid_grant')
    }
  })

  it.each([
    ['no subject_token', {subject_token: ''}, /subject_token/],
    ['no subject_token_type', {subject_token_type: ''}, /subject_token_type/],
    ['another subject_token_type', {subject_token_type: 'urn:ietf:params:oauth:token-type:jwt'}, /subject_token_type/],
    ['another requested_token_type', {requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token'}, /requested_token_type/],
    ['an actor_token', {actor_token: 'x', actor_token_type: ACCESS_TOKEN_TYPE}, /actor_token/],
  ])('answers 400 invalid_request for %s', async (_label, params, description) => {
    const apiKey = await emulator.createApiKey({scopes: ['account.read']})
    const response = await postForm(`${emulator.issuer}/token`, {
      client_id: CLIENT_ID,
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: apiKey.key,
      subject_token_type: ACCESS_TOKEN_TYPE,
      ...params,
    })
    expect(response.status).toBe(400)
    expect(response.body.error).toBe('invalid_request')
    expect(response.body.error_description).toMatch(description)
  })

  it('answers invalid_client for an unknown client', async () => {
    const apiKey = await emulator.createApiKey({scopes: ['account.read']})
    const response = await postForm(`${emulator.issuer}/token`, {
      client_id: 'someone-else',
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: apiKey.key,
      subject_token_type: ACCESS_TOKEN_TYPE,
    })
    expect(response.status).toBe(401)
    expect(response.body.error).toBe('invalid_client')
  })
})
