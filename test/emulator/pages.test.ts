/**
 * The pages a person uses to approve a device, walked over HTTP as a browser would: forms, cookies,
 * xsrf tokens and redirects. The device side polls the token endpoint to see the outcome.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'

import {PLATFORM_SCOPES} from '../../src/platform/scopes.js'
import {type RunningEmulator, startEmulator, useEmulator} from '../helpers/emulator.js'
import {Browser, formByAction, formById, formsOf, type Page, textOf} from './browser.js'
import {type DeviceAuthorization, LOGIN_SCOPE, me, pollToken, pollUntilSettled, postJson, startDeviceAuthorization} from './oauth.js'

const DEVICE_AGENT = 'latch/0.1.0 linux-x64 node-v20'

let emulator: RunningEmulator
let issuer: string

beforeAll(async () => {
  emulator = await startEmulator(['--interval', '0.2'])
  issuer = emulator.issuer
})

afterAll(async () => {
  await emulator?.stop()
})

function startDevice(userAgent = DEVICE_AGENT): Promise<DeviceAuthorization> {
  return startDeviceAuthorization(issuer, LOGIN_SCOPE, {'user-agent': userAgent})
}

/** Opens verification_uri_complete (which posts the prefilled code itself) and lands on the confirmation page. */
async function openCompleteLink(browser: Browser, device: DeviceAuthorization): Promise<Page> {
  const autoPost = await browser.get(device.verification_uri_complete)
  expect(autoPost.status).toBe(200)
  const [form] = formsOf(autoPost.html)
  expect(form.fields.user_code).toBe(device.user_code)
  return browser.submit(autoPost, form)
}

/** From the confirmation page: Continue, then sign in as `user`; lands on the consent page. */
async function confirmAndSignIn(browser: Browser, confirmPage: Page, user = 'alice'): Promise<Page> {
  const signIn = await browser.submit(confirmPage, formById(confirmPage.html, 'op.deviceConfirmForm'))
  expect(textOf(signIn.html)).toContain('Sign in to continue to latch CLI')
  return browser.submit(signIn, formByAction(signIn.html, '/login'), {user})
}

describe('approving through the pages', () => {
  it('walks code confirmation, sign-in and consent, and the device gets its tokens', async () => {
    const device = await startDevice()
    const browser = new Browser()

    const confirm = await openCompleteLink(browser, device)
    const confirmText = textOf(confirm.html)
    expect(confirmText).toContain('latch CLI wants to sign in')
    expect(confirmText).toContain(device.user_code)
    expect(confirmText).toContain(DEVICE_AGENT)

    const consent = await confirmAndSignIn(browser, confirm, 'bob')
    const consentText = textOf(consent.html)
    expect(consentText).toContain('Authorize latch CLI')
    expect(consentText).toContain('Signed in as Bob Example (bob@example.com)')
    for (const scope of ['inference', 'projects.read', 'deployments.read', 'account.read'] as const) {
      expect(consentText).toContain(`${scope}: ${PLATFORM_SCOPES[scope]}`)
    }

    expect(consentText).toContain('offline_access: Stay signed in on this device')
    // Where and when the request came from, so a person can spot one that is not theirs.
    expect(consentText).toMatch(/IP address (127\.0\.0\.1|::ffff:127\.0\.0\.1|::1) /)
    expect(consentText).toContain(`Program ${DEVICE_AGENT}`)
    expect(consentText).toMatch(/Time \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/)

    const pending = await pollToken(issuer, device.device_code)
    expect(pending.body.error).toBe('authorization_pending')

    const success = await browser.submit(consent, formByAction(consent.html, '/confirm'))
    expect(success.status).toBe(200)
    expect(textOf(success.html)).toContain('Device signed in')

    const {body, status} = await pollUntilSettled(issuer, device)
    expect(status).toBe(200)
    expect(body.scope).toBe(LOGIN_SCOPE)
    expect((await me(issuer, body.access_token as string)).body.id).toBe('usr_bob')
  })

  it('accepts a code typed by hand, in lower case and without the dash', async () => {
    const device = await startDevice()
    const browser = new Browser()
    const entry = await browser.get(`${issuer}/device`)
    expect(textOf(entry.html)).toContain('Enter the code shown on your device')

    const typed = device.user_code.replace('-', '').toLowerCase()
    const confirm = await browser.submit(entry, formById(entry.html, 'op.deviceInputForm'), {user_code: typed})
    expect(textOf(confirm.html)).toContain(device.user_code)
    const consent = await confirmAndSignIn(browser, confirm)
    await browser.submit(consent, formByAction(consent.html, '/confirm'))
    expect((await pollUntilSettled(issuer, device)).status).toBe(200)
  })

  it('says so when the code is not recognised', async () => {
    const browser = new Browser()
    const entry = await browser.get(`${issuer}/device`)
    const result = await browser.submit(entry, formById(entry.html, 'op.deviceInputForm'), {user_code: 'BBBB-BBBB'})
    expect(textOf(result.html)).toContain('That code is not recognised')
    // And the form is there to try again.
    expect(formById(result.html, 'op.deviceInputForm').fields.xsrf).toEqual(expect.any(String))
  })

  it('refuses a code that was already approved', async () => {
    const device = await startDevice()
    await emulator.approve(device.user_code)
    const page = await openCompleteLink(new Browser(), device)
    expect(textOf(page.html)).toContain('That code has already been approved or denied')
  })
})

