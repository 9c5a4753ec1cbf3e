/**
 * The authorization server side of the emulator, driven over HTTP as a client would: discovery, the
 * device flow (approved and denied through the control API, expired), refresh-token rotation,
 * revocation, introspection, userinfo, --auto-approve and the request log.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'

import {type RunningEmulator, startEmulator, useEmulator} from '../helpers/emulator.js'
import {
  CLIENT_ID,
  DEVICE_GRANT,
  getJson,
  LOGIN_SCOPE,
  me,
  pollToken,
  pollUntilSettled,
  postForm,
  refresh,
  startDeviceAuthorization,
} from './oauth.js'

let emulator: RunningEmulator
let issuer: string

beforeAll(async () => {
  emulator = await startEmulator(['--interval', '0.2'])
  issuer = emulator.issuer
})

afterAll(async () => {
  await emulator?.stop()
})

/** A completed device login for alice, approved through the control API. */
async function signIn(scope = LOGIN_SCOPE, grant?: string[]) {
  const device = await startDeviceAuthorization(issuer, scope)
  await emulator.approve(device.user_code, 'alice', grant)
  const response = await pollToken(issuer, device.device_code)
  expect(response.status).toBe(200)
  return response.body as {access_token: string; refresh_token?: string; scope: string; expires_in: number}
}

describe('discovery', () => {
  it('publishes the OpenID configuration with every endpoint the CLI uses', async () => {
    const {body, status} = await getJson(`${issuer}/.well-known/openid-configuration`)
    expect(status).toBe(200)
    expect(body.issuer).toBe(issuer)
    expect(body.device_authorization_endpoint).toBe(`${issuer}/device/auth`)
    expect(body.token_endpoint).toBe(`${issuer}/token`)
    expect(body.revocation_endpoint).toBe(`${issuer}/token/revocation`)
    expect(body.introspection_endpoint).toBe(`${issuer}/token/introspection`)
    expect(body.userinfo_endpoint).toBe(`${issuer}/me`)
    expect(body.jwks_uri).toBe(`${issuer}/jwks`)
    expect(body.grant_types_supported).toEqual(expect.arrayContaining([DEVICE_GRANT, 'refresh_token']))
    expect(body.scopes_supported).toEqual(expect.arrayContaining(['openid', 'offline_access', 'inference', 'account.read']))
  })

  it('publishes the OAuth authorization server metadata too', async () => {
    const {body, status} = await getJson(`${issuer}/.well-known/oauth-authorization-server`)
    expect(status).toBe(200)
    expect(body.issuer).toBe(issuer)
    expect(body.device_authorization_endpoint).toBe(`${issuer}/device/auth`)
    expect(body.token_endpoint).toBe(`${issuer}/token`)
  })

  it('serves a JWKS with one signing key', async () => {
    const {body} = await getJson(`${issuer}/jwks`)
    expect(body.keys).toEqual([expect.objectContaining({alg: 'RS256', kty: 'RSA', use: 'sig'})])
  })
})

