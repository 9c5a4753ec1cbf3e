/**
 * The OAuth side of the emulator: node-oidc-provider configured as the platform's authorization server,
 * with one public client (`latch-cli`), the device flow, refresh-token rotation, revocation,
 * introspection and userinfo. Every default that would print a "you SHOULD change this" notice is set
 * here, so the emulator's own output stays clean.
 */
import type {IncomingMessage} from 'node:http'
import {generateKeyPair, randomBytes} from 'node:crypto'
import {promisify} from 'node:util'

import type Provider from 'oidc-provider'
import type {Configuration, JWK, KoaContextWithOIDC} from 'oidc-provider'

import {PLATFORM_SCOPES, PROTOCOL_SCOPES} from '../platform/scopes.js'
import {findAccountById} from './accounts.js'
import * as pages from './pages.js'
import {createMemoryStorage} from './storage.js'

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
  /** Told the grant_type of every token endpoint request, for the request log. */
  onGrantType: (req: IncomingMessage, grantType: string) => void
}

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

  // oidc-provider leaves `interval` out of its device authorization response, and RFC 8628 clients
  // then fall back to 5 s. Adding it lets `--interval 0.2` make tests fast.
  provider.use(async (ctx, next) => {
    try {
      await next()
    } finally {
      const body = (ctx as KoaContextWithOIDC).oidc?.body
      if (typeof body?.grant_type === 'string') options.onGrantType(ctx.req, body.grant_type)
    }

    const {oidc} = ctx as KoaContextWithOIDC
    if (oidc?.route === 'device_authorization' && ctx.status === 200 && isObject(ctx.body)) {
      ctx.body = {...ctx.body, interval: options.interval}
    }
  })

  provider.on('server_error', (_ctx: unknown, error: Error) => {
    process.stderr.write(`emulator: internal error: ${error.stack ?? error.message}\n`)
  })

  return provider
}

async function configuration(options: ProviderOptions): Promise<Configuration> {
  return {
    adapter: createMemoryStorage(),
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
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
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
    // Public clients get a new refresh token on every use; the old one then fails with invalid_grant.
    rotateRefreshToken: true,
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

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
