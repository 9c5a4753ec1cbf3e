/**
 * The settings where real servers differ (`GET`/`POST /_emulator/settings`, and the same as flags):
 * each one changes what a client sees, over HTTP, and bad values change nothing.
 */
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {afterEach, describe, expect, it} from '@jest/globals'

import {startEmulator, useEmulator} from '../helpers/emulator.js'
import {CLIENT_ID, getJson, LOGIN_SCOPE, me, pollToken, postForm, postJson, refresh, startDeviceAuthorization} from './oauth.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

const DEFAULTS = {
  bare_401: false,
  bare_refresh_errors: false,
  exchanged_token_ttl: 900,
  known_scopes: null,
  plain_oauth: false,
  reuse_revokes_grant: true,
  revocation_requires_client_auth: false,
  rotate_refresh_tokens: true,
  slow_down_polls: 0,
}

const emulator = useEmulator(['--interval', '0.2'])
const settingsUrl = () => `${emulator.issuer}/_emulator/settings`

async function set(changes: Record<string, unknown>): Promise<void> {
  const response = await postJson(settingsUrl(), changes)
  expect(response.status).toBe(200)
}

afterEach(async () => {
  await set(DEFAULTS)
})

async function signIn(scope = LOGIN_SCOPE) {
  const device = await startDeviceAuthorization(emulator.issuer, scope)
  await emulator.approve(device.user_code, 'alice')
  const response = await pollToken(emulator.issuer, device.device_code)
  expect(response.status).toBe(200)
  return response.body as {access_token: string; id_token?: string; refresh_token: string; scope: string}
}

describe('the settings endpoint', () => {
  it('shows the defaults', async () => {
    expect((await getJson(settingsUrl())).body).toEqual(DEFAULTS)
  })

  it.each([
    ['an unknown setting', {rotate: false}],
    ['a boolean as a string', {rotate_refresh_tokens: 'false'}],
    ['a negative slow_down_polls', {slow_down_polls: -1}],
    ['a fractional slow_down_polls', {slow_down_polls: 1.5}],
    ['known_scopes that is not a list', {known_scopes: 'openid'}],
    ['a known scope not in the catalogue', {known_scopes: ['openid', 'root']}],
    ['a good and a bad field together', {bare_401: true, slow_down_polls: 'many'}],
  ])('refuses %s with 400 and changes nothing', async (_label, body) => {
    const response = await postJson(settingsUrl(), body)
    expect(response.status).toBe(400)
    expect(response.body).toEqual({error: 'invalid_request', error_description: expect.any(String)})
    expect((await getJson(settingsUrl())).body).toEqual(DEFAULTS)
  })

  it('changes only what it is given and answers with all of them', async () => {
    const response = await postJson(settingsUrl(), {bare_401: true})
    expect(response.body).toEqual({...DEFAULTS, bare_401: true})
  })
})

describe('refresh tokens', () => {
  it('rotate_refresh_tokens false: the same refresh token keeps working', async () => {
    await set({rotate_refresh_tokens: false})
    const tokens = await signIn()
    for (let round = 0; round < 3; round++) {
      const refreshed = await refresh(emulator.issuer, tokens.refresh_token)
      expect(refreshed.status).toBe(200)
      expect(refreshed.body.refresh_token ?? tokens.refresh_token).toBe(tokens.refresh_token)
      expect((await me(emulator.issuer, refreshed.body.access_token as string)).status).toBe(200)
    }
  })

  it('reuse_revokes_grant false: a reused refresh token is refused, the newest tokens live on', async () => {
    await set({reuse_revokes_grant: false})
    const first = await signIn()
    const rotated = await refresh(emulator.issuer, first.refresh_token)
    expect(rotated.status).toBe(200)

    const reused = await refresh(emulator.issuer, first.refresh_token)
    expect(reused.status).toBe(400)
    expect(reused.body.error).toBe('invalid_grant')
    expect((await me(emulator.issuer, rotated.body.access_token as string)).status).toBe(200)
    expect((await refresh(emulator.issuer, rotated.body.refresh_token as string)).status).toBe(200)
  })

  it('reuse_revokes_grant true (default): a reused refresh token takes the newest tokens with it', async () => {
    const first = await signIn()
    const rotated = await refresh(emulator.issuer, first.refresh_token)
    await refresh(emulator.issuer, first.refresh_token)
    expect((await me(emulator.issuer, rotated.body.access_token as string)).status).toBe(401)
  })

  it('bare_refresh_errors: a refused refresh is a bare 400 with an empty body; a good one still works', async () => {
    await set({bare_refresh_errors: true})
    const tokens = await signIn()
    await emulator.revoke(tokens.refresh_token)
    const response = await fetch(`${emulator.issuer}/token`, {
      body: new URLSearchParams({client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: tokens.refresh_token}),
      method: 'POST',
    })
    expect(response.status).toBe(400)
    expect(await response.text()).toBe('')
    expect(response.headers.get('content-type')).toBeNull()

    const fresh = await signIn()
    expect((await refresh(emulator.issuer, fresh.refresh_token)).status).toBe(200)
  })
})

