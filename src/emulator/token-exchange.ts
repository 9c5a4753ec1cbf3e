/**
 * OAuth 2.0 Token Exchange (RFC 8693) at the token endpoint, for one use: a pipeline trades a long-lived
 * API key (`sk_live_…`, the subject token) for a short-lived access token that the platform API accepts.
 * The key itself is never accepted at `/v1`. The access token acts as the key's owner in the key's
 * organization, with the key's scopes or a subset asked for with `scope`; it stops working the moment
 * the key is revoked (ExchangeGrants).
 */
import type Provider from 'oidc-provider'
import type {KoaContextWithOIDC} from 'oidc-provider'

import {findAccountById} from './accounts.js'
import {API_KEY_PATTERN, type Credential, type SecretStore} from './secrets.js'
import type {Behaviour} from './settings.js'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
/** The `gty` of exchanged access tokens in oidc-provider's store: how the platform API tells them apart. */
export const EXCHANGE_GTY = 'token_exchange'

const PARAMETERS = ['subject_token', 'subject_token_type', 'scope', 'requested_token_type', 'actor_token', 'actor_token_type', 'audience', 'resource']

type OidcErrors = typeof import('oidc-provider').errors

/**
 * An exchanged token lives only as long as its API key. Every exchange makes its own grant and records
 * here which key it came from: the platform API asks `liveKey` on every call, and revoking a key also
 * deletes its tokens from the authorization server's store (so introspection sees them as gone too).
 */
export class ExchangeGrants {
  readonly #secrets: SecretStore
  readonly #keyByGrant = new Map<string, string>()
  readonly #grantsByKey = new Map<string, string[]>()

  constructor(secrets: SecretStore) {
    this.#secrets = secrets
  }

  record(grantId: string, apiKeyId: string): void {
    this.#keyByGrant.set(grantId, apiKeyId)
    this.#grantsByKey.set(apiKeyId, [...(this.#grantsByKey.get(apiKeyId) ?? []), grantId])
  }

  /** The API key an exchanged token's grant came from, if that key is still live. */
  liveKey(grantId: string | undefined): Credential | undefined {
    const keyId = grantId === undefined ? undefined : this.#keyByGrant.get(grantId)
    const key = keyId === undefined ? undefined : this.#secrets.findById('api_key', keyId)
    return key && this.#secrets.isLive(key) ? key : undefined
  }

  /** From now on, revoking an API key (whichever way) deletes the tokens exchanged from it from `provider`'s store. */
  endTokensOnRevocation(provider: Provider): void {
    this.#secrets.onRevoked((credential) => {
      if (credential.kind !== 'api_key') return
      const grants = this.#grantsByKey.get(credential.id) ?? []
      Promise.all(
        grants.map(async (grantId) => {
          await provider.AccessToken.revokeByGrantId(grantId)
          await (await provider.Grant.find(grantId))?.destroy()
        }),
      ).catch((error: unknown) => {
        process.stderr.write(`emulator: ending the tokens of a revoked API key failed: ${String(error)}\n`)
      })
    })
  }
}

export function registerTokenExchange(
  provider: Provider,
  errors: OidcErrors,
  deps: {behaviour: Behaviour; grants: ExchangeGrants; onExchange?: (details: {masked: string; scope: string; username: string}) => void; secrets: SecretStore},
): void {
  const invalidRequest = (description: string) => new errors.InvalidRequest(description)
  const invalidGrant = (description: string) => new errors.CustomOIDCProviderError('invalid_grant', description)

  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    async (ctx: KoaContextWithOIDC) => {
      const params = ctx.oidc.params as Record<string, string | undefined>
      if (!params.subject_token) throw invalidRequest("missing required parameter 'subject_token'")
      if (!params.subject_token_type) throw invalidRequest("missing required parameter 'subject_token_type'")
      if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
        throw invalidRequest(`unsupported subject_token_type: only ${ACCESS_TOKEN_TYPE} (an API key) is exchanged here`)
      }

      if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
        throw invalidRequest(`unsupported requested_token_type: only ${ACCESS_TOKEN_TYPE} is issued`)
      }

      if (params.actor_token !== undefined || params.actor_token_type !== undefined) {
        throw invalidRequest('delegation (actor_token) is not supported')
      }

      // Only API keys are exchanged: a PAT or bot key is used as a bearer token directly.
      const key = API_KEY_PATTERN.test(params.subject_token) ? deps.secrets.find(params.subject_token) : undefined
      if (!key || key.kind !== 'api_key' || !deps.secrets.isLive(key)) throw invalidGrant('the subject token is not a live API key (unknown or revoked)')
      const account = findAccountById(key.ownerId)
      if (!account) throw invalidGrant('the API key belongs to no known user')

      const requested = (params.scope ?? '').split(' ').filter(Boolean)
      const beyond = requested.filter((scope) => !key.scopes.includes(scope))
      if (beyond.length > 0) {
        throw new errors.InvalidScope(`the API key does not have these scopes: ${beyond.join(', ')}`, beyond.join(' '))
      }

      const scopes = requested.length > 0 ? [...new Set(requested)] : key.scopes
      const {client} = ctx.oidc
      if (!client) throw invalidRequest('no client')
      const ttl = deps.behaviour.current.exchanged_token_ttl
      // The grant exists for this one token: it goes when the token does, not a year later.
      const grant = new provider.Grant({accountId: account.id, clientId: client.clientId, expiresIn: ttl} as ConstructorParameters<typeof provider.Grant>[0])
      grant.addOIDCScope(scopes.join(' '))
      const grantId = await grant.save()
      deps.grants.record(grantId, key.id)
      const token = new provider.AccessToken({
        accountId: account.id,
        client,
        expiresIn: ttl,
        grantId,
        gty: EXCHANGE_GTY,
        scope: scopes.join(' '),
      })
      const value = await token.save()
      key.lastUsedAt = new Date()
      deps.onExchange?.({masked: key.masked, scope: scopes.join(' '), username: account.username})

      ctx.body = {
        access_token: value,
        expires_in: token.expiration,
        issued_token_type: ACCESS_TOKEN_TYPE,
        scope: scopes.join(' '),
        token_type: 'Bearer',
      }
    },
    PARAMETERS,
  )
}
