/**
 * The platform API the CLI talks to once signed in (`/v1/*`). It accepts two kinds of bearer token:
 * OAuth access tokens issued by this emulator's authorization server, and personal access tokens.
 * Failures follow RFC 6750: 401 `invalid_token` for a missing, unknown, revoked or expired token, 403
 * `insufficient_scope` naming the scope that is needed.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

import type Provider from 'oidc-provider'

import {type Account, findAccountById} from './accounts.js'
import {HttpError, sendJson} from './http.js'
import {PAT_PATTERN, type SecretStore} from './secrets.js'
import type {Behaviour} from './settings.js'

/** Who is calling, with what, as far as the platform API is concerned. */
export interface Caller {
  account: Account
  scopes: string[]
  token: {expires_at: string | null; type: 'oauth' | 'pat'}
}

export class PlatformApi {
  readonly #provider: Provider
  readonly #secrets: SecretStore
  readonly #behaviour: Behaviour

  constructor(provider: Provider, secrets: SecretStore, behaviour: Behaviour) {
    this.#provider = provider
    this.#secrets = secrets
    this.#behaviour = behaviour
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (this.#behaviour.current.plain_oauth) throw new HttpError(404, 'not_found', 'this server is a plain OAuth 2.0 server: it has no platform API')
    const route = ROUTES[path]
    if (!route) throw new HttpError(404, 'not_found', `no such endpoint: ${path}`)
    if (req.method !== 'GET') {
      throw new HttpError(405, 'invalid_request', `${path} only answers GET`, {headers: {Allow: 'GET'}})
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

    requireScope(caller, route.scope)
    sendJson(res, 200, route.respond(caller, req, this.#secrets))
  }

  async authenticate(req: IncomingMessage): Promise<Caller> {
    const token = bearerToken(req)
    if (!token) throw invalidToken('no bearer token in the Authorization header')
    const caller = PAT_PATTERN.test(token) ? this.#personalAccessToken(token) : await this.#accessToken(token)
    if (!caller) throw invalidToken('the token is unknown, revoked or expired')
    return caller
  }

  #personalAccessToken(token: string): Caller | undefined {
    const pat = this.#secrets.findPat(token)
    if (!pat || pat.revoked) return undefined
    if (pat.expiresAt && pat.expiresAt.getTime() <= Date.now()) return undefined
    const account = findAccountById(pat.accountId)
    if (!account) return undefined
    return {account, scopes: pat.scopes, token: {expires_at: pat.expiresAt?.toISOString() ?? null, type: 'pat'}}
  }

  /**
   * Looks the token up in the authorization server's own store: `AccessToken.find` returns nothing for
   * an unknown, revoked or expired token (with clockTolerance 0, expiry is exact). The grant must still
   * exist too: revoking a refresh token, or replaying a rotated one, revokes the grant.
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
    return {
      account,
      scopes: (accessToken.scope ?? '').split(' ').filter(Boolean),
      token: {expires_at: new Date((accessToken.exp ?? 0) * 1000).toISOString(), type: 'oauth'},
    }
  }
}

interface Route {
  scope: string
  respond(caller: Caller, req: IncomingMessage, secrets: SecretStore): unknown
}

const ROUTES: Record<string, Route> = {
  '/v1/me': {
    respond: (caller) => ({
      email: caller.account.email,
      id: caller.account.id,
      name: caller.account.name,
      scopes: caller.scopes,
      token: caller.token,
    }),
    scope: 'account.read',
  },
  '/v1/projects/current': {
    respond(caller, req, secrets) {
      const header = req.headers['x-access-key']
      if (typeof header !== 'string' || header === '') {
        throw new HttpError(400, 'invalid_request', 'send the project access key in the X-Access-Key header')
      }

      const project = secrets.findProject(header)
      // Another user's project is reported exactly like an unknown key: its existence is not the caller's business.
      if (!project || project.revoked || project.accountId !== caller.account.id) {
        throw new HttpError(404, 'project_not_found', 'no project has that access key (unknown or revoked)')
      }

      return {id: project.id, name: project.name}
    },
    scope: 'projects.read',
  },
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
