/**
 * The OAuth side of the emulator: node-oidc-provider configured as the platform's authorization server,
 * with one public client (`latch-cli`), the device flow, refresh-token rotation, token exchange for API
 * keys (RFC 8693), revocation, introspection and userinfo. Every default that would print a "you SHOULD change this" notice is set
 * here, so the emulator's own output stays clean.
 */
import type {IncomingMessage} from 'node:http'
import {generateKeyPair, randomBytes} from 'node:crypto'
import {promisify} from 'node:util'

import type Provider from 'oidc-provider'
import type {Configuration, JWK, KoaContextWithOIDC} from 'oidc-provider'

import {PLATFORM_SCOPES, PROTOCOL_SCOPES} from '../platform/scopes.js'
import {findAccountById} from './accounts.js'
import type {Activity} from './activity.js'
import {type DevicePolling, now} from './device-polling.js'
import * as pages from './pages.js'
import type {Behaviour} from './settings.js'
import type {SecretStore} from './secrets.js'
import {createMemoryStorage} from './storage.js'
import {type ExchangeGrants, registerTokenExchange, TOKEN_EXCHANGE_GRANT} from './token-exchange.js'

export const CLIENT_ID = 'latch-cli'
export const CLIENT_NAME = 'latch CLI'

const DAY = 24 * 60 * 60

export interface ProviderOptions {
  issuer: string
  /** Seconds a client should wait between polls; put into the device authorization response. */
  interval: number
  deviceCodeTtl: number
  accessTokenTtl: number
  refreshTokenTtl: number
  /** Told the grant_type of every token endpoint request, and the OAuth error it got if any, for the request log. */
  onTokenRequest: (req: IncomingMessage, details: {error?: string; grantType: string}) => void
  behaviour: Behaviour
  polling: DevicePolling
  activity: Activity
  /** The API keys the token exchange grant trades for access tokens. */
  secrets: SecretStore
  /** Where each exchange records the API key behind its grant. */
  exchangeGrants: ExchangeGrants
}

/** OpenID-only fields a plain OAuth 2.0 server (RFC 8414 metadata) does not publish. */
const OPENID_METADATA = [
  'userinfo_endpoint',
  'claims_parameter_supported',
  'claims_supported',
  'id_token_signing_alg_values_supported',
  'request_parameter_supported',
  'request_uri_parameter_supported',
  'require_request_uri_registration',
  'subject_types_supported',
  'end_session_endpoint',
]

type ProviderConstructor = typeof Provider

/**
 * oidc-provider warns on import that Node 20 is not a supported runtime. It works on Node 20 (the
 * emulator's tests run there), and the warning would only confuse people using the CLI, so it is
 * dropped; every other warning passes through.
 */
export async function loadProviderClass(): Promise<ProviderConstructor> {
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return
    warn(...args)
  }

  try {
    return (await import('oidc-provider')).default
  } finally {
    console.warn = warn
  }
}

