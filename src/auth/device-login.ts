/**
 * `latch login`: the device flow from scopes to saved credentials. Nothing is written until the
 * server has approved and named the user, so a denied, expired or cancelled login changes nothing.
 */
import type {Context} from '../context.js'
import {cancelled, requestDeviceCode, waitForApproval} from '../oauth/device-flow.js'
import {type BrowserChoice, decideBrowser} from '../ui/browser.js'
import {createDeviceScreen} from '../ui/device-screen.js'
import {identify} from './identity.js'
import {type LoginResult, saveLogin} from './save-login.js'
import {scopesToKeep, scopesToRequest} from './scopes.js'

export interface DeviceLoginOptions {
  browser: BrowserChoice
  /** Copy the code to the clipboard too (--copy). */
  copy?: boolean
  /** --json: plain lines on stderr, never the interactive screen. */
  json?: boolean
  /** Ask only for `scopes`, instead of adding them to those of the current login. */
  resetScopes?: boolean
  scopes?: string
  /** Aborted on Ctrl-C or SIGTERM (reason 'SIGTERM'). */
  signal: AbortSignal
}

export async function deviceLogin(context: Context, options: DeviceLoginOptions): Promise<LoginResult> {
  // Without --scopes: the `scopes` setting (config.json), else the built-in defaults.
  const asked = scopesToRequest(options.scopes, context.config.scopes.value)
  const kept = options.resetScopes ? [] : scopesToKeep(context.credentials, context.config.issuer.value, asked)
  if (kept.length > 0) context.note(`Keeping the scopes of your current login: ${kept.join(', ')} (--reset-scopes asks only for the ones named).`)
  const scopes = [...asked, ...kept]
  warnIfShadowed(context)
  const server = await context.discover()
  if (options.signal.aborted) throw cancelled(options.signal)
  const code = await requestDeviceCode(server, scopes, context.timeout)

  const screen = createDeviceScreen({bin: context.bin, env: context.env, json: options.json, signal: options.signal, stream: context.stderr})
  let tokens, user
  try {
    await screen.show(code)
    const url = code.verificationUriComplete ?? code.verificationUri
    if (decideBrowser(options.browser, context.env).open) {
      // Not awaited: polling starts now, whatever the browser does.
      void context.openBrowser(url).then((failure) => failure && screen.note(`Could not open a browser (${failure}); open the URL above yourself.`))
    }

    if (options.copy) void context.copyToClipboard(code.userCode).then((failure) => screen.note(failure ? `Could not copy the code (${failure}).` : 'Copied the code to the clipboard.'))
    tokens = await waitForApproval(server, code, options.signal, context.timeout)
    screen.approved()
    user = await identify(context, {origin: 'the new login', scopes: tokens.scopes, secret: tokens.accessToken}, tokens.idTokenSubject)
  } catch (error) {
    screen.fail(error)
    throw error
  } finally {
    screen.stop()
  }

  return saveLogin(
    context,
    {access_token: tokens.accessToken, expires_at: tokens.expiresAt, refresh_token: tokens.refreshToken, scopes: tokens.scopes, type: 'oauth'},
    user,
  )
}

export function warnIfShadowed(context: Context): void {
  const {token} = context.config
  if (token?.source === 'env') {
    context.note(`Warning: ${token.origin} is set; it will keep taking precedence over the credentials this login saves.`)
  }
}

