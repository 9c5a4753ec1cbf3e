/**
 * The emulator-only control API (`/_emulator/*`) that tests and scripts use to play the person and the
 * platform's back office: approve or deny a device code, mint personal access tokens, API keys, bot keys
 * and projects, revoke anything, and read the request log. JSON in, JSON out; bad input is a 4xx, never a crash.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

import type Provider from 'oidc-provider'

import {DEFAULT_LOGIN_SCOPES, isPlatformScope} from '../platform/scopes.js'
import {type Account, findAccountByUsername, seededUsernames} from './accounts.js'
import {type BotDirectory, describeBotKey} from './bots-api.js'
import {describeCredential} from './credentials-api.js'
import type {DeviceApprovals} from './device-approvals.js'
import {HttpError, optionalStringArray, readJsonObject, requireString, sendJson} from './http.js'
import type {LocalOrigins} from './local-origins.js'
import {findOrganization, membershipsOf, type Organization, roleOf, SEEDED_ORGANIZATIONS} from './organizations.js'
import {requireName} from './platform-routes.js'
import type {RequestLog} from './request-log.js'
import type {SecretStore} from './secrets.js'
import type {Behaviour} from './settings.js'

export const CONTROL_PREFIX = '/_emulator'

type Handler = (body: Record<string, unknown>) => Promise<{body: unknown; status: number}>

export class ControlApi {
  readonly #routes: Record<string, {handler: Handler; method: 'POST'}>
  readonly #getRoutes: Record<string, Handler>
  readonly #origins: LocalOrigins

  constructor(deps: {
    approvals: DeviceApprovals
    behaviour: Behaviour
    bots: BotDirectory
    origins: LocalOrigins
    provider: Provider
    requestLog: RequestLog
    secrets: SecretStore
  }) {
    const {approvals, behaviour, bots, provider, requestLog, secrets} = deps
    this.#origins = deps.origins
    this.#getRoutes = {
      '/requests': async () => ({body: requestLog.entries(), status: 200}),
      '/settings': async () => ({body: {...behaviour.current}, status: 200}),
    }
    this.#routes = {
      '/device/approve': {
        async handler(body) {
          const userCode = requireString(body, 'user_code')
          const account = requireAccount(body)
          const scopes = optionalStringArray(body, 'scopes')
          const {scope} = await approvals.approve(userCode, account, scopes)
          return {body: {approved: true, scope, user: account.username}, status: 200}
        },
        method: 'POST',
      },
      '/device/deny': {
        async handler(body) {
          await approvals.deny(requireString(body, 'user_code'))
          return {body: {denied: true}, status: 200}
        },
        method: 'POST',
      },
      '/api-keys': {
        async handler(body) {
          const account = requireAccount(body)
          const name = requireString(body, 'name')
          const scopes = requirePlatformScopes(body)
          const org = requireMembership(body, account)
          const {credential, secret} = secrets.create({expiresAt: null, kind: 'api_key', name, orgId: org.id, ownerId: account.id, scopes})
          return {body: {...describeCredential(credential), key: secret}, status: 201}
        },
        method: 'POST',
      },
      '/bots/keys': {
        async handler(body) {
          const org = findOrganization(body.org)
          if (!org) throw new HttpError(400, 'invalid_request', `"org" must be one of: ${SEEDED_ORGANIZATIONS.map((known) => known.name).join(', ')}`)
          const botName = requireString(body, 'bot')
          const label = requireName(body, 'label')
          let bot
          try {
            bot = bots.findBot(org, botName)
          } catch {
            bot = bots.createBot(org, botName)
          }

          const {key, secret} = bots.createKey(bot, label)
          return {body: {...describeBotKey(key), bot: {id: bot.id, name: bot.name}, key: secret, org: {id: org.id, name: org.name}}, status: 201}
        },
        method: 'POST',
      },
      '/pats': {
        async handler(body) {
          const account = requireAccount(body)
          const name = requireString(body, 'name')
          const scopes = requirePlatformScopes(body)
          const expiresIn = optionalPositiveNumber(body, 'expires_in')
          const org = requireMembership(body, account)
          const expiresAt = expiresIn === undefined ? null : (createdAt: Date) => new Date(createdAt.getTime() + expiresIn * 1000)
          const {credential, secret} = secrets.create({expiresAt, kind: 'pat', name, orgId: org.id, ownerId: account.id, scopes})
          return {body: {...describeCredential(credential), token: secret}, status: 201}
        },
        method: 'POST',
      },
      '/projects': {
        async handler(body) {
          const account = requireAccount(body)
          const name = requireString(body, 'name')
          const {accessKey, project} = secrets.createProject({accountId: account.id, name})
          return {body: {access_key: accessKey, id: project.id, name: project.name}, status: 201}
        },
        method: 'POST',
      },
      '/settings': {
        handler: async (body) => ({body: behaviour.update(body), status: 200}),
        method: 'POST',
      },
      '/revoke': {
        async handler(body) {
          const token = requireString(body, 'token')
          const kind = secrets.revoke(token) ?? (await revokeOAuthToken(provider, token))
          if (!kind) throw new HttpError(404, 'not_found', 'no live token or key matches')
          return {body: {revoked: kind}, status: 200}
        },
        method: 'POST',
      },
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    this.#refuseBrowsers(req)
    const name = path.slice(CONTROL_PREFIX.length)
    const post = Object.hasOwn(this.#routes, name) ? this.#routes[name] : undefined
    const get = Object.hasOwn(this.#getRoutes, name) ? this.#getRoutes[name] : undefined
    const allowed = [get ? 'GET' : undefined, post ? 'POST' : undefined].filter(Boolean).join(', ')
    if (!post && !get) throw new HttpError(404, 'not_found', `no such control endpoint: ${path}`)
    if (req.method === 'GET' && get) {
      const result = await get({})
      sendJson(res, result.status, result.body)
      return
    }

    if (req.method !== 'POST' || !post) {
      throw new HttpError(405, 'invalid_request', `${path} only answers ${allowed}`, {headers: {Allow: allowed}})
    }

    requireJsonContentType(req)
    const result = await post.handler(await readJsonObject(req))
    sendJson(res, result.status, result.body)
  }

  /**
   * The control API mints tokens for whoever asks, so a web page must not be able to ask: a request a
   * browser sends on behalf of another site carries that site's Origin (or "null"), or says
   * `Sec-Fetch-Site: cross-site`. Tools (curl, scripts, tests) send neither.
   */
  #refuseBrowsers(req: IncomingMessage): void {
    const {origin} = req.headers
    if (origin !== undefined && !this.#origins.allowsOrigin(origin)) {
      throw new HttpError(403, 'forbidden_origin', 'the control API does not answer requests from web pages of other origins')
    }

    const site = req.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new HttpError(403, 'forbidden_origin', 'the control API does not answer requests sent on behalf of other sites')
    }
  }
}