export async function createProvider(ProviderClass: ProviderConstructor, options: ProviderOptions): Promise<Provider> {
  const provider = new ProviderClass(options.issuer, await configuration(options))

  const {activity, behaviour, polling} = options
  // Registered before any request, so that the client (checked on first use) may list the grant.
  const {errors} = await import('oidc-provider')
  registerTokenExchange(provider, errors, {
    behaviour,
    grants: options.exchangeGrants,
    onExchange: ({masked, scope, username}) => activity.keyExchanged(username, masked, scope),
    secrets: options.secrets,
  })
  provider.use(async (ctx, next) => {
    const arrivedAt = now()
    if (refuseEarly(ctx as unknown as KoaContextWithOIDC, provider, behaviour)) return
    try {
      await next()
    } finally {
      const body = (ctx as KoaContextWithOIDC).oidc?.body
      if (typeof body?.grant_type === 'string') options.onTokenRequest(ctx.req, {grantType: body.grant_type})
    }

    const {oidc} = ctx as KoaContextWithOIDC
    const settings = behaviour.current
    // oidc-provider leaves `interval` out of its device authorization response, and RFC 8628 clients
    // then fall back to 5 s. Adding it lets `--interval 0.2` make tests fast.
    if (oidc?.route === 'device_authorization' && ctx.status === 200 && isObject(ctx.body)) {
      ctx.body = {...ctx.body, interval: options.interval}
      activity.deviceCodeIssued(String(ctx.body.user_code), {ip: ctx.ip, userAgent: ctx.get('user-agent')})
    }

    if (oidc?.route === 'token' && isObject(ctx.body)) {
      const grantType = oidc.params?.grant_type
      const deviceCode = oidc.params?.device_code
      if (grantType === DEVICE_GRANT && ctx.status === 400 && ctx.body.error === 'authorization_pending' && typeof deviceCode === 'string') {
        const pace = polling.slowDown(deviceCode, {at: arrivedAt, baseInterval: options.interval, forcedPolls: settings.slow_down_polls})
        if (pace.slowDown) {
          ctx.body = {error: 'slow_down', error_description: `poll at most every ${pace.interval} s`}
        }
      }

      if (grantType === 'refresh_token' && ctx.status >= 400 && settings.bare_refresh_errors) bareAnswer(ctx as unknown as KoaContextWithOIDC, 400)
      if (settings.plain_oauth && ctx.status === 200 && 'id_token' in ctx.body) {
        const {id_token: _dropped, ...rest} = ctx.body
        ctx.body = rest
      }
    }

    if (oidc?.route === 'token' && typeof oidc.body?.grant_type === 'string' && isObject(ctx.body) && typeof ctx.body.error === 'string') {
      options.onTokenRequest(ctx.req, {error: ctx.body.error, grantType: oidc.body.grant_type})
    }

    if (oidc?.route === 'userinfo' && ctx.status === 401 && settings.bare_401) bareAnswer(ctx as unknown as KoaContextWithOIDC, 401)
    if (oidc?.route === 'discovery' && ctx.status === 200 && settings.plain_oauth && isObject(ctx.body)) {
      ctx.body = Object.fromEntries(Object.entries(ctx.body).filter(([key]) => !OPENID_METADATA.includes(key)))
    }

    if (oidc?.route === 'code_verification' && ctx.method === 'POST' && oidc.params?.abort && ctx.status < 400) {
      activity.denied(typeof oidc.params.user_code === 'string' ? oidc.params.user_code : undefined, 'at the code confirmation page')
    }
  })

  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const grantType = ctx.oidc.params?.grant_type
    if (grantType !== DEVICE_GRANT && grantType !== 'refresh_token') return
    const accountId = ctx.oidc.entities.Grant?.accountId ?? ctx.oidc.entities.Account?.accountId
    const scope = isObject(ctx.body) && typeof ctx.body.scope === 'string' ? ctx.body.scope : ''
    activity.tokensIssued(grantType === DEVICE_GRANT ? 'device code' : 'refresh', findAccountById(accountId)?.username, scope)
  })

  provider.on('server_error', (_ctx: unknown, error: Error) => {
    process.stderr.write(`emulator: internal error: ${error.stack ?? error.message}\n`)
  })

  return provider
}

