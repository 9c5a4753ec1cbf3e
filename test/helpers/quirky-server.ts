/**
 * A small, deliberately quirky OAuth server for the behaviours the emulator (oidc-provider) will not
 * show: it imitates, on 127.0.0.1 and port 0, the parts of real servers latch met that are a little
 * off-spec. It approves every device code at the first poll (as user usr_quinn), and each quirk is an
 * option:
 *
 * - `metadata: 'oauth2'`: a plain OAuth 2.0 server (RFC 8414 metadata at
 *   /.well-known/oauth-authorization-server only; 404 for OpenID discovery; no userinfo endpoint).
 *   Imitates OAuth servers that are not OpenID providers (GitHub-style, many API gateways).
 * - `platform: 'none'`: no platform API (404 on /v1/*), as on any server that is not the platform.
 *   `platform: 'bare-401'`: 401 with no WWW-Authenticate header and no body for any token, as some
 *   API gateways answer.
 * - `userinfo: 'bare-401'`: userinfo answers 401 with no WWW-Authenticate and no body (a C server
 *   packaged in Debian does this for a revoked or unknown token).
 * - `refresh: 'empty-400'`: a refresh answered 400 with an empty body and no content type (that same
 *   server's answer to a replayed or revoked refresh token). `'html-401'`: 401 with an HTML page
 *   (reverse proxies). `'unavailable-503'`: 503 with an HTML page (a server down for maintenance).
 * - `revocation: 'client-auth-401'`: the revocation endpoint requires client authentication and
 *   answers a public client 401 with an empty body (RFC 7009 §2.1 lets servers do so).
 * - `knownScopes`: the server grants only the asked scopes it knows and answers 200, as RFC 6749 §3.3
 *   allows (most servers do this silently).
 *
 * `reject(token)` makes the server refuse an access token before it expires (revoked early, server
 * restarted with new keys), while its refresh token still works.
 */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {randomBytes} from 'node:crypto'

export interface QuirkyOptions {
  /** Seconds an access token lives (default 3600). */
  accessTokenTtl?: number
  knownScopes?: string[]
  metadata?: 'oauth2' | 'oidc'
  platform?: 'bare-401' | 'none' | 'ok'
  refresh?: 'empty-400' | 'html-401' | 'rotate' | 'unavailable-503'
  revocation?: 'client-auth-401' | 'ok'
  userinfo?: 'bare-401' | 'ok'
}

export interface QuirkyRequest {
  grant_type?: string
  method: string
  path: string
  status: number
}

export interface QuirkyServer {
  issuer: string
  /** Every access, refresh token and device code the server handed out: none may appear in latch's output. */
  issuedSecrets(): string[]
  /** Issues a token pair directly (as if a login had happened), for tests that start from stored credentials. */
  issue(scopes?: string[]): {access_token: string; expires_at: string; refresh_token: string}
  reject(accessToken: string): void
  requests: QuirkyRequest[]
  stop(): Promise<void>
}

interface AccessToken {
  expiresAt: number
  scopes: string[]
}

