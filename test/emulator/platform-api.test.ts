/**
 * The platform API (`/v1/*`) with both kinds of bearer token, and RFC 6750 errors.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'

import {type RunningEmulator, startEmulator} from '../helpers/emulator.js'
import {getJson, me, pollToken, pollUntilSettled, sleep, startDeviceAuthorization} from './oauth.js'

let emulator: RunningEmulator
let issuer: string

beforeAll(async () => {
  emulator = await startEmulator(['--interval', '0.2'])
  issuer = emulator.issuer
})

afterAll(async () => {
  await emulator?.stop()
})

async function oauthToken(emulatorUnderTest: RunningEmulator, grant?: string[], user = 'alice'): Promise<string> {
  const device = await startDeviceAuthorization(emulatorUnderTest.issuer)
  await emulatorUnderTest.approve(device.user_code, user, grant)
  const {body} = await pollToken(emulatorUnderTest.issuer, device.device_code)
  return body.access_token as string
}

function currentProject(token: string, accessKey?: string) {
  return getJson(`${issuer}/v1/projects/current`, {
    authorization: `Bearer ${token}`,
    ...(accessKey === undefined ? {} : {'x-access-key': accessKey}),
  })
}

describe('GET /v1/me', () => {
  it('describes the caller of an OAuth access token', async () => {
    const before = Date.now()
    const {body, status} = await me(issuer, await oauthToken(emulator))
    expect(status).toBe(200)
    expect(body).toMatchObject({email: 'alice@example.com', id: 'usr_alice', name: 'Alice Example'})
    expect(body.scopes).toEqual(['openid', 'offline_access', 'inference', 'projects.read', 'deployments.read', 'account.read'])
    const token = body.token as {expires_at: string; type: string}
    expect(token.type).toBe('oauth')
    // Issued with the default 3600 s lifetime (second precision).
    const expiresAt = Date.parse(token.expires_at)
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000)
  })

  it('describes the caller of a personal access token', async () => {
    const pat = await emulator.createPat({name: 'ci', scopes: ['account.read', 'inference'], user: 'bob'})
    expect(pat.token).toMatch(/^sk_pat_[0-9a-f]{64}$/)
    expect(pat.id).toMatch(/^pat_/)
    const {body, status} = await me(issuer, pat.token)
    expect(status).toBe(200)
    expect(body).toEqual({
      email: 'bob@example.com',
      id: 'usr_bob',
      name: 'Bob Example',
      org: {id: 'org_acme', name: 'acme', role: 'member'},
      principal: {id: 'usr_bob', kind: 'user', name: 'Bob Example'},
      scopes: ['account.read', 'inference'],
      token: {expires_at: null, id: pat.id, type: 'pat'},
    })
  })

  it('reports when a PAT expires, and rejects it once it has', async () => {
    const pat = await emulator.createPat({expires_in: 1, scopes: ['account.read']})
    const first = await me(issuer, pat.token)
    expect(first.status).toBe(200)
    const expiresAt = Date.parse((first.body.token as {expires_at: string}).expires_at)
    expect(expiresAt).toBeGreaterThan(Date.now() - 1000)

    await sleep(Math.max(0, expiresAt - Date.now()) + 50)
    const after = await me(issuer, pat.token)
    expect(after.status).toBe(401)
    expect(after.body.error).toBe('invalid_token')
  })

  it('rejects a revoked PAT', async () => {
    const pat = await emulator.createPat({scopes: ['account.read']})
    await emulator.revoke(pat.token)
    const {body, headers, status} = await me(issuer, pat.token)
    expect(status).toBe(401)
    expect(headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
    expect(body.error).toBe('invalid_token')
  })

  it.each([
    ['no Authorization header', undefined],
    ['an unknown OAuth token', 'Bearer 0123456789abcdefghijklmnopqrstuvwxyzABCDEFG'],
    ['an unknown PAT', `Bearer sk_pat_${'0'.repeat(64)}`],
    ['a malformed PAT', 'Bearer sk_pat_nothex'],
    ['another scheme', 'Basic YWxpY2U6c2VjcmV0'],
  ])('answers 401 invalid_token for %s', async (_label, authorization) => {
    const {body, headers, status} = await getJson(`${issuer}/v1/me`, authorization ? {authorization} : {})
    expect(status).toBe(401)
    expect(headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
    expect(body).toEqual({error: 'invalid_token', error_description: expect.any(String)})
  })

  it('answers 403 insufficient_scope naming the scope, for both token kinds', async () => {
    const pat = await emulator.createPat({scopes: ['inference']})
    const oauth = await oauthToken(emulator, ['inference'])
    for (const token of [pat.token, oauth]) {
      const {body, headers, status} = await me(issuer, token)
      expect(status).toBe(403)
      expect(headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", .*scope="account\.read"$/)
      expect(body).toEqual({error: 'insufficient_scope', error_description: expect.any(String), scope: 'account.read'})
    }
  })

  it('rejects an expired OAuth access token exactly at its expiry', async () => {
    const shortLived = await startEmulator(['--interval', '0.2', '--access-token-ttl', '1'])
    try {
      const device = await startDeviceAuthorization(shortLived.issuer)
      await shortLived.approve(device.user_code)
      const {body} = await pollUntilSettled(shortLived.issuer, device)
      const token = body.access_token as string
      const first = await me(shortLived.issuer, token)
      expect(first.status).toBe(200)
      const expiresAt = Date.parse((first.body.token as {expires_at: string}).expires_at)
      await sleep(Math.max(0, expiresAt - Date.now()) + 50)
      const after = await me(shortLived.issuer, token)
      expect(after.status).toBe(401)
      expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"')
    } finally {
      await shortLived.stop()
    }
  })

  it('answers 404 JSON for an unknown endpoint and 405 for a wrong method', async () => {
    const missing = await getJson(`${issuer}/v1/nothing`)
    expect(missing.status).toBe(404)
    expect(missing.body.error).toBe('not_found')
    const response = await fetch(`${issuer}/v1/me`, {method: 'DELETE'})
    expect(response.status).toBe(405)
    expect(((await response.json()) as {error: string}).error).toBe('invalid_request')
  })
})

describe('GET /v1/projects/current', () => {
  it('names the project of a good access key', async () => {
    const project = await emulator.createProject({name: 'Rocket'})
    expect(project.access_key).toMatch(/^sk_proj_[\w-]{32,}$/)
    expect(project.name).toBe('Rocket')
    const {body, status} = await currentProject(await oauthToken(emulator), project.access_key)
    expect(status).toBe(200)
    expect(body).toEqual({id: project.id, name: 'Rocket'})
  })

  it('accepts a PAT with projects.read', async () => {
    const project = await emulator.createProject({name: 'Probe', user: 'bob'})
    const pat = await emulator.createPat({scopes: ['projects.read'], user: 'bob'})
    expect((await currentProject(pat.token, project.access_key)).body).toEqual({id: project.id, name: 'Probe'})
  })

  it('answers 404 JSON for an unknown, a malformed or a revoked key', async () => {
    const token = await oauthToken(emulator)
    const project = await emulator.createProject({name: 'Doomed'})
    await emulator.revoke(project.access_key)
    for (const key of [`sk_proj_${'A'.repeat(43)}`, 'not-a-key', project.access_key]) {
      const {body, status} = await currentProject(token, key)
      expect(status).toBe(404)
      expect(body).toEqual({error: 'project_not_found', error_description: expect.any(String)})
    }
  })

  it("treats another user's project like an unknown key", async () => {
    const project = await emulator.createProject({name: 'Private', user: 'bob'})
    expect((await currentProject(await oauthToken(emulator), project.access_key)).status).toBe(404)
  })

  it('needs the X-Access-Key header, and projects.read', async () => {
    const missing = await currentProject(await oauthToken(emulator))
    expect(missing.status).toBe(400)
    expect(missing.body.error).toBe('invalid_request')

    const project = await emulator.createProject({name: 'Scoped'})
    const pat = await emulator.createPat({scopes: ['account.read']})
    const forbidden = await currentProject(pat.token, project.access_key)
    expect(forbidden.status).toBe(403)
    expect(forbidden.headers.get('www-authenticate')).toContain('scope="projects.read"')
    expect(forbidden.body.scope).toBe('projects.read')
  })
})