describe('device flow', () => {
  it('answers the device authorization request with codes, URIs and the interval', async () => {
    const device = await startDeviceAuthorization(issuer)
    expect(device.user_code).toMatch(/^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/)
    expect(device.verification_uri).toBe(`${issuer}/device`)
    expect(device.verification_uri_complete).toBe(`${issuer}/device?user_code=${device.user_code}`)
    expect(device.expires_in).toBe(900)
    expect(device.interval).toBe(0.2)
  })

  it('is pending until approved, then issues access, refresh and ID tokens', async () => {
    const device = await startDeviceAuthorization(issuer)
    const pending = await pollToken(issuer, device.device_code)
    expect(pending.status).toBe(400)
    expect(pending.body.error).toBe('authorization_pending')

    // Lower case and without the dash: the control API normalizes codes as the pages do.
    await emulator.approve(device.user_code.replace('-', '').toLowerCase(), 'bob')
    const {body, status} = await pollUntilSettled(issuer, device)
    expect(status).toBe(200)
    expect(body.token_type).toBe('Bearer')
    expect(body.expires_in).toBe(3600)
    expect(body.scope).toBe(LOGIN_SCOPE)
    expect(typeof body.access_token).toBe('string')
    expect(typeof body.refresh_token).toBe('string')
    expect(typeof body.id_token).toBe('string')

    const profile = await me(issuer, body.access_token as string)
    expect(profile.body).toMatchObject({email: 'bob@example.com', id: 'usr_bob', name: 'Bob Example'})

    // The device code is single-use.
    const again = await pollToken(issuer, device.device_code)
    expect(again.body.error).toBe('invalid_grant')
  })

  it('grants only the scopes the approver chose, plus the protocol scopes', async () => {
    const tokens = await signIn(LOGIN_SCOPE, ['inference'])
    expect(tokens.scope).toBe('openid offline_access inference')
  })

  it('issues no refresh token without offline_access', async () => {
    const tokens = await signIn('openid account.read')
    expect(tokens.refresh_token).toBeUndefined()
    expect((await me(issuer, tokens.access_token)).status).toBe(200)
  })

  it('answers access_denied once the request is denied', async () => {
    const device = await startDeviceAuthorization(issuer)
    await emulator.deny(device.user_code)
    const {body, status} = await pollToken(issuer, device.device_code)
    expect(status).toBe(400)
    expect(body.error).toBe('access_denied')
  })

  it('refuses to approve a code twice', async () => {
    const device = await startDeviceAuthorization(issuer)
    await emulator.approve(device.user_code)
    await expect(emulator.approve(device.user_code)).rejects.toThrow(/HTTP 409/)
    await expect(emulator.deny(device.user_code)).rejects.toThrow(/HTTP 409/)
  })

  it('rejects an unknown client', async () => {
    const client = await postForm(`${issuer}/device/auth`, {client_id: 'nobody', scope: 'openid'})
    expect(client.status).toBe(401)
    expect(client.body.error).toBe('invalid_client')
  })

  it('ignores a scope that is not in the catalogue (RFC 6749 lets a server narrow the request)', async () => {
    const tokens = await signIn('openid launch.missiles account.read')
    expect(tokens.scope).toBe('openid account.read')
  })
})

describe('refresh tokens', () => {
  it('rotates: the new refresh token works, reusing the old one fails with invalid_grant', async () => {
    const first = await signIn()
    const rotated = await refresh(issuer, first.refresh_token!)
    expect(rotated.status).toBe(200)
    expect(rotated.body.refresh_token).toEqual(expect.any(String))
    expect(rotated.body.refresh_token).not.toBe(first.refresh_token)
    expect(rotated.body.access_token).not.toBe(first.access_token)
    expect(rotated.body.scope).toBe(LOGIN_SCOPE)
    expect((await me(issuer, rotated.body.access_token as string)).status).toBe(200)

    const reused = await refresh(issuer, first.refresh_token!)
    expect(reused.status).toBe(400)
    expect(reused.body.error).toBe('invalid_grant')
  })

  it('treats reuse as theft: the whole grant is revoked, the newest tokens included', async () => {
    const first = await signIn()
    const rotated = await refresh(issuer, first.refresh_token!)
    expect(rotated.status).toBe(200)
    await refresh(issuer, first.refresh_token!)

    expect((await refresh(issuer, rotated.body.refresh_token as string)).body.error).toBe('invalid_grant')
    expect((await me(issuer, rotated.body.access_token as string)).status).toBe(401)
  })
})

