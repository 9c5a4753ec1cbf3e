/**
 * One HTTP server for the whole emulator: `/v1/*` is the platform API, `/_emulator/*` the control API,
 * `/interaction/*` the sign-in and consent pages, and everything else goes to oidc-provider
 * (discovery, device authorization, token, revocation, introspection, userinfo, JWKS, code entry).
 */
import {createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse} from 'node:http'
import {createServer as createTlsServer} from 'node:https'
import type {AddressInfo} from 'node:net'

import {findAccountByUsername, seededUsernames} from './accounts.js'
import {Activity} from './activity.js'
import {BotDirectory} from './bots-api.js'
import {CONTROL_PREFIX, ControlApi} from './control-api.js'
import {DeviceApprovals} from './device-approvals.js'
import {DevicePolling} from './device-polling.js'
import {HttpError, sendHtml, sendHttpError, sendJson} from './http.js'
import {InteractionPages} from './interactions.js'
import {LocalOrigins} from './local-origins.js'
import {Bots} from './organizations.js'
import * as pages from './pages.js'
import {PlatformApi} from './platform-api.js'
import {CLIENT_ID, createProvider, loadProviderClass} from './provider.js'
import {RequestLog} from './request-log.js'
import {SecretStore} from './secrets.js'
import {ExchangeGrants} from './token-exchange.js'
import {Behaviour, type BehaviourSettings} from './settings.js'

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string
  /** Default 4848; 0 picks a free port. */
  port?: number
  /** Seconds between polls the server asks for. Default 5; fractions allowed. */
  interval?: number
  /** Seconds. Default 900. */
  deviceCodeTtl?: number
  /** Seconds. Default 3600. */
  accessTokenTtl?: number
  /** Seconds. Default 14 days. */
  refreshTokenTtl?: number
  /** Approve every device request as this seeded user, one interval after it is made. */
  autoApprove?: string
  /** Where real servers differ (see settings.ts); changeable later through the control API. */
  behaviour?: Partial<BehaviourSettings>
  /** Serve https with this certificate chain and key (src/emulator/tls.ts) instead of plain http. */
  tls?: {cert: string; key: string}
  /** Told one line per device code issued, approved, denied, tokens issued and API key exchanged (no secrets). */
  onActivity?: (line: string) => void
}

export interface EmulatorServer {
  /** e.g. http://127.0.0.1:4848 */
  issuer: string
  /** The address and port the server listens on, e.g. 0.0.0.0:4848 ([::]:4848 for IPv6). */
  listening: string
  /** Whether that address can be reached from other machines (anything but loopback). */
  exposed: boolean
  clientId: string
  /** Usernames of the seeded accounts. */
  users: string[]
  /** Stops listening, drops open connections and pending auto-approvals. */
  close(): Promise<void>
}

export const EMULATOR_DEFAULTS = {
  accessTokenTtl: 3600,
  deviceCodeTtl: 900,
  host: '127.0.0.1',
  interval: 5,
  port: 4848,
  refreshTokenTtl: 14 * 24 * 60 * 60,
} as const

/** Thrown when the address is taken, so the command can say so in one line. */
export class AddressInUseError extends Error {
  readonly address: string

