/**
 * `latch login`: the device flow from scopes to saved credentials. Nothing is written until the
 * server has approved and named the user, so a denied, expired or cancelled login changes nothing.
 */
import type {Context} from '../context.js'
import {cancelled, requestDeviceCode, waitForApproval} from '../oauth/device-flow.js'
import {type BrowserChoice, decideBrowser} from '../ui/browser.js'
import {createDeviceScreen} from '../ui/device-screen.js'
import {createSteps} from '../ui/steps.js'
import {identify} from './identity.js'
import {type LoginOutcome, saveLogin} from './save-login.js'
import {scopesToKeep, scopesToRequest} from './scopes.js'

export interface DeviceLoginOptions {
  browser: BrowserChoice
  /** Copy the code to the clipboard too (--copy). */
  copy?: boolean
  /** --json: only the code and URL on stderr (plain lines, never the interactive screen), no steps. */
  json?: boolean
  /** Ask only for `scopes`, instead of adding them to those of the current login. */
  resetScopes?: boolean
  scopes?: string
  /** Aborted on Ctrl-C or SIGTERM (reason 'SIGTERM'). */
  signal: AbortSignal
}

export async function deviceLogin(context: Context, options: DeviceLoginOptions): Promise<LoginOutcome> {
  const steps = createSteps({env: context.env, json: options.json, signal: options.signal, stream: context.stderr})
  // Without --scopes: the `scopes` setting (config.json), else the built-in defaults.
  const asked = scopesToRequest(options.scopes, context.config.scopes.value, context.brand.scopes)
  const kept = options.resetScopes ? [] : scopesToKeep(context.credentials, context.config.issuer.value, asked, context.brand.scopes)
  if (kept.length > 0) context.note(`Keeping the scopes of your current login: ${kept.join(', ')} (--reset-scopes asks only for the ones named).`)
  const scopes = [...asked, ...kept]
  warnIfShadowed(context)
  // Before anyone is asked to approve: a login that could not be saved must fail now, not after.
  await context.store.checkWritable()
  const server = await steps.run('Discovering the authorization server...', () => context.discover())
  if (options.signal.aborted) throw cancelled(options.signal)
  const code = await steps.run('Initiating device authorization...', () => requestDeviceCode(server, scopes, context.timeout))

  const screen = createDeviceScreen({bin: context.bin, env: context.env, json: options.json, now: context.now, product: context.brand.product, signal: options.signal, stream: context.stderr})
  let tokens
  try {
    await screen.show(code)
    const url = code.verificationUriComplete ?? code.verificationUri
    const browser = decideBrowser(options.browser, context.env)
    if (!browser.open && browser.tell) screen.note(`Not opening a browser: ${browser.reason}; open the URL above yourself.`)
    if (browser.open) {
      // Not awaited: polling starts now, whatever the browser does.
      // A browser program that starts and then fails is said too; the login keeps waiting either way.
      const failed = (reason: string) => screen.note(`Could not open a browser (${reason}); open the URL above yourself.`)
      void context.openBrowser(url, failed).then((failure) => failure && failed(failure))
    }

    if (options.copy) void context.copyToClipboard(code.userCode).then((failure) => screen.note(failure ? `Could not copy the code (${failure}).` : 'Copied the code to the clipboard.'))
    tokens = await waitForApproval(server, code, options.signal, context.timeout)
    screen.approved()
  } catch (error) {
    screen.fail(error)
    throw error
  } finally {
    screen.stop()
  }

  const user = await steps.run('Reading your account...', () =>
    identify(context, {origin: 'the new login', scopes: tokens.scopes, secret: tokens.accessToken}, tokens.idTokenSubject),
  )

  // Servers grant the subset of scopes they know and say nothing: tell the person what is missing.
  const notGranted = scopes.filter((scope) => !tokens.scopes.includes(scope))
  if (notGranted.length > 0) context.note(`Warning: the server did not grant ${notGranted.join(', ')} (asked for ${scopes.join(', ')}).`)
  if (!user) context.note('Note: the server does not say who you are (no platform API, no userinfo endpoint); the token is saved anyway.')
  const result = await saveLogin(
    context,
    {access_token: tokens.accessToken, expires_at: tokens.expiresAt, issued_at: tokens.issuedAt, refresh_token: tokens.refreshToken, scopes: tokens.scopes, type: 'oauth'},
    user,
    steps,
    options.json,
  )
  return result.authenticated ? {...result, scopes_not_granted: notGranted} : result
}

export function warnIfShadowed(context: Context): void {
  const {apiKey, token} = context.config
  const winner = token?.source === 'env' ? token.origin : apiKey?.origin
  if (winner) {
    context.note(`Warning: ${winner} is set; it will keep taking precedence over the credentials this login saves.`)
  }
}