describe('revocation and introspection', () => {
  it('introspects a live access token', async () => {
    const tokens = await signIn()
    const {body, status} = await postForm(`${issuer}/token/introspection`, {client_id: CLIENT_ID, token: tokens.access_token})
    expect(status).toBe(200)
    expect(body).toMatchObject({active: true, client_id: CLIENT_ID, scope: LOGIN_SCOPE, sub: 'usr_alice', token_type: 'Bearer'})
    expect(body.exp).toEqual(expect.any(Number))
  })

  it('revokes an access token (RFC 7009): introspection and the platform API then reject it', async () => {
    const tokens = await signIn()
    const revoked = await fetch(`${issuer}/token/revocation`, {
      body: new URLSearchParams({client_id: CLIENT_ID, token: tokens.access_token, token_type_hint: 'access_token'}),
      method: 'POST',
    })
    expect(revoked.status).toBe(200)

    const introspected = await postForm(`${issuer}/token/introspection`, {client_id: CLIENT_ID, token: tokens.access_token})
    expect(introspected.body).toEqual({active: false})
    const response = await me(issuer, tokens.access_token)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('revokes a refresh token: it can no longer be used', async () => {
    const tokens = await signIn()
    const revoked = await fetch(`${issuer}/token/revocation`, {
      body: new URLSearchParams({client_id: CLIENT_ID, token: tokens.refresh_token!}),
      method: 'POST',
    })
    expect(revoked.status).toBe(200)
    expect((await refresh(issuer, tokens.refresh_token!)).body.error).toBe('invalid_grant')
  })

  it('revokes OAuth tokens through the control API too', async () => {
    const tokens = await signIn()
    await emulator.revoke(tokens.refresh_token!)
    expect((await refresh(issuer, tokens.refresh_token!)).body.error).toBe('invalid_grant')
    // Revoking the refresh token took the grant and its access tokens with it.
    expect((await me(issuer, tokens.access_token)).status).toBe(401)
    await expect(emulator.revoke(tokens.refresh_token!)).rejects.toThrow(/HTTP 404/)
  })
})

describe('userinfo', () => {
  it('returns the subject, and name and email with account.read', async () => {
    const tokens = await signIn()
    const {body, status} = await getJson(`${issuer}/me`, {authorization: `Bearer ${tokens.access_token}`})
    expect(status).toBe(200)
    expect(body).toEqual({email: 'alice@example.com', name: 'Alice Example', preferred_username: 'alice', sub: 'usr_alice'})
  })
})

describe('request log', () => {
  it('records every request with its status, and token requests with their grant_type', async () => {
    const device = await startDeviceAuthorization(issuer)
    await pollToken(issuer, device.device_code)
    await pollToken(issuer, device.device_code)
    await emulator.approve(device.user_code)
    const tokens = (await pollToken(issuer, device.device_code)).body
    await refresh(issuer, tokens.refresh_token as string)

    const log = await emulator.requests()
    const since = log.findLastIndex((entry) => entry.path === '/device/auth')
    const recent = log.slice(since)
    expect(recent.map(({grant_type, method, path, status}) => ({grant_type, method, path, status}))).toEqual([
      {grant_type: undefined, method: 'POST', path: '/device/auth', status: 200},
      {grant_type: DEVICE_GRANT, method: 'POST', path: '/token', status: 400},
      {grant_type: DEVICE_GRANT, method: 'POST', path: '/token', status: 400},
      {grant_type: undefined, method: 'POST', path: '/_emulator/device/approve', status: 200},
      {grant_type: DEVICE_GRANT, method: 'POST', path: '/token', status: 200},
      {grant_type: 'refresh_token', method: 'POST', path: '/token', status: 200},
    ])
    for (const entry of recent) expect(Number.isNaN(Date.parse(entry.at))).toBe(false)
  })
})

describe('expiry', () => {
  const shortLived = useEmulator(['--interval', '0.2', '--device-code-ttl', '1', '--access-token-ttl', '1'])

  it('answers expired_token once the device code has expired, and refuses to approve it', async () => {
    const device = await startDeviceAuthorization(shortLived.issuer)
    expect(device.expires_in).toBe(1)
    const {body, status} = await pollUntilSettled(shortLived.issuer, device)
    expect(status).toBe(400)
    expect(body.error).toBe('expired_token')
    await expect(shortLived.approve(device.user_code)).rejects.toThrow(/HTTP 400 .*expired_token/)
  })
})

describe('--auto-approve', () => {
  const autoApproving = useEmulator(['--interval', '0.2', '--auto-approve', 'bob'])

  it('approves every device request as the given user after about one interval', async () => {
    const device = await startDeviceAuthorization(autoApproving.issuer)
    const {body, status} = await pollUntilSettled(autoApproving.issuer, device)
    expect(status).toBe(200)
    expect((await me(autoApproving.issuer, body.access_token as string)).body.id).toBe('usr_bob')
  })
})
