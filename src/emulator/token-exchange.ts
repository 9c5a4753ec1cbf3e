/**
 * OAuth 2.0 Token Exchange (RFC 8693) at the token endpoint, for one use: a pipeline trades a long-lived
 * API key (`sk_live_…`, the subject token) for a short-lived access token that the platform API accepts.
 * The key itself is never accepted at `/v1`. The access token acts as the key's owner in the key's
 * organization, with the key's scopes or a subset asked for with `scope`; it stops working the moment
 * the key is revoked (the platform API checks the key on every call, through ExchangeGrants).
 */
import type Provider from 'oidc-provider'
import type {KoaContextWithOIDC} from 'oidc-provider'

import {findAccountById} from './accounts.js'
import {API_KEY_PATTERN, type SecretStore} from './secrets.js'
import type {Behaviour} from './settings.js'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
/** The `gty` of exchanged access tokens in oidc-provider's store: how the platform API tells them apart. */
export const EXCHANGE_GTY = 'token_exchange'

const PARAMETERS = ['subject_token', 'subject_token_type', 'scope', 'requested_token_type', 'actor_token', 'actor_token_type', 'audience', 'resource']

type OidcErrors = typeof import('oidc-provider').errors

/**
 * Which API key each exchange's grant came from: every exchange makes its own grant, and the platform
 * API asks here whether an exchanged token's key is still live.
 */
export class ExchangeGrants {
  readonly #keyByGrant = new Map<string, string>()

  record(grantId: string, apiKeyId: string): void {
    this.#keyByGrant.set(grantId, apiKeyId)
  }

  apiKeyOf(grantId: string | undefined): string | undefined {
    return grantId === undefined ? undefined : this.#keyByGrant.get(grantId)
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
      const grant = new provider.Grant({accountId: account.id, clientId: client.clientId})
      grant.addOIDCScope(scopes.join(' '))
      const grantId = await grant.save()
      deps.grants.record(grantId, key.id)
      const token = new provider.AccessToken({
        accountId: account.id,
        client,
        expiresIn: deps.behaviour.current.exchanged_token_ttl,
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