describe('denying through the pages', () => {
  it('denies at the consent page: the device gets access_denied', async () => {
    const device = await startDevice()
    const browser = new Browser()
    const consent = await confirmAndSignIn(browser, await openCompleteLink(browser, device))
    const denied = await browser.submit(consent, formByAction(consent.html, '/abort'))
    expect(textOf(denied.html)).toContain('Request denied')
    expect((await pollToken(issuer, device.device_code)).body.error).toBe('access_denied')
  })

  it('cancels at the code confirmation: the device gets access_denied', async () => {
    const device = await startDevice()
    const browser = new Browser()
    const confirm = await openCompleteLink(browser, device)
    const cancelled = await browser.submit(confirm, formById(confirm.html, 'op.deviceConfirmForm'), {abort: 'yes'})
    expect(textOf(cancelled.html)).toContain('Request denied')
    expect((await pollToken(issuer, device.device_code)).body.error).toBe('access_denied')
  })
})

describe('what the pages show', () => {
  it('escapes what the device sent: a hostile user agent is shown as text, never as markup', async () => {
    const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    const device = await startDevice(hostile)
    const browser = new Browser()
    const confirm = await openCompleteLink(browser, device)
    const consent = await confirmAndSignIn(browser, confirm)
    for (const page of [confirm, consent]) {
      expect(page.html).not.toContain('<script>alert')
      expect(page.html).not.toContain('<img src=x')
      expect(page.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
      expect(textOf(page.html)).toContain(hostile)
    }
  })

  it('uses no external assets and no scripts of its own', async () => {
    const browser = new Browser()
    const device = await startDevice()
    const confirm = await openCompleteLink(browser, device)
    const consent = await confirmAndSignIn(browser, confirm)
    for (const page of [await browser.get(`${issuer}/device`), confirm, consent]) {
      const urls = page.html.match(/https?:\/\/[^"'\s)]+/g) ?? []
      for (const url of urls) expect(url.startsWith(`${issuer}/`)).toBe(true)
      expect(page.html).not.toContain('<script')
    }
  })

  it('answers a sign-in step opened without its cookie with a 400 page, not a crash', async () => {
    const device = await startDevice()
    const browser = new Browser()
    const confirm = await openCompleteLink(browser, device)
    const signIn = await browser.submit(confirm, formById(confirm.html, 'op.deviceConfirmForm'))
    const stranger = new Browser()
    const page = await stranger.submit(signIn, formByAction(signIn.html, '/login'), {user: 'alice'})
    expect(page.status).toBe(400)
    expect(textOf(page.html)).toContain('Sign-in problem')
  })

  it('rejects an unknown user on the sign-in form', async () => {
    const device = await startDevice()
    const browser = new Browser()
    const confirm = await openCompleteLink(browser, device)
    const signIn = await browser.submit(confirm, formById(confirm.html, 'op.deviceConfirmForm'))
    const page = await browser.submit(signIn, formByAction(signIn.html, '/login'), {user: 'mallory'})
    expect(page.status).toBe(400)
    expect(textOf(page.html)).toContain('pick one of the listed users')
  })
})

describe('an expired code', () => {
  const shortLived = useEmulator(['--interval', '0.2', '--device-code-ttl', '1'])

  it('gets the expired page', async () => {
    const device = await startDeviceAuthorization(shortLived.issuer)
    expect((await pollUntilSettled(shortLived.issuer, device)).body.error).toBe('expired_token')
    const browser = new Browser()
    const autoPost = await browser.get(device.verification_uri_complete)
    const page = await browser.submit(autoPost, formsOf(autoPost.html)[0])
    expect(textOf(page.html)).toContain('Code expired')
    expect(textOf(page.html)).toContain('Start the sign-in again on your device')
  })
})

describe('a server that knows fewer scopes (known_scopes)', () => {
  it('asks consent for, and grants, only the requested scopes it knows', async () => {
    const settings = `${issuer}/_emulator/settings`
    await postJson(settings, {known_scopes: ['openid', 'offline_access', 'inference']})
    try {
      const device = await startDevice()
      const browser = new Browser()
      const consent = await confirmAndSignIn(browser, await openCompleteLink(browser, device))
      const text = textOf(consent.html)
      expect(text).toContain(`inference: ${PLATFORM_SCOPES.inference}`)
      expect(text).not.toContain('account.read')
      expect(text).not.toContain('projects.read')
      await browser.submit(consent, formByAction(consent.html, '/confirm'))
      const {body, status} = await pollUntilSettled(issuer, device)
      expect(status).toBe(200)
      expect(body.scope).toBe('openid offline_access inference')
    } finally {
      await postJson(settings, {known_scopes: null})
    }
  })
})
