/**
 * The platform API the CLI talks to once signed in (`/v1/*`). It accepts OAuth access tokens issued by
 * this emulator's authorization server (by sign-in, refresh, or token exchange from an API key),
 * personal access tokens and bot keys; API keys themselves only go to the token endpoint. Failures
 * follow RFC 6750: 401 `invalid_token` for a missing, unknown, revoked or expired credential, 403
 * `insufficient_scope` naming the scope that is needed. Every call made with a PAT, a bot key or an
 * exchanged token updates that credential's last-used time.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

import type Provider from 'oidc-provider'

import {type Caller, callerOrgs, callerRole} from './access.js'
import {findAccountById} from './accounts.js'
import {type BotDirectory, botRoutes} from './bots-api.js'
import {credentialRoutes} from './credentials-api.js'
import {HttpError, readJsonObject, sendJson} from './http.js'
import {findOrganizationById, membershipsOf} from './organizations.js'
import {iso, type PlatformRoute} from './platform-routes.js'
import {API_KEY_PATTERN, BOT_KEY_PATTERN, PAT_PATTERN, type SecretStore} from './secrets.js'
import type {Behaviour} from './settings.js'
import {EXCHANGE_GTY, type ExchangeGrants} from './token-exchange.js'

export class PlatformApi {
  readonly #provider: Provider
  readonly #secrets: SecretStore
  readonly #behaviour: Behaviour
  readonly #bots: BotDirectory
  readonly #exchangeGrants: ExchangeGrants
  readonly #routes: PlatformRoute[]

  constructor(deps: {behaviour: Behaviour; bots: BotDirectory; exchangeGrants: ExchangeGrants; provider: Provider; secrets: SecretStore}) {
    const {behaviour, bots, provider, secrets} = deps
    this.#exchangeGrants = deps.exchangeGrants
    this.#provider = provider
    this.#secrets = secrets
    this.#behaviour = behaviour
    this.#bots = bots
    this.#routes = [...accountRoutes(secrets), ...credentialRoutes(secrets), ...botRoutes(bots)]
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (this.#behaviour.current.plain_oauth) throw new HttpError(404, 'not_found', 'this server is a plain OAuth 2.0 server: it has no platform API')
    const matching = this.#routes
      .map((route) => ({match: route.pattern.exec(path), route}))
      .filter((candidate): candidate is {match: RegExpExecArray; route: PlatformRoute} => candidate.match !== null)
    if (matching.length === 0) throw new HttpError(404, 'not_found', `no such endpoint: ${path}`)
    const found = matching.find((candidate) => candidate.route.method === req.method)
    if (!found) {
      const allowed = matching.map((candidate) => candidate.route.method).join(', ')
      throw new HttpError(405, 'invalid_request', `${path} only answers ${allowed}`, {headers: {Allow: allowed}})
    }

    let caller: Caller
    try {
      caller = await this.authenticate(req)
    } catch (error) {
      if (!(error instanceof HttpError && error.status === 401 && this.#behaviour.current.bare_401)) throw error
      // As some real servers answer: the status alone, no WWW-Authenticate, no body.
      res.writeHead(401, {'Content-Length': '0'})
      res.end()
      return
    }

    requireScope(caller, found.route.scope)
    const params = decodeParams(found.match.groups ?? {})
    const body = req.method === 'POST' ? await readJsonObject(req) : {}
    const result = found.route.handle({body, caller, params, req})
    sendJson(res, result.status, result.body)
  }

  /** The caller a bearer credential stands for; a 401 for anything that is not a live credential. */
  async authenticate(req: IncomingMessage): Promise<Caller> {
    const token = bearerToken(req)
    if (!token) throw invalidToken('no bearer token in the Authorization header')
    if (API_KEY_PATTERN.test(token)) throw invalidToken('API keys are exchanged at the token endpoint first (RFC 8693)')
    const caller = PAT_PATTERN.test(token) || BOT_KEY_PATTERN.test(token) ? this.#storedCredential(token) : await this.#accessToken(token)
    if (!caller) throw invalidToken('the token is unknown, revoked or expired')
    if (caller.credential) caller.credential.lastUsedAt = new Date()
    return caller
  }

  #storedCredential(token: string): Caller | undefined {
    const credential = this.#secrets.find(token)
    if (!credential || !this.#secrets.isLive(credential)) return undefined
    const boundOrg = findOrganizationById(credential.orgId)
    if (!boundOrg) return undefined
    const tokenInfo = {expires_at: iso(credential.expiresAt), type: credential.kind === 'pat' ? ('pat' as const) : ('bot_key' as const)}
    if (credential.kind === 'bot_key') {
      const bot = this.#bots.findById(credential.ownerId)
      if (!bot) return undefined
      return {boundOrg, credential, principal: {bot, kind: 'bot'}, scopes: credential.scopes, token: tokenInfo}
    }

    const account = findAccountById(credential.ownerId)
    if (!account) return undefined
    return {boundOrg, credential, principal: {account, kind: 'user'}, scopes: credential.scopes, token: tokenInfo}
  }

  /**
   * Looks the token up in the authorization server's own store: `AccessToken.find` returns nothing for
   * an unknown, revoked or expired token (with clockTolerance 0, expiry is exact). The grant must still
   * exist too: revoking a refresh token, or replaying a rotated one, revokes the grant. A token made by
   * token exchange also needs its API key to be live: revoking the key ends its tokens at once.
   */
  async #accessToken(token: string): Promise<Caller | undefined> {
    // oidc-provider's opaque access tokens are 43 URL-safe characters; skip the store for anything else.
    if (!/^[\w-]{20,200}$/.test(token)) return undefined
    const accessToken = await this.#provider.AccessToken.find(token)
    if (!accessToken || !accessToken.isValid) return undefined
    const grant = await this.#provider.Grant.find(accessToken.grantId)
    if (!grant) return undefined
    const account = findAccountById(accessToken.accountId)
    if (!account) return undefined
    const scopes = (accessToken.scope ?? '').split(' ').filter(Boolean)
    const expiresAt = new Date((accessToken.exp ?? 0) * 1000).toISOString()
    if (accessToken.gty === EXCHANGE_GTY) {
      const key = this.#exchangeGrants.liveKey(accessToken.grantId)
      if (!key || key.ownerId !== account.id) return undefined
      const boundOrg = findOrganizationById(key.orgId)
      if (!boundOrg) return undefined
      return {boundOrg, credential: key, principal: {account, kind: 'user'}, scopes, token: {expires_at: expiresAt, type: 'exchanged'}}
    }

    return {principal: {account, kind: 'user'}, scopes, token: {expires_at: expiresAt, type: 'oauth'}}
  }
}

