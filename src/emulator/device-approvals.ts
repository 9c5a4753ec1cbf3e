/**
 * Approving or denying a pending device code without the pages: what the control API and
 * `--auto-approve` do. It records the same outcome the pages would (a saved Grant, and the account on
 * the DeviceCode), so the token endpoint cannot tell the difference.
 */
import type Provider from 'oidc-provider'

import {PROTOCOL_SCOPES} from '../platform/scopes.js'
import type {Account} from './accounts.js'
import type {Activity} from './activity.js'
import {HttpError} from './http.js'
import type {Behaviour} from './settings.js'

/**
 * oidc-provider stores user codes upper-cased without separators and normalizes input the same way
 * (its helper is not exported), so `wdjb-mjht`, `WDJBMJHT` and `WDJB-MJHT` are one code.
 */
export function normalizeUserCode(input: string): string {
  return input.toUpperCase().replaceAll(/\W/g, '')
}

export class DeviceApprovals {
  readonly #provider: Provider
  readonly #behaviour: Behaviour
  readonly #activity: Activity

  constructor(provider: Provider, behaviour: Behaviour, activity: Activity) {
    this.#provider = provider
    this.#behaviour = behaviour
    this.#activity = activity
  }

  /**
   * Approves a pending code as `account`. `platformScopes`, when given, narrows what is granted to a
   * subset of what was requested; the protocol scopes that were requested (openid, offline_access) are
   * always granted with it, since they are about the sign-in, not about the platform.
   */
  async approve(userCode: string, account: Account, platformScopes?: string[]): Promise<{scope: string}> {
    const code = await this.#findPending(userCode)
    const requested = (typeof code.params?.scope === 'string' ? code.params.scope : '').split(' ').filter(Boolean)

    if (platformScopes) {
      const notRequested = platformScopes.filter((scope) => !requested.includes(scope))
      if (notRequested.length > 0) {
        throw new HttpError(400, 'invalid_scope', `not requested by the device, so cannot be granted: ${notRequested.join(', ')}`)
      }
    }

    const chosen = platformScopes
      ? requested.filter((scope) => (PROTOCOL_SCOPES as readonly string[]).includes(scope) || platformScopes.includes(scope))
      : requested
    const granted = this.#behaviour.knownOnly(chosen)

    const grant = new this.#provider.Grant({accountId: account.id, clientId: code.clientId})
    if (granted.length > 0) grant.addOIDCScope(granted)
    const grantId = await grant.save()

    Object.assign(code, {
      accountId: account.id,
      authTime: Math.floor(Date.now() / 1000),
      grantId,
      scope: granted.join(' '),
    })
    await code.save()
    this.#activity.approved(code.userCode ?? userCode, account.username, granted.join(' '))
    return {scope: granted.join(' ')}
  }

  async deny(userCode: string): Promise<void> {
    const code = await this.#findPending(userCode)
    Object.assign(code, {error: 'access_denied', errorDescription: 'the request was denied'})
    await code.save()
    this.#activity.denied(code.userCode ?? userCode, 'through the control API')
  }

  async #findPending(userCode: string) {
    const code = await this.#provider.DeviceCode.findByUserCode(normalizeUserCode(userCode), {ignoreExpiration: true})
    if (!code) throw new HttpError(404, 'not_found', 'no device request has that user code')
    if (code.isExpired) throw new HttpError(400, 'expired_token', 'that user code has expired')
    if (code.accountId || code.error || code.consumed) {
      throw new HttpError(409, 'already_used', 'that user code has already been approved or denied')
    }

    return code
  }
}