/**
 * Revokes an OAuth token issued by this server. A refresh token takes its whole grant with it (every
 * access and refresh token issued under it), as RFC 7009 suggests; an access token goes alone.
 */
async function revokeOAuthToken(provider: Provider, token: string): Promise<'access_token' | 'refresh_token' | undefined> {
  if (!/^[\w-]{20,200}$/.test(token)) return undefined
  const accessToken = await provider.AccessToken.find(token)
  if (accessToken) {
    await accessToken.destroy()
    return 'access_token'
  }

  const refreshToken = await provider.RefreshToken.find(token)
  if (refreshToken?.grantId) {
    const {grantId} = refreshToken
    await Promise.all([
      provider.AccessToken.revokeByGrantId(grantId),
      provider.RefreshToken.revokeByGrantId(grantId),
      provider.Grant.find(grantId).then((grant) => grant?.destroy()),
    ])
    return 'refresh_token'
  }

  return undefined
}

/**
 * JSON only: a browser can send text/plain, form or multipart bodies to any site without asking first,
 * but application/json from another origin needs a CORS preflight, which the emulator never grants.
 */
function requireJsonContentType(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'the control API takes JSON bodies only: send Content-Type: application/json')
  }
}

function requireAccount(body: Record<string, unknown>): Account {
  const account = findAccountByUsername(body.user)
  if (!account) {
    throw new HttpError(400, 'unknown_user', `"user" must be one of: ${seededUsernames().join(', ')}`)
  }

  return account
}

/** `org` (name or id) where the user is a member; left out, the user's first organization. */
function requireMembership(body: Record<string, unknown>, account: Account): Organization {
  if (body.org === undefined) {
    const first = membershipsOf(account)[0]
    if (!first) throw new HttpError(400, 'invalid_request', `${account.username} belongs to no organization`)
    return first.org
  }

  const org = findOrganization(body.org)
  if (!org || !roleOf(account, org)) {
    const names = membershipsOf(account).map((membership) => membership.org.name)
    throw new HttpError(400, 'invalid_request', `"org" must be an organization ${account.username} belongs to: ${names.join(', ')}`)
  }

  return org
}

/** `scopes`: platform scopes from the catalogue; left out, the login defaults. */
function requirePlatformScopes(body: Record<string, unknown>): string[] {
  const scopes = optionalStringArray(body, 'scopes') ?? [...DEFAULT_LOGIN_SCOPES]
  const unknown = scopes.filter((scope) => !isPlatformScope(scope))
  if (unknown.length > 0) throw new HttpError(400, 'invalid_scope', `unknown scopes: ${unknown.join(', ')}`)
  return scopes
}

function optionalPositiveNumber(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new HttpError(400, 'invalid_request', `"${field}" must be a positive number of seconds`)
  }

  return value
}