/** `/v1/me`, `/v1/orgs` and `/v1/projects/current`: who is calling, where, and their project. */
function accountRoutes(secrets: SecretStore): PlatformRoute[] {
  return [
    {
      handle({caller}) {
        return {body: describeCaller(caller), status: 200}
      },
      method: 'GET',
      pattern: /^\/v1\/me$/,
      scope: 'account.read',
    },
    {
      handle({caller}) {
        const orgs = callerOrgs(caller).map(({org, role}) => ({id: org.id, name: org.name, role}))
        return {body: {orgs}, status: 200}
      },
      method: 'GET',
      pattern: /^\/v1\/orgs$/,
      scope: 'account.read',
    },
    {
      handle({caller, req}) {
        const header = req.headers['x-access-key']
        if (typeof header !== 'string' || header === '') {
          throw new HttpError(400, 'invalid_request', 'send the project access key in the X-Access-Key header')
        }

        const project = secrets.findProject(header)
        // Another user's project is reported exactly like an unknown key: its existence is not the caller's business.
        const accountId = caller.principal.kind === 'user' ? caller.principal.account.id : undefined
        if (!project || project.revoked || project.accountId !== accountId) {
          throw new HttpError(404, 'project_not_found', 'no project has that access key (unknown or revoked)')
        }

        return {body: {id: project.id, name: project.name}, status: 200}
      },
      method: 'GET',
      pattern: /^\/v1\/projects\/current$/,
      scope: 'projects.read',
    },
  ]
}

/** `/v1/me`: the person or bot, the organization the credential acts in (or the user's first), and the token. */
function describeCaller(caller: Caller): Record<string, unknown> {
  const org = caller.boundOrg ?? (caller.principal.kind === 'user' ? membershipsOf(caller.principal.account)[0]?.org : undefined)
  const role = org ? callerRole(caller, org) : undefined
  const token = {...caller.token, ...(caller.credential ? {id: caller.credential.id} : {})}
  const common = {
    org: org && role ? {id: org.id, name: org.name, role} : null,
    scopes: caller.scopes,
    token,
  }
  if (caller.principal.kind === 'bot') {
    const {bot} = caller.principal
    return {email: null, id: bot.id, name: bot.name, principal: {id: bot.id, kind: 'bot', name: bot.name}, ...common}
  }

  const {account} = caller.principal
  return {
    email: account.email,
    id: account.id,
    name: account.name,
    principal: {id: account.id, kind: 'user', name: account.name},
    ...common,
  }
}

function decodeParams(groups: Record<string, string | undefined>): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [name, value] of Object.entries(groups)) {
    if (value === undefined) continue
    try {
      params[name] = decodeURIComponent(value)
    } catch {
      throw new HttpError(400, 'invalid_request', `the path's ${name} is not valid percent-encoding`)
    }
  }

  return params
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')
  return match?.[1]
}

function requireScope(caller: Caller, scope: string): void {
  if (caller.scopes.includes(scope)) return
  throw new HttpError(403, 'insufficient_scope', `this request needs the ${scope} scope`, {
    extra: {scope},
    headers: {
      'WWW-Authenticate': `Bearer error="insufficient_scope", error_description="this request needs the ${scope} scope", scope="${scope}"`,
    },
  })
}

function invalidToken(description: string): HttpError {
  return new HttpError(401, 'invalid_token', description, {
    headers: {'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description}"`},
  })
}
