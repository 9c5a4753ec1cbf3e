/**
 * `latch login`: the device flow from scopes to saved credentials. Nothing is written until the
 * server has approved and named the user, so a denied, expired or cancelled login changes nothing.
 */
import type {Context} from '../context.js'
import type {StoredCredentials} from '../credentials/schema.js'
import {cancelled, requestDeviceCode, waitForApproval} from '../oauth/device-flow.js'
import {type BrowserChoice, decideBrowser} from '../ui/browser.js'
import {identify} from './identity.js'
import {platformScopes, scopesToRequest} from './scopes.js'

export interface DeviceLoginOptions {
  browser: BrowserChoice
  scopes?: string
  /** Aborted on Ctrl-C or SIGTERM (reason 'SIGTERM'). */
  signal: AbortSignal
}

export interface LoginResult {
  authenticated: true
  credentials_path: string
  issuer: string
  token: {expires_at: null | string; scopes: string[]; type: 'oauth' | 'pat'}
  user: {id: string; name: string}
}

export async function deviceLogin(context: Context, options: DeviceLoginOptions): Promise<LoginResult> {
  const scopes = scopesToRequest(options.scopes)
  warnIfShadowed(context)
  const server = await context.discover()
  if (options.signal.aborted) throw cancelled(options.signal)
  const code = await requestDeviceCode(server, scopes, context.timeout)

  context.note(`Your device code is: ${code.userCode}`)
  const url = code.verificationUriComplete ?? code.verificationUri
  context.note(`Open ${url} to approve this login${code.verificationUriComplete ? ` (or go to ${code.verificationUri} and enter the code)` : ''}.`)
  const browser = decideBrowser(options.browser, context.env)
  if (browser.open) {
    // Not awaited: polling starts now, whatever the browser does.
    void context.openBrowser(url).then((failure) => {
      if (failure) context.note(`Could not open a browser (${failure}); open the URL above yourself.`)
    })
  }

  context.note(`Waiting for approval (the code expires in ${formatDuration(code.expiresIn)})...`)
  const tokens = await waitForApproval(server, code, options.signal, context.timeout)
  const user = await identify(context, {origin: 'the new login', scopes: tokens.scopes, secret: tokens.accessToken}, tokens.idTokenSubject)

  const previous = context.credentials
  const credentials: StoredCredentials = {
    // A linked project belongs to the server it was linked on: keep it only there.
    access_key: previous?.issuer === context.config.issuer.value ? previous.access_key : undefined,
    created_at: new Date().toISOString(),
    issuer: context.config.issuer.value,
    token: {
      access_token: tokens.accessToken,
      expires_at: tokens.expiresAt,
      refresh_token: tokens.refreshToken,
      scopes: tokens.scopes,
      type: 'oauth',
    },
    user: {id: user.id, name: user.name},
    version: 1,
  }
  await context.store.write(credentials)
  context.note(`Authenticated successfully as ${user.name} (${user.id}).`)
  context.note(`Credentials saved to ${context.store.path}`)
  return {
    authenticated: true,
    credentials_path: context.store.path,
    issuer: credentials.issuer,
    token: {expires_at: tokens.expiresAt ?? null, scopes: platformScopes(tokens.scopes), type: 'oauth'},
    user: {id: user.id, name: user.name},
  }
}

export function warnIfShadowed(context: Context): void {
  const {token} = context.config
  if (token?.source === 'env') {
    context.note(`Warning: ${token.origin} is set; it will keep taking precedence over the credentials this login saves.`)
  }
}

export function formatDuration(seconds: number): string {
  if (seconds >= 120) return `${Math.round(seconds / 60)} minutes`
  return `${Math.round(seconds)} seconds`
}