describe('revocation_requires_client_auth', () => {
  it('answers the public client 401 invalid_client, and the token stays live', async () => {
    await set({revocation_requires_client_auth: true})
    const tokens = await signIn()
    const response = await postForm(`${emulator.issuer}/token/revocation`, {client_id: CLIENT_ID, token: tokens.access_token})
    expect(response.status).toBe(401)
    expect(response.body).toEqual({error: 'invalid_client', error_description: expect.any(String)})
    expect((await me(emulator.issuer, tokens.access_token)).status).toBe(200)
  })
})

describe('known_scopes', () => {
  it('grants only the requested scopes the server knows, and answers 200', async () => {
    await set({known_scopes: ['openid', 'offline_access', 'account.read']})
    const tokens = await signIn()
    expect(tokens.scope).toBe('openid offline_access account.read')
    expect((await me(emulator.issuer, tokens.access_token)).body.scopes).toEqual(['openid', 'offline_access', 'account.read'])
  })
})

describe('bare_401', () => {
  it('a rejected token gets a bare 401 at userinfo and at the platform API', async () => {
    await set({bare_401: true})
    for (const path of ['/me', '/v1/me']) {
      const response = await fetch(`${emulator.issuer}${path}`, {headers: {authorization: 'Bearer not-a-live-token-0123456789'}})
      expect({path, status: response.status}).toEqual({path, status: 401})
      expect(response.headers.get('www-authenticate')).toBeNull()
      expect(await response.text()).toBe('')
    }
  })

  it('without it, the 401 says why (RFC 6750)', async () => {
    const response = await fetch(`${emulator.issuer}/v1/me`, {headers: {authorization: 'Bearer not-a-live-token-0123456789'}})
    expect(response.headers.get('www-authenticate')).toContain('invalid_token')
  })
})

describe('plain_oauth', () => {
  it('serves RFC 8414 metadata only, without userinfo; no OpenID discovery, userinfo, ID tokens or platform API', async () => {
    await set({plain_oauth: true})
    expect((await getJson(`${emulator.issuer}/.well-known/openid-configuration`)).status).toBe(404)
    const metadata = await getJson(`${emulator.issuer}/.well-known/oauth-authorization-server`)
    expect(metadata.status).toBe(200)
    expect(metadata.body).toMatchObject({
      device_authorization_endpoint: `${emulator.issuer}/device/auth`,
      issuer: emulator.issuer,
      revocation_endpoint: `${emulator.issuer}/token/revocation`,
      token_endpoint: `${emulator.issuer}/token`,
    })
    expect(metadata.body.userinfo_endpoint).toBeUndefined()

    const tokens = await signIn()
    expect(tokens.id_token).toBeUndefined()
    expect(tokens.refresh_token).toEqual(expect.any(String))
    expect((await fetch(`${emulator.issuer}/me`, {headers: {authorization: `Bearer ${tokens.access_token}`}})).status).toBe(404)
    expect((await me(emulator.issuer, tokens.access_token)).status).toBe(404)
    expect((await refresh(emulator.issuer, tokens.refresh_token)).status).toBe(200)
  })
})

describe('as flags', () => {
  it('start the emulator with the same settings', async () => {
    const flagged = await startEmulator([
      '--no-rotate-refresh-tokens',
      '--no-reuse-revokes-grant',
      '--revocation-requires-client-auth',
      '--known-scopes',
      'openid,offline_access,inference',
      '--bare-refresh-errors',
      '--bare-401',
      '--plain-oauth',
      '--slow-down-polls',
      '2',
    ])
    try {
      expect((await getJson(`${flagged.issuer}/_emulator/settings`)).body).toEqual({
        bare_401: true,
        bare_refresh_errors: true,
        exchanged_token_ttl: 900,
        known_scopes: ['openid', 'offline_access', 'inference'],
        plain_oauth: true,
        reuse_revokes_grant: false,
        revocation_requires_client_auth: true,
        rotate_refresh_tokens: false,
        slow_down_polls: 2,
      })
    } finally {
      await flagged.stop()
    }
  })

  it.each([
    [['--known-scopes', 'openid,root'], /--known-scopes: .*root/],
    [['--slow-down-polls', '-1'], /--slow-down-polls: /],
  ])('refuses %j with a one-line usage error', async (args, message) => {
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', ...args], {env: {...process.env, NODE_ENV: undefined}})
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    const code = await new Promise((resolve) => {
      child.on('close', resolve)
    })
    expect(code).toBe(2)
    expect(stderr).toMatch(message)
    expect(stderr).toMatch(/^Hint: /m)
  })
})
