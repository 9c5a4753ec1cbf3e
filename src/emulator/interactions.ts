/**
 * The sign-in and consent steps of the device flow (`/interaction/{uid}`), which oidc-provider leaves
 * to the host. The code entry and confirmation pages before them, and the success page after, are
 * oidc-provider's routes rendered with our pages (see provider.ts).
 *
 *   GET  /interaction/{uid}          sign-in (pick a seeded user) or consent, whichever is pending
 *   POST /interaction/{uid}/login    user=alice
 *   POST /interaction/{uid}/confirm  approve what was requested
 *   POST /interaction/{uid}/abort    deny
 *
 * The interaction cookie oidc-provider sets is scoped to /interaction/{uid}, so the POST routes live
 * under that path.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

import type Provider from 'oidc-provider'

import {findAccountById, findAccountByUsername, SEEDED_ACCOUNTS} from './accounts.js'
import type {Activity} from './activity.js'
import {HttpError, readForm, sendHtml} from './http.js'
import * as pages from './pages.js'
import {CLIENT_NAME} from './provider.js'
import type {Behaviour} from './settings.js'

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>

export class InteractionPages {
  readonly #provider: Provider
  readonly #behaviour: Behaviour
  readonly #activity: Activity

  constructor(provider: Provider, behaviour: Behaviour, activity: Activity) {
    this.#provider = provider
    this.#behaviour = behaviour
    this.#activity = activity
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(path)
    if (!match) throw new HttpError(404, 'not_found', 'no such page')
    const [, uid, action] = match
    const expectedMethod = action ? 'POST' : 'GET'
    if (req.method !== expectedMethod) {
      throw new HttpError(405, 'invalid_request', `${path} only answers ${expectedMethod}`, {headers: {Allow: expectedMethod}})
    }

    let details: InteractionDetails
    try {
      details = await this.#provider.interactionDetails(req, res)
    } catch {
      throw new HttpError(400, 'interaction_not_found', 'this sign-in step has expired or was opened in another browser; start again with the code')
    }

    if (details.uid !== uid) {
      throw new HttpError(400, 'interaction_not_found', 'this sign-in step does not belong to this browser session; start again with the code')
    }

    switch (action) {
      case 'login': {
        await this.#login(req, res, details)
        return
      }

      case 'confirm': {
        await this.#confirm(req, res, details)
        return
      }

      case 'abort': {
        const deviceCode = await this.#deviceCode(details)
        this.#activity.denied(deviceCode?.userCode, `by ${findAccountById(details.session?.accountId)?.username ?? 'the person'} at the consent page`)
        await this.#provider.interactionFinished(
          req,
          res,
          {error: 'access_denied', error_description: 'the person denied the request'},
          {mergeWithLastSubmission: false},
        )
        return
      }

      default: {
        await this.#show(res, details)
      }
    }
  }

  async #show(res: ServerResponse, details: InteractionDetails): Promise<void> {
    const clientName = await this.#clientName(details)
    if (details.prompt.name === 'login') {
      sendHtml(res, 200, pages.signInPage({accounts: SEEDED_ACCOUNTS, action: `/interaction/${details.uid}/login`, clientName}))
      return
    }

    const account = findAccountById(details.session?.accountId)
    if (!account) throw new HttpError(400, 'login_required', 'sign in first')
    const deviceCode = await this.#deviceCode(details)
    sendHtml(
      res,
      200,
      pages.consentPage({
        account,
        approveAction: `/interaction/${details.uid}/confirm`,
        clientName,
        denyAction: `/interaction/${details.uid}/abort`,
        origin: pages.describeOrigin(deviceCode?.deviceInfo),
        scopes: pages.describeScopes(this.#grantable(details).join(' ')),
      }),
    )
  }

  async #login(req: IncomingMessage, res: ServerResponse, details: InteractionDetails): Promise<void> {
    if (details.prompt.name !== 'login') throw new HttpError(400, 'invalid_request', 'this step is not a sign-in')
    const account = findAccountByUsername((await readForm(req)).get('user'))
    if (!account) throw new HttpError(400, 'unknown_user', 'pick one of the listed users')
    await this.#provider.interactionFinished(req, res, {login: {accountId: account.id}}, {mergeWithLastSubmission: false})
  }

  async #confirm(req: IncomingMessage, res: ServerResponse, details: InteractionDetails): Promise<void> {
    if (details.prompt.name !== 'consent') throw new HttpError(400, 'invalid_request', 'this step is not a consent')
    const accountId = details.session?.accountId
    const clientId = details.params.client_id as string
    if (!accountId) throw new HttpError(400, 'login_required', 'sign in first')

    const grant =
      (details.grantId ? await this.#provider.Grant.find(details.grantId) : undefined) ??
      new this.#provider.Grant({accountId, clientId})
    const scopes = this.#grantable(details)
    if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '))
    // Marked as refused, so that oidc-provider does not ask for consent to them again.
    const unknown = requestedScopes(details).filter((scope) => !scopes.includes(scope))
    if (unknown.length > 0) grant.rejectOIDCScope(unknown.join(' '))
    const grantId = await grant.save()
    const deviceCode = await this.#deviceCode(details)
    this.#activity.approved(deviceCode?.userCode ?? 'a device request', findAccountById(accountId)?.username ?? accountId, scopes.join(' '))
    await this.#provider.interactionFinished(req, res, {consent: {grantId}}, {mergeWithLastSubmission: true})
  }

  /** What was asked for, without the scopes this server does not know (see the known_scopes setting). */
  #grantable(details: InteractionDetails): string[] {
    return this.#behaviour.knownOnly(requestedScopes(details))
  }

  async #deviceCode(details: InteractionDetails) {
    if (typeof details.deviceCode !== 'string') return undefined
    // The types lack ignoreSessionBinding; the consent page runs outside the device's session.
    return this.#provider.DeviceCode.find(details.deviceCode, {ignoreExpiration: true, ignoreSessionBinding: true} as {
      ignoreExpiration: boolean
    })
  }

  async #clientName(details: InteractionDetails): Promise<string> {
    const client = await this.#provider.Client.find(details.params.client_id as string)
    return client?.clientName ?? CLIENT_NAME
  }
}

function requestedScopes(details: InteractionDetails): string[] {
  return typeof details.params.scope === 'string' ? details.params.scope.split(' ').filter(Boolean) : []
}