  constructor(address: string, options: {cause?: unknown} = {}) {
    super(`${address} is already in use`, options)
    this.name = 'AddressInUseError'
    this.address = address
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorServer> {
  const {behaviour: initialBehaviour, onActivity, tls, ...rest} = options
  const settings = {...EMULATOR_DEFAULTS, ...withoutUndefined(rest)}
  const behaviour = new Behaviour(initialBehaviour)
  const activity = new Activity(onActivity)
  const autoApproveAccount = settings.autoApprove === undefined ? undefined : findAccountByUsername(settings.autoApprove)
  if (settings.autoApprove !== undefined && !autoApproveAccount) {
    throw new Error(`unknown user "${settings.autoApprove}" (seeded users: ${seededUsernames().join(', ')})`)
  }

  // oidc-provider needs the issuer (and so the port) before it can be built, and the port is only known
  // after listening: requests that arrive in between get a 503.
  let route: ((req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>) | undefined
  let origins: LocalOrigins | undefined
  const requestLog = new RequestLog()
  const tokenRequests = new WeakMap<IncomingMessage, {error?: string; grantType: string}>()
  const handler: RequestListener = (req, res) => {
    const at = new Date().toISOString()
    const path = pathOf(req)
    res.once('finish', () => {
      const token = tokenRequests.get(req)
      requestLog.record({
        at,
        method: req.method ?? 'GET',
        path,
        status: res.statusCode,
        ...(token ? {grant_type: token.grantType} : {}),
        ...(token?.error ? {error: token.error} : {}),
      })
    })
    if (!route || !origins) {
      sendJson(res, 503, {error: 'temporarily_unavailable', error_description: 'the emulator is starting'})
      return
    }

    // DNS rebinding: a page on attacker.example whose name now resolves to 127.0.0.1 still says
    // `Host: attacker.example`. Only this emulator's own names are served.
    if (!origins.allowsHost(req.headers.host)) {
      sendJson(res, 421, {
        error: 'invalid_request',
        error_description: 'the Host header does not name this emulator; use the issuer URL it printed',
      })
      return
    }

    route(req, res, path).catch((error: unknown) => sendError(req, res, error))
  }
  const server = tls ? createTlsServer({cert: tls.cert, key: tls.key}, handler) : createServer(handler)

  const [ProviderClass] = await Promise.all([loadProviderClass(), listen(server, settings.host, settings.port)])
  const bound = server.address() as AddressInfo
  const issuer = `${tls ? 'https' : 'http'}://${urlHost(settings.host)}:${bound.port}`
  const issuerHost = new URL(issuer).host

  const secrets = new SecretStore()
  const exchangeGrants = new ExchangeGrants(secrets)
  let provider
  try {
    provider = await createProvider(ProviderClass, {
      accessTokenTtl: settings.accessTokenTtl,
      deviceCodeTtl: settings.deviceCodeTtl,
      exchangeGrants,
      interval: settings.interval,
      issuer,
      onTokenRequest: (req, details) => tokenRequests.set(req, details),
      refreshTokenTtl: settings.refreshTokenTtl,
      activity,
      behaviour,
      polling: new DevicePolling(settings.deviceCodeTtl),
      secrets,
    })
  } catch (error) {
    server.close()
    throw error
  }

  const approvals = new DeviceApprovals(provider, behaviour, activity)
  exchangeGrants.endTokensOnRevocation(provider)
  const bots = new BotDirectory(new Bots(), secrets)
  const platformApi = new PlatformApi({behaviour, bots, exchangeGrants, provider, secrets})
  const localOrigins = new LocalOrigins(settings.host, bound.port, tls ? 'https:' : 'http:')
  const controlApi = new ControlApi({approvals, behaviour, bots, origins: localOrigins, provider, requestLog, secrets})
  const interactionPages = new InteractionPages(provider, behaviour, activity)
  const oidcCallback = provider.callback()

  route = async (req, res, path) => {
    if (path === '/v1' || path.startsWith('/v1/')) return platformApi.handle(req, res, path)
    if (path.startsWith(`${CONTROL_PREFIX}/`)) return controlApi.handle(req, res, path)
    if (path.startsWith('/interaction/')) return interactionPages.handle(req, res, path)
    // oidc-provider builds every URL it answers with (discovery's endpoints, verification_uri) from the
    // Host header: outside the pages, that is always the issuer's, whichever local name was used.
    // The pages keep the name the browser used, so that their redirects keep its cookies.
    if (!isPage(path)) req.headers.host = issuerHost
    await oidcCallback(req, res)
  }
  origins = localOrigins

  const timers = new Set<NodeJS.Timeout>()
  if (autoApproveAccount) {
    provider.on('device_authorization.success', (_ctx: unknown, body: Record<string, unknown>) => {
      const userCode = String(body.user_code)
      const timer = setTimeout(() => {
        timers.delete(timer)
        approvals.approve(userCode, autoApproveAccount).catch((error: unknown) => {
          // Approved or denied by someone else first, or expired: nothing to do.
          if (!(error instanceof HttpError)) process.stderr.write(`emulator: auto-approve failed: ${String(error)}\n`)
        })
      }, settings.interval * 1000)
      timers.add(timer)
    })
  }

  return {
    clientId: CLIENT_ID,
    exposed: !isLoopback(bound.address),
    listening: `${urlHost(bound.address, false)}:${bound.port}`,
    async close() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
    issuer,
    users: seededUsernames(),
  }
}

function sendError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy()
    return
  }

  if (!(error instanceof HttpError)) {
    process.stderr.write(`emulator: internal error on ${req.method} ${pathOf(req)}: ${(error as Error)?.stack ?? String(error)}\n`)
    sendJson(res, 500, {error: 'server_error', error_description: 'the emulator failed to handle this request'})
    return
  }

  // A person's browser gets a page; scripts and tests get the JSON error.
  if (pathOf(req).startsWith('/interaction/') && (req.headers.accept ?? '').includes('text/html')) {
    sendHtml(res, error.status, pages.errorPage({message: error.message, title: 'Sign-in problem'}))
    return
  }

  sendHttpError(res, error)
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new AddressInUseError(`${urlHost(host)}:${port}`, {cause: error}) : error)
    }

    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://emulator.invalid').pathname
  } catch {
    return '/'
  }
}

/** A host as it appears in a URL: the wildcard addresses become loopback (unless told not to), IPv6 gets brackets. */
function urlHost(host: string, wildcardAsLoopback = true): string {
  if (wildcardAsLoopback && host === '0.0.0.0') return '127.0.0.1'
  if (wildcardAsLoopback && host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address === '::ffff:127.0.0.1' || address === 'localhost'
}

/** The pages a person's browser walks (code entry, confirmation, resume, sign-out); the rest is for programs. */
function isPage(path: string): boolean {
  return path === '/device' || (path.startsWith('/device/') && path !== '/device/auth') || path.startsWith('/session/')
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>
}