async function configuration(options: ProviderOptions): Promise<Configuration> {
  return {
    // A server that does not revoke the grant when a retired refresh token comes back simply no longer
    // knows that token: oidc-provider then answers invalid_grant without touching the grant.
    adapter: createMemoryStorage({forgetConsumedRefreshTokens: () => !options.behaviour.current.reuse_revokes_grant}),
    async findAccount(_ctx, id) {
      const account = findAccountById(id)
      if (!account) return undefined
      return {
        accountId: account.id,
        async claims() {
          return {email: account.email, name: account.name, preferred_username: account.username, sub: account.id}
        },
      }
    },

    claims: {
      // The CLI never asks for `profile` or `email`; whoever may read the account may read these.
      'account.read': ['name', 'email', 'preferred_username'],
      openid: ['sub'],
    },
    clients: [
      {
        application_type: 'native',
        client_id: CLIENT_ID,
        client_name: CLIENT_NAME,
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token', TOKEN_EXCHANGE_GRANT],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'none',
      },
    ],
    // Expiry is exact: a test that waits past a token's lifetime must see it rejected.
    clockTolerance: 0,
    clientBasedCORS: () => false,
    cookies: {keys: [randomBytes(32).toString('base64url')]},
    features: {
      devInteractions: {enabled: false},
      deviceFlow: {
        charset: 'base-20',
        deviceInfo: (ctx) => ({at: new Date().toISOString(), ip: ctx.ip, ua: ctx.get('user-agent')}),
        enabled: true,
        mask: '****-****',
        successSource: async (ctx) => {
          ctx.type = 'html'
          ctx.body = pages.successPage({clientName: ctx.oidc.client?.clientName ?? CLIENT_NAME})
        },
        userCodeConfirmSource: async (ctx, form, client, deviceInfo, userCode) => {
          ctx.type = 'html'
          ctx.body = pages.confirmCodePage({
            clientName: client.clientName ?? client.clientId,
            form,
            origin: pages.describeOrigin(deviceInfo),
            userCode,
          })
        },
        userCodeInputSource: async (ctx, form, _out, error) => {
          ctx.type = 'html'
          ctx.body = pages.userCodePage({form, outcome: pages.userCodeOutcome(error)})
        },
      },
      introspection: {
        allowedPolicy: async (ctx, client, token) =>
          // A public client may only introspect its own tokens (oidc-provider's default rule, made explicit).
          client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId,
        enabled: true,
      },
      revocation: {
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
        enabled: true,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html'
          ctx.body = pages.logoutPage({form})
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html'
          ctx.body = pages.signedOutPage()
        },
      },
      userinfo: {enabled: true},
    },
    interactions: {url: (_ctx, interaction) => `/interaction/${interaction.uid}`},
    jwks: {keys: [await signingKey()]},
    async renderError(ctx, out) {
      ctx.type = 'html'
      ctx.body = pages.errorPage({
        message: out.error_description ?? 'The request could not be completed.',
        title: `Error: ${out.error}`,
      })
    },
    // By default every refresh gives a new refresh token and the old one then fails with invalid_grant.
    rotateRefreshToken: () => options.behaviour.current.rotate_refresh_tokens,
    scopes: [...PROTOCOL_SCOPES, ...Object.keys(PLATFORM_SCOPES)],
    ttl: {
      AccessToken: options.accessTokenTtl,
      DeviceCode: options.deviceCodeTtl,
      // A grant must outlive every refresh token issued under it, rotations included.
      Grant: 365 * DAY,
      IdToken: options.accessTokenTtl,
      Interaction: 60 * 60,
      RefreshToken: options.refreshTokenTtl,
      Session: 14 * DAY,
    },
  }
}

/** A fresh RSA key per run: tokens from an earlier emulator run must not verify against this one. */
async function signingKey(): Promise<JWK> {
  const {privateKey} = await promisify(generateKeyPair)('rsa', {modulusLength: 2048})
  return {...(privateKey.export({format: 'jwk'}) as JWK), alg: 'RS256', use: 'sig'}
}

/**
 * Answers before oidc-provider sees the request: the routes that a setting switches off, and a code
 * form posted without the session its page set (oidc-provider would fail on it with a 500).
 */
function refuseEarly(ctx: KoaContextWithOIDC, provider: Provider, behaviour: Behaviour): boolean {
  const settings = behaviour.current
  if (settings.plain_oauth && (ctx.path === '/.well-known/openid-configuration' || ctx.path === '/me')) {
    ctx.status = 404
    ctx.body = {error: 'not_found', error_description: 'this server is a plain OAuth 2.0 server: no OpenID discovery, no userinfo'}
    return true
  }

  if (settings.revocation_requires_client_auth && ctx.path === '/token/revocation') {
    ctx.status = 401
    ctx.body = {error: 'invalid_client', error_description: 'client authentication is required to revoke tokens'}
    return true
  }

  if (ctx.method === 'POST' && ctx.path === '/device' && !ctx.cookies.get(provider.cookieName('session'), {signed: true})) {
    ctx.status = 400
    ctx.type = 'html'
    ctx.body = pages.errorPage({
      message: 'This form was not sent from the code page in this browser, or the emulator restarted since. Enter the code again.',
      title: 'Sign-in problem',
    })
    return true
  }

  return false
}

/** A status with nothing else: no body, no content type, no WWW-Authenticate, as some real servers answer. */
function bareAnswer(ctx: KoaContextWithOIDC, status: number): void {
  ctx.body = ''
  ctx.status = status
  ctx.remove('WWW-Authenticate')
  ctx.remove('Content-Type')
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
