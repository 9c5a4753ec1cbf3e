/**
 * The control API's answers to bad input: always a 4xx with a JSON `{error, error_description}`, and
 * the emulator keeps serving afterwards.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'

import {type RunningEmulator, startEmulator} from '../helpers/emulator.js'
import {postJson, startDeviceAuthorization} from './oauth.js'

let emulator: RunningEmulator
let issuer: string

beforeAll(async () => {
  emulator = await startEmulator(['--interval', '0.2'])
  issuer = emulator.issuer
})

afterAll(async () => {
  await emulator?.stop()
})

const control = (path: string) => `${issuer}/_emulator${path}`

describe('bad input to the control API', () => {
  it.each([
    ['malformed JSON', '/pats', '{"user": "alice",'],
    ['a JSON array', '/pats', '[1, 2]'],
    ['a JSON string', '/projects', '"alice"'],
    ['scopes that are not an array', '/pats', {name: 'x', scopes: 'account.read', user: 'alice'}],
    ['scopes with a non-string', '/pats', {name: 'x', scopes: ['account.read', 7], user: 'alice'}],
    ['a scope not in the catalogue', '/pats', {name: 'x', scopes: ['root'], user: 'alice'}],
    ['a name that is a number', '/pats', {name: 42, scopes: [], user: 'alice'}],
    ['a negative expires_in', '/pats', {expires_in: -5, name: 'x', scopes: [], user: 'alice'}],
    ['expires_in as a string', '/pats', {expires_in: '60', name: 'x', scopes: [], user: 'alice'}],
    ['an unknown user', '/pats', {name: 'x', scopes: [], user: 'mallory'}],
    ['a missing user', '/projects', {name: 'x'}],
    ['a user that is an object', '/projects', {name: 'x', user: {name: 'alice'}}],
    ['a missing project name', '/projects', {user: 'alice'}],
    ['a missing user_code', '/device/approve', {user: 'alice'}],
    ['a user_code that is a number', '/device/deny', {user_code: 12_345_678}],
    ['a token that is null', '/revoke', {token: null}],
    ['a PAT in an organization the user is not in', '/pats', {name: 'x', org: 'globex', user: 'alice'}],
    ['an API key for an unknown user', '/api-keys', {name: 'x', user: 'mallory'}],
    ['an API key in an unknown organization', '/api-keys', {name: 'x', org: 'initech', user: 'alice'}],
    ['an API key with a scope not in the catalogue', '/api-keys', {name: 'x', scopes: ['root'], user: 'alice'}],
    ['a bot key in an unknown organization', '/bots/keys', {bot: 'ci', label: 'x', org: 'initech'}],
    ['a bot key for a bot name with capitals', '/bots/keys', {bot: 'CI', label: 'x', org: 'acme'}],
    ['a bot key without a label', '/bots/keys', {bot: 'ci', org: 'acme'}],
  ])('answers 400 JSON for %s', async (_label, path, body) => {
    const response = await postJson(control(path), body)
    expect(response.status).toBe(400)
    expect(response.body).toEqual({error: expect.any(String), error_description: expect.any(String)})
  })

  it('answers 404 for an unknown user code, to approve and to deny', async () => {
    for (const path of ['/device/approve', '/device/deny']) {
      const response = await postJson(control(path), {user: 'alice', user_code: 'BBBB-BBBB'})
      expect(response.status).toBe(404)
      expect(response.body.error).toBe('not_found')
    }
  })

  it('answers 400 for an unknown user when approving', async () => {
    const device = await startDeviceAuthorization(issuer)
    const response = await postJson(control('/device/approve'), {user: 'mallory', user_code: device.user_code})
    expect(response.status).toBe(400)
    expect(response.body.error).toBe('unknown_user')
  })

  it('answers 400 when asked to grant a scope the device did not request', async () => {
    const device = await startDeviceAuthorization(issuer, 'openid inference')
    const response = await postJson(control('/device/approve'), {scopes: ['keys.write'], user: 'alice', user_code: device.user_code})
    expect(response.status).toBe(400)
    expect(response.body.error).toBe('invalid_scope')
  })

  it('answers 404 when revoking something that is not a live token or key', async () => {
    const response = await postJson(control('/revoke'), {token: 'sk_pat_nothing'})
    expect(response.status).toBe(404)
  })

  it('answers 413 JSON for a body over 64 KiB, and keeps serving', async () => {
    const huge = JSON.stringify({name: 'x'.repeat(70 * 1024), user: 'alice'})
    const response = await postJson(control('/projects'), huge)
    expect(response.status).toBe(413)
    expect(response.body.error).toBe('invalid_request')

    const after = await postJson(control('/projects'), {name: 'still here', user: 'alice'})
    expect(after.status).toBe(201)
  })

  it('answers 413 for a huge form body on the token endpoint too', async () => {
    const response = await fetch(`${issuer}/token`, {
      body: new URLSearchParams({client_id: 'latch-cli', grant_type: 'refresh_token', refresh_token: 'x'.repeat(70 * 1024)}),
      method: 'POST',
    })
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
    expect(((await response.json()) as {error: string}).error).toEqual(expect.any(String))
  })

  it('answers 404 for an unknown control endpoint and 405 for a wrong method', async () => {
    const unknown = await postJson(control('/nothing'), {})
    expect(unknown.status).toBe(404)
    const wrongMethod = await fetch(control('/pats'))
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('POST')
  })

  it('answers malformed JSON on the OAuth endpoints with a 4xx JSON error', async () => {
    const response = await fetch(`${issuer}/token`, {
      body: '{"grant_type": ',
      headers: {'content-type': 'application/json'},
      method: 'POST',
    })
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
    expect(((await response.json()) as {error: string}).error).toEqual(expect.any(String))
  })
})

describe('what the control API creates', () => {
  it('creates a PAT (201) and shows the raw token only in that response', async () => {
    const response = await postJson(control('/pats'), {expires_in: 60, name: 'deploy', scopes: ['inference'], user: 'bob'})
    expect(response.status).toBe(201)
    expect(response.body).toMatchObject({id: expect.stringMatching(/^pat_/), name: 'deploy', scopes: ['inference']})
    expect(response.body.token).toMatch(/^sk_pat_[0-9a-f]{64}$/)
    expect(Date.parse(response.body.expires_at as string)).toBeGreaterThan(Date.now())
  })

  it('creates a PAT in the organization asked for, by name or id, with its masked form', async () => {
    const response = await postJson(control('/pats'), {name: 'g', org: 'org_globex', user: 'bob'})
    expect(response.status).toBe(201)
    const token = response.body.token as string
    expect(response.body).toMatchObject({
      masked: `sk_pat_${token.slice(7, 11)}\u2026${token.slice(-4)}`,
      org: {id: 'org_globex', name: 'globex'},
      scopes: ['inference', 'projects.read', 'deployments.read', 'account.read'],
    })
  })

  it('creates an API key (201) in the user\'s first organization by default', async () => {
    const response = await postJson(control('/api-keys'), {name: 'svc', scopes: ['inference'], user: 'bob'})
    expect(response.status).toBe(201)
    expect(response.body).toMatchObject({expires_at: null, id: expect.stringMatching(/^key_/), name: 'svc', org: {id: 'org_acme', name: 'acme'}, scopes: ['inference']})
    expect(response.body.key).toMatch(/^sk_live_[0-9a-f]{64}$/)
  })

  it('creates a bot key (201), making the bot the first time only', async () => {
    const first = await postJson(control('/bots/keys'), {bot: 'nightly', label: 'one', org: 'globex'})
    const second = await postJson(control('/bots/keys'), {bot: 'nightly', label: 'two', org: 'org_globex'})
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({bot: {id: expect.stringMatching(/^bot_/), name: 'nightly'}, label: 'one', org: {id: 'org_globex', name: 'globex'}})
    expect(first.body.key).toMatch(/^sk_bot_[0-9a-f]{64}$/)
    expect(second.body.bot).toEqual(first.body.bot)
    expect(second.body.key).not.toBe(first.body.key)
  })

  it('revokes API keys and bot keys, saying which it was', async () => {
    const apiKey = await postJson(control('/api-keys'), {name: 'svc', user: 'alice'})
    const botKey = await postJson(control('/bots/keys'), {bot: 'revoked', label: 'x', org: 'acme'})
    expect((await postJson(control('/revoke'), {token: apiKey.body.key})).body).toEqual({revoked: 'api_key'})
    expect((await postJson(control('/revoke'), {token: botKey.body.key})).body).toEqual({revoked: 'bot_key'})
    expect((await postJson(control('/revoke'), {token: botKey.body.key})).status).toBe(404)
  })

  it('creates a project (201) with a fresh access key each time', async () => {
    const first = await postJson(control('/projects'), {name: 'A', user: 'alice'})
    const second = await postJson(control('/projects'), {name: 'A', user: 'alice'})
    expect(first.status).toBe(201)
    expect(first.body.access_key).toMatch(/^sk_proj_[\w-]{32,}$/)
    expect(second.body.access_key).not.toBe(first.body.access_key)
    expect(second.body.id).not.toBe(first.body.id)
  })

  it('logs its own requests in the request log', async () => {
    await postJson(control('/projects'), {name: 'logged', user: 'alice'})
    const log = await emulator.requests()
    expect(log.at(-1)).toEqual({at: expect.any(String), method: 'POST', path: '/_emulator/projects', status: 201})
  })
})
