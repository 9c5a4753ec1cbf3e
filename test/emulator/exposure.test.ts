/**
 * The emulator is a development server that mints tokens for whoever asks: it must answer only to its
 * own names (DNS rebinding), its control API only to tools, never to web pages of other origins (CSRF),
 * and the URLs it hands out must never come from the request. Raw HTTP, so that every header is ours.
 */
import {createServer, request, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'

import {hasChromium, launchChromium} from '../helpers/chromium.js'
import {useEmulator} from '../helpers/emulator.js'
import {describeWithTools} from '../helpers/tmux.js'
import {textOf} from './browser.js'
import {startDeviceAuthorization} from './oauth.js'

const emulator = useEmulator(['--interval', '0.2'])

interface RawResponse {
  body: string
  headers: Record<string, string | string[] | undefined>
  status: number
}

/** One HTTP/1.1 request with exactly these headers (fetch would not let us set Host). */
function raw(options: {body?: string; headers?: Record<string, string>; method?: string; noHost?: boolean; path: string}): Promise<RawResponse> {
  const {hostname, port} = new URL(emulator.issuer)
  const setHost = !options.noHost
  return new Promise((resolve, reject) => {
    const req = request({headers: options.headers, hostname, method: options.method ?? 'GET', path: options.path, port, setHost}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({body, headers: res.headers, status: res.statusCode ?? 0}))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

const PAT_REQUEST = JSON.stringify({name: 'csrf', scopes: ['account.read', 'keys.write'], user: 'alice'})

function port(): string {
  return new URL(emulator.issuer).port
}

describe('the Host header', () => {
  it.each([
    ['OpenID discovery', 'GET', '/.well-known/openid-configuration'],
    ['the control API', 'POST', '/_emulator/pats'],
    ['the platform API', 'GET', '/v1/me'],
    ['the code page', 'GET', '/device'],
    ['the token endpoint', 'POST', '/token'],
  ])('a foreign name is refused (421) on %s, as DNS rebinding would send it', async (_label, method, path) => {
    for (const host of ['attacker.example', `attacker.example:${port()}`, `127.0.0.1.attacker.example:${port()}`, `127.0.0.1:${Number(port()) + 1}`]) {
      const response = await raw({
        body: method === 'POST' ? PAT_REQUEST : undefined,
        headers: {'content-type': 'application/json', host},
        method,
        path,
      })
      expect({host, status: response.status}).toEqual({host, status: 421})
      expect(JSON.parse(response.body)).toMatchObject({error: 'invalid_request'})
      expect(response.body).not.toContain('sk_pat_')
    }
  })

  it('a request without a Host header is refused too', async () => {
    const response = await raw({noHost: true, path: '/.well-known/openid-configuration'})
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
  })

  it.each(['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]'])('the loopback name %s with the bound port is served', async (name) => {
    const response = await raw({headers: {host: `${name}:${port()}`}, path: '/.well-known/openid-configuration'})
    expect(response.status).toBe(200)
  })

  it('discovery publishes the issuer and its endpoints, never the name the request used', async () => {
    const response = await raw({headers: {host: `localhost:${port()}`}, path: '/.well-known/openid-configuration'})
    const metadata = JSON.parse(response.body) as Record<string, unknown>
    expect(metadata.issuer).toBe(emulator.issuer)
    for (const key of ['token_endpoint', 'device_authorization_endpoint', 'userinfo_endpoint', 'revocation_endpoint', 'jwks_uri']) {
      expect(String(metadata[key]).startsWith(`${emulator.issuer}/`)).toBe(true)
    }

    expect(response.body).not.toContain('localhost')
  })

  it('the device authorization response points at the issuer, whichever local name was used', async () => {
    const response = await raw({
      body: 'client_id=latch-cli&scope=openid',
      headers: {'content-type': 'application/x-www-form-urlencoded', host: `[::1]:${port()}`},
      method: 'POST',
      path: '/device/auth',
    })
    const body = JSON.parse(response.body) as Record<string, string>
    expect(body.verification_uri).toBe(`${emulator.issuer}/device`)
    expect(body.verification_uri_complete.startsWith(`${emulator.issuer}/device?user_code=`)).toBe(true)
  })
})

describe('the control API and web pages', () => {
  const host = () => `127.0.0.1:${port()}`

  it('refuses a text/plain body (a form or fetch any web page can send without asking): 415, nothing minted', async () => {
    const response = await raw({body: PAT_REQUEST, headers: {'content-type': 'text/plain', host: host()}, method: 'POST', path: '/_emulator/pats'})
    expect(response.status).toBe(415)
    expect(JSON.parse(response.body)).toMatchObject({error: 'unsupported_media_type'})
    expect(response.body).not.toContain('sk_pat_')
  })

  it.each([
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['no content type at all', undefined],
    ['JSON-looking but not JSON', 'application/jsonx'],
  ])('refuses %s with 415', async (_label, type) => {
    const headers: Record<string, string> = {host: host()}
    if (type) headers['content-type'] = type
    const response = await raw({body: PAT_REQUEST, headers, method: 'POST', path: '/_emulator/pats'})
    expect(response.status).toBe(415)
  })

  it.each([
    ['another site', 'https://attacker.example'],
    ['another port on loopback', `http://127.0.0.1:${1}`],
    ['a sandboxed frame or file: page', 'null'],
  ])('refuses a request whose Origin is %s (403), even with a JSON body', async (_label, origin) => {
    const response = await raw({
      body: PAT_REQUEST,
      headers: {'content-type': 'application/json', host: host(), origin},
      method: 'POST',
      path: '/_emulator/pats',
    })
    expect(response.status).toBe(403)
    expect(JSON.parse(response.body)).toMatchObject({error: 'forbidden_origin'})
  })

  it('refuses a request a browser marks as cross-site, reads included', async () => {
    const response = await raw({headers: {host: host(), 'sec-fetch-site': 'cross-site'}, path: '/_emulator/requests'})
    expect(response.status).toBe(403)
  })

  it('grants no CORS preflight', async () => {
    const response = await raw({
      headers: {'access-control-request-method': 'POST', host: host(), origin: 'https://attacker.example'},
      method: 'OPTIONS',
      path: '/_emulator/pats',
    })
    expect(response.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('still answers tools (no Origin) and its own origin, with a JSON body', async () => {
    const plain = await raw({body: PAT_REQUEST, headers: {'content-type': 'application/json; charset=utf-8', host: host()}, method: 'POST', path: '/_emulator/pats'})
    expect(plain.status).toBe(201)
    const own = await raw({
      body: PAT_REQUEST,
      headers: {'content-type': 'application/json', host: host(), origin: emulator.issuer, 'sec-fetch-site': 'same-origin'},
      method: 'POST',
      path: '/_emulator/pats',
    })
    expect(own.status).toBe(201)
  })
})

describeWithTools({chromium: hasChromium()}, 'a web page of another origin, in a real browser (chromium)', () => {
  let page: Server
  let pageUrl: string

  beforeAll(async () => {
    // The attack page of the review: a form and two fetches at the control API, from another origin.
    page = createServer((_req, res) => {
      res.writeHead(200, {'content-type': 'text/html'})
      res.end(`<!DOCTYPE html><html><body>
<form id="f" method="post" enctype="text/plain" action="${emulator.issuer}/_emulator/pats">
<input name='{"user":"alice","name":"csrf-form","scopes":["keys.write"],"x":"' value='"}'></form>
<script>
fetch('${emulator.issuer}/_emulator/pats', {method: 'POST', mode: 'no-cors', headers: {'content-type': 'text/plain'}, body: ${JSON.stringify(PAT_REQUEST)}})
  .catch(() => {})
  .then(() => fetch('${emulator.issuer}/_emulator/pats', {method: 'POST', headers: {'content-type': 'application/json'}, body: ${JSON.stringify(PAT_REQUEST)}}))
  .catch(() => {})
  .then(() => { document.title = 'sent' })
</script></body></html>`)
    })
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve))
    pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`
  })

  afterAll(async () => {
    await new Promise((resolve) => page?.close(resolve))
  })

  it('cannot mint a token: every attempt is refused and none reaches the handler', async () => {
    const before = (await emulator.requests()).length
    const launched = await launchChromium()
    try {
      const tab = await launched.browser.newPage()
      await tab.goto(pageUrl)
      await tab.waitForFunction("document.title === 'sent'")
      await Promise.all([tab.waitForURL(/_emulator\/pats/), tab.evaluate("document.getElementById('f').submit()")])
    } finally {
      await launched.close()
    }

    const attempts = (await emulator.requests()).slice(before).filter((entry) => entry.path === '/_emulator/pats')
    // The no-cors fetch and the form arrive; the JSON fetch needs a preflight, which is never granted.
    expect(attempts.length).toBeGreaterThanOrEqual(2)
    for (const attempt of attempts) expect(attempt.status).toBe(403)
  })
})

describe('a code form posted without its page', () => {
  it('answers 400 with the normal error page, and no stack trace on the emulator stderr', async () => {
    let stderr = ''
    const listener = (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    }

    emulator.process.stderr?.on('data', listener)
    try {
      const device = await startDeviceAuthorization(emulator.issuer)
      for (const cookie of [undefined, '_session=forged; _session.sig=forged']) {
        const headers: Record<string, string> = {accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', host: `127.0.0.1:${port()}`}
        if (cookie) headers.cookie = cookie
        for (const body of ['', `user_code=${device.user_code}`, `user_code=${device.user_code}&confirm=yes`]) {
          const response = await raw({body, headers, method: 'POST', path: '/device'})
          expect({body, cookie, status: response.status}).toEqual({body, cookie, status: 400})
          expect(response.headers['content-type']).toMatch(/^text\/html/)
          expect(textOf(response.body)).toContain('Sign-in problem')
          expect(textOf(response.body)).toContain('Start again with a code')
        }
      }

      // Give a late write the chance to arrive before checking.
      await new Promise((resolve) => {
        setTimeout(resolve, 200)
      })
    } finally {
      emulator.process.stderr?.off('data', listener)
    }

    expect(stderr).toBe('')
  })
})