export async function startQuirkyServer(options: QuirkyOptions = {}): Promise<QuirkyServer> {
  const ttl = options.accessTokenTtl ?? 3600
  const accessTokens = new Map<string, AccessToken>()
  const refreshTokens = new Map<string, string[]>()
  const deviceCodes = new Map<string, string[]>()
  const secrets: string[] = []
  const requests: QuirkyRequest[] = []
  let issuer = ''

  const secret = (prefix: string) => {
    const value = `${prefix}_${randomBytes(18).toString('base64url')}`
    secrets.push(value)
    return value
  }

  const issue = (scopes: string[]) => {
    const accessToken = secret('qat')
    const refreshToken = secret('qrt')
    accessTokens.set(accessToken, {expiresAt: Date.now() + ttl * 1000, scopes})
    refreshTokens.set(refreshToken, scopes)
    return {access_token: accessToken, expires_in: ttl, refresh_token: refreshToken, scope: scopes.join(' '), token_type: 'Bearer'}
  }

  const validAccess = (request: IncomingMessage): AccessToken | undefined => {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')
    const token = match ? accessTokens.get(match[1]) : undefined
    return token && token.expiresAt > Date.now() ? token : undefined
  }

  const metadata = () => ({
    device_authorization_endpoint: `${issuer}/device`,
    grant_types_supported: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    issuer,
    response_types_supported: ['code'],
    revocation_endpoint: `${issuer}/revoke`,
    token_endpoint: `${issuer}/token`,
    ...(options.metadata === 'oauth2' ? {} : {userinfo_endpoint: `${issuer}/userinfo`}),
  })

  async function handle(request: IncomingMessage, response: ServerResponse, body: URLSearchParams): Promise<void> {
    const path = new URL(request.url ?? '/', issuer).pathname
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, {'content-type': 'application/json', ...headers}).end(JSON.stringify(value))
    }

    const bare = (status: number, headers: Record<string, string> = {}, text = '') => {
      response.writeHead(status, headers).end(text)
    }

    if (request.method === 'GET' && path === '/.well-known/openid-configuration') {
      return options.metadata === 'oauth2' ? bare(404) : json(200, metadata())
    }

    if (request.method === 'GET' && path === '/.well-known/oauth-authorization-server') return json(200, metadata())

    if (request.method === 'POST' && path === '/device') {
      const deviceCode = secret('qdc')
      const asked = (body.get('scope') ?? '').split(' ').filter(Boolean)
      deviceCodes.set(deviceCode, options.knownScopes ? asked.filter((scope) => options.knownScopes!.includes(scope)) : asked)
      return json(200, {device_code: deviceCode, expires_in: 600, interval: 0.2, user_code: 'QUIRKY-01', verification_uri: `${issuer}/activate`})
    }

    if (request.method === 'POST' && path === '/token') {
      const grant = body.get('grant_type')
      if (grant === 'urn:ietf:params:oauth:grant-type:device_code') {
        const scopes = deviceCodes.get(body.get('device_code') ?? '')
        if (!scopes) return json(400, {error: 'invalid_grant'})
        deviceCodes.delete(body.get('device_code')!)
        return json(200, issue(scopes))
      }

      if (grant === 'refresh_token') {
        if (options.refresh === 'empty-400') return bare(400)
        if (options.refresh === 'html-401') return bare(401, {'content-type': 'text/html'}, '<html><body>Unauthorized</body></html>')
        if (options.refresh === 'unavailable-503') return bare(503, {'content-type': 'text/html'}, '<html><body>Down for maintenance</body></html>')
        const old = body.get('refresh_token') ?? ''
        const scopes = refreshTokens.get(old)
        if (!scopes) return json(400, {error: 'invalid_grant'})
        refreshTokens.delete(old)
        return json(200, issue(scopes))
      }

      return json(400, {error: 'unsupported_grant_type'})
    }

    if (request.method === 'POST' && path === '/revoke') {
      if (options.revocation === 'client-auth-401') return bare(401)
      accessTokens.delete(body.get('token') ?? '')
      refreshTokens.delete(body.get('token') ?? '')
      return bare(200)
    }

    if (path === '/userinfo' && options.metadata !== 'oauth2') {
      if (options.userinfo === 'bare-401' || !validAccess(request)) return bare(401)
      return json(200, {name: 'Quinn', sub: 'usr_quinn'})
    }

    if (path.startsWith('/v1/')) {
      if (options.platform === 'none' || options.platform === undefined) return bare(404)
      const token = options.platform === 'bare-401' ? undefined : validAccess(request)
      if (!token) return bare(401)
      if (path === '/v1/me') {
        return json(200, {id: 'usr_quinn', name: 'Quinn', scopes: token.scopes, token: {expires_at: new Date(token.expiresAt).toISOString(), type: 'oauth'}})
      }

      return bare(404)
    }

    bare(404)
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
      response.on('finish', () => {
        requests.push({grant_type: body.get('grant_type') ?? undefined, method: request.method ?? '', path: new URL(request.url ?? '/', issuer).pathname, status: response.statusCode})
      })
      handle(request, response, body).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500).end(String(error))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    issue(scopes = ['openid', 'offline_access', 'inference']) {
      const tokens = issue(scopes)
      return {access_token: tokens.access_token, expires_at: new Date(Date.now() + ttl * 1000).toISOString(), refresh_token: tokens.refresh_token}
    },
    issuedSecrets: () => [...secrets],
    issuer,
    reject(accessToken) {
      accessTokens.delete(accessToken)
    },
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
