/**
 * A server that misbehaves on purpose. The fake server below speaks just enough OAuth (discovery
 * pointing at itself, device authorization, token) and platform API (/v1/me) for latch; each case
 * breaks one endpoint in one way. Every case must end in one `Error:` line and one `Hint:` line, the
 * documented exit code, within the 20 s guard, with no stack trace, and with the credentials file
 * that was there before byte for byte unchanged.
 */
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {createServer as createNetServer, type Server as NetServer, type Socket} from 'node:net'
import type {AddressInfo} from 'node:net'

import {makeSandbox, type Sandbox} from '../helpers/cli.js'
import {EXIT, expectCleanError, record, timedRun} from './record.js'

type Handler = (request: IncomingMessage, response: ServerResponse) => void

const PAT = `sk_pat_${'ab'.repeat(32)}`
let server: Server
let base: string
let faults: Record<string, Handler> = {}
const sockets = new Set<Socket>()

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_request, response) => {
  response.writeHead(status, {'content-type': 'application/json', ...headers}).end(JSON.stringify(body))
}

const raw = (status: number, body: string, contentType: string, headers: Record<string, string> = {}): Handler => (_request, response) => {
  response.writeHead(status, {'content-type': contentType, ...headers}).end(body)
}

const never: Handler = () => {}

function metadata() {
  return {
    device_authorization_endpoint: `${base}/device`,
    grant_types_supported: ['urn:ietf:params:oauth:grant-type:device_code'],
    issuer: base,
    response_types_supported: ['code'],
    revocation_endpoint: `${base}/revoke`,
    subject_types_supported: ['public'],
    token_endpoint: `${base}/token`,
    userinfo_endpoint: `${base}/userinfo`,
  }
}

const goodDevice = () => ({device_code: 'dc', expires_in: 60, interval: 1, user_code: 'ABCD-EFGH', verification_uri: `${base}/activate`})

const defaults: Record<string, Handler> = {
  '/.well-known/openid-configuration': (request, response) => json(200, metadata())(request, response),
  '/device': (request, response) => json(200, goodDevice())(request, response),
  '/token': json(400, {error: 'authorization_pending'}),
  '/v1/me': json(200, {id: 'u1', name: 'Fault Tester', scopes: ['account.read'], token: {expires_at: null, type: 'pat'}}),
}

/** Streams `size` bytes of a JSON string without holding them in memory twice. */
function huge(size: number, declareLength: boolean): Handler {
  return (_request, response) => {
    response.writeHead(200, {'content-type': 'application/json', ...(declareLength ? {'content-length': String(size)} : {})})
    const chunk = Buffer.alloc(64 * 1024, 'a')
    let sent = 0
    response.write('"')
    sent += 1
    const pump = () => {
      while (sent < size - 1) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - 1 - sent))
        sent += piece.length
        if (!response.write(piece)) return void response.once('drain', pump)
      }

      response.end('"')
    }

    response.on('error', () => {})
    pump()
  }
}

let silent: NetServer
let silentUrl: string
let refusedUrl: string
let sandbox: Sandbox
let previous: string

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', base).pathname
    const handler = faults[path] ?? defaults[path]
    if (handler) handler(request, response)
    else json(404, {error: 'not_found'})(request, response)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  // Accepts connections and never says a word.
  silent = createNetServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`

  // A port that was just free: nothing listens there.
  const probe = createNetServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  refusedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`
  await new Promise((resolve) => probe.close(resolve))
})

afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => server.close(resolve))
  await new Promise((resolve) => silent.close(resolve))
})

beforeEach(async () => {
  faults = {}
  sandbox = await makeSandbox(base)
  await mkdir(sandbox.configDir, {mode: 0o700, recursive: true})
  previous = `${JSON.stringify({created_at: '2026-01-01T00:00:00.000Z', issuer: base, token: {access_token: `sk_pat_${'cd'.repeat(32)}`, scopes: ['inference'], type: 'pat'}, version: 1}, null, 2)}\n`
  await writeFile(sandbox.credentialsPath, previous, {mode: 0o600})
})

afterEach(async () => {
  expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(previous)
  await sandbox.cleanup()
})

const deviceLogin = (env: Record<string, string> = {}) => timedRun(['login', '--no-browser'], {env: sandbox.env({CI: '1', ...env})})
const tokenLogin = (env: Record<string, string> = {}) => timedRun(['login', '--token'], {env: sandbox.env(env), input: `${PAT}\n`})

async function check(name: string, result: Awaited<ReturnType<typeof timedRun>>, exit: number, message: RegExp | string) {
  expectCleanError(result, exit, message)
  record('server faults', name, result.ms)
}

describe('unreachable and silent servers', () => {
  it('connection refused, on discovery', async () => {
    await check('refused: discovery', await deviceLogin({LATCH_ISSUER: refusedUrl}), EXIT.network, `Could not discover the server at ${refusedUrl}: connection refused`)
  })

  it('connection refused, on /v1/me', async () => {
    await check('refused: /v1/me', await tokenLogin({LATCH_API_URL: refusedUrl}), EXIT.network, `Could not reach ${refusedUrl}/v1/me: connection refused`)
  })

  it('a server that accepts and never answers, on discovery: says which URL and how long', async () => {
    await check('silent: discovery', await deviceLogin({LATCH_HTTP_TIMEOUT: '1', LATCH_ISSUER: silentUrl}), EXIT.network, `Could not discover the server at ${silentUrl}: no answer within 1 s`)
  })

  it('a server that accepts and never answers, on /v1/me', async () => {
    await check('silent: /v1/me', await tokenLogin({LATCH_API_URL: silentUrl, LATCH_HTTP_TIMEOUT: '1'}), EXIT.network, `Could not reach ${silentUrl}/v1/me: no answer within 1 s`)
  })

  it('headers sent, then the body never finishes, on /v1/me', async () => {
    faults['/v1/me'] = (_request, response) => {
      response.writeHead(200, {'content-length': '100', 'content-type': 'application/json'})
      response.write('{"id":')
    }

    await check('stalled body: /v1/me', await tokenLogin({LATCH_HTTP_TIMEOUT: '1'}), EXIT.network, `The platform API at ${base}/v1/me broke off its answer: no complete answer within 1 s`)
  })

  it('the device endpoint never answers', async () => {
    faults['/device'] = never
    await check('silent: device', await deviceLogin({LATCH_HTTP_TIMEOUT: '1'}), EXIT.network, `Could not request a device code at ${base}/device: no answer within 1 s`)
  })
})

describe('5xx', () => {
  for (const retryAfter of [undefined, '120']) {
    const label = retryAfter ? 'with Retry-After' : 'without Retry-After'
    it(`503 ${label} on discovery`, async () => {
      faults['/.well-known/openid-configuration'] = raw(503, 'Service Unavailable', 'text/plain', retryAfter ? {'retry-after': retryAfter} : {})
      await check(`503 ${label}: discovery`, await deviceLogin(), EXIT.network, new RegExp(`^Error: Could not discover the server at ${base}: unexpected HTTP status 503${retryAfter ? ' \\(the server asks to retry after 120 s\\)' : '$'}`))
    })

    it(`503 ${label} on /v1/me`, async () => {
      faults['/v1/me'] = raw(503, 'down', 'text/plain', retryAfter ? {'retry-after': retryAfter} : {})
      await check(`503 ${label}: /v1/me`, await tokenLogin(), EXIT.network, new RegExp(`^Error: The platform API at ${base}/v1/me answered 503 Service Unavailable${retryAfter ? ' \\(the server asks to retry after 120 s\\)' : '$'}`))
    })
  }

  it('500 with an OAuth error body on the device endpoint', async () => {
    faults['/device'] = json(500, {error: 'server_error', error_description: 'database\u001b[31m down'})
    await check('500 server_error: device', await deviceLogin(), EXIT.network, `Could not request a device code at ${base}/device: unexpected HTTP status 500`)
  })
})

describe('bodies that are not what was asked for', () => {
  it('HTML instead of JSON on discovery', async () => {
    faults['/.well-known/openid-configuration'] = raw(200, '<html><body>Welcome to nginx</body></html>', 'text/html')
    await check('HTML: discovery', await deviceLogin(), EXIT.network, `Could not discover the server at ${base}: the response is not JSON`)
  })

  it('HTML instead of JSON on /v1/me', async () => {
    faults['/v1/me'] = raw(200, '<html><body>Sign in</body></html>', 'text/html')
    await check('HTML: /v1/me', await tokenLogin(), EXIT.network, `The platform API at ${base}/v1/me sent something that is not JSON`)
  })

  it('truncated JSON on discovery', async () => {
    faults['/.well-known/openid-configuration'] = (request, response) => raw(200, JSON.stringify(metadata()).slice(0, 40), 'application/json')(request, response)
    await check('truncated JSON: discovery', await deviceLogin(), EXIT.network, `Could not discover the server at ${base}: the response is not valid JSON`)
  })

  it('truncated JSON on /v1/me', async () => {
    faults['/v1/me'] = raw(200, '{"id":"u1","name":"Fault', 'application/json')
    await check('truncated JSON: /v1/me', await tokenLogin(), EXIT.network, `The platform API at ${base}/v1/me sent something that is not JSON`)
  })

  it('a connection closed halfway through the declared body, on /v1/me', async () => {
    faults['/v1/me'] = (_request, response) => {
      response.writeHead(200, {'content-length': '1000', 'content-type': 'application/json'})
      response.write('{"id":"u1"', () => response.socket?.destroy())
    }

    await check('cut connection: /v1/me', await tokenLogin(), EXIT.network, `The platform API at ${base}/v1/me broke off its answer`)
  })

  it('a 20 MB body on discovery (declared length)', async () => {
    faults['/.well-known/openid-configuration'] = huge(20 * 1024 * 1024, true)
    await check('20 MB declared: discovery', await deviceLogin(), EXIT.network, new RegExp(`^Error: Could not discover the server at ${base}: the response is larger than 1 MB`))
  })

  it('a 20 MB body on discovery (chunked, no length)', async () => {
    faults['/.well-known/openid-configuration'] = huge(20 * 1024 * 1024, false)
    await check('20 MB chunked: discovery', await deviceLogin(), EXIT.network, new RegExp(`^Error: Could not discover the server at ${base}: the response is larger than 1 MB`))
  })

  it('a 20 MB body on /v1/me (declared length and chunked)', async () => {
    faults['/v1/me'] = huge(20 * 1024 * 1024, true)
    await check('20 MB declared: /v1/me', await tokenLogin(), EXIT.network, `The platform API at ${base}/v1/me sent more than 1 MB`)
    faults['/v1/me'] = huge(20 * 1024 * 1024, false)
    await check('20 MB chunked: /v1/me', await tokenLogin(), EXIT.network, `The platform API at ${base}/v1/me sent more than 1 MB`)
  })

  it('a 20 MB device response', async () => {
    faults['/device'] = huge(20 * 1024 * 1024, false)
    await check('20 MB chunked: device', await deviceLogin(), EXIT.network, new RegExp(`^Error: Could not request a device code at ${base}/device: the response is larger than 1 MB`))
  })

  it('/v1/me with the wrong shape', async () => {
    faults['/v1/me'] = json(200, {id: 42, name: null, scopes: 'all'})
    await check('wrong shape: /v1/me', await tokenLogin(), EXIT.network, `The platform API at ${base}/v1/me sent a response latch cannot use`)
  })

  it('discovery metadata for another issuer', async () => {
    faults['/.well-known/openid-configuration'] = (request, response) => json(200, {...metadata(), issuer: 'https://evil.example.com'})(request, response)
    await check('other issuer: discovery', await deviceLogin(), EXIT.network, `Could not discover the server at ${base}: the server says it is a different issuer`)
  })
})

describe('device and token responses with missing or absurd fields', () => {
  const cases: Array<[string, () => object, RegExp | string]> = [
    ['missing device_code', () => ({...goodDevice(), device_code: undefined}), /^Error: Could not request a device code at .*\/device: invalid response/],
    ['missing user_code', () => ({...goodDevice(), user_code: undefined}), /^Error: Could not request a device code at .*\/device: invalid response/],
    ['missing verification_uri', () => ({...goodDevice(), verification_uri: undefined}), /^Error: Could not request a device code at .*\/device: invalid response/],
    // interval 0 (or below) is not a fault: it means the RFC default of 5 s (test/e2e/trust-boundaries.test.ts).
    ['interval 10^9', () => ({...goodDevice(), interval: 1e9}), 'sent an invalid device code response: interval 1000000000 s is out of range'],
    ['expires_in negative', () => ({...goodDevice(), expires_in: -5}), /^Error: Could not request a device code at .*\/device: invalid response|expires_in -5 s is out of range/],
    ['expires_in 10^9', () => ({...goodDevice(), expires_in: 1e9}), 'sent an invalid device code response: expires_in 1000000000 s is out of range'],
    ['user code with escape sequences', () => ({...goodDevice(), user_code: 'AB\u001b[2JCD'}), 'sent an invalid device code response: the user code is not printable'],
    ['verification_uri javascript:', () => ({...goodDevice(), verification_uri: 'javascript:alert(1)'}), 'sent an invalid device code response: verification_uri is not an https URL (or http to this machine)'],
    ['verification_uri plain http to another host', () => ({...goodDevice(), verification_uri: 'http://phish.example/device'}), 'sent an invalid device code response: verification_uri is not an https URL (or http to this machine)'],
  ]
  for (const [name, body, message] of cases) {
    it(`device response: ${name}`, async () => {
      faults['/device'] = (request, response) => json(200, body())(request, response)
      await check(`device: ${name}`, await deviceLogin(), EXIT.network, message)
    })
  }

  it('a token response without access_token', async () => {
    faults['/token'] = json(200, {expires_in: 3600, token_type: 'Bearer'})
    await check('token: no access_token', await deviceLogin(), EXIT.network, new RegExp(`^Error: (Could not complete the login at ${base}/token: invalid response|The server at ${base}/token sent a token response without an access token)`))
  })

  it('a token response with a non-Bearer token type', async () => {
    faults['/token'] = json(200, {access_token: 'x', token_type: 'weird'})
    await check('token: unknown token_type', await deviceLogin(), EXIT.network, `Could not complete the login at ${base}/token`)
  })
})

describe('redirects', () => {
  it('/v1/me redirects to another host: the token is not sent there', async () => {
    faults['/v1/me'] = raw(302, '', 'text/plain', {location: 'https://collector.example.net/steal'})
    await check('redirect: /v1/me', await tokenLogin(), EXIT.network, `The platform API at ${base}/v1/me redirected to https://collector.example.net/steal; latch does not follow redirects with your token`)
  })

  it('discovery redirects to another host', async () => {
    faults['/.well-known/openid-configuration'] = raw(302, '', 'text/plain', {location: `${refusedUrl}/.well-known/openid-configuration`})
    await check('redirect: discovery', await deviceLogin(), EXIT.network, new RegExp(`^Error: Could not discover the server at ${base}: (unexpected HTTP status 302|.*redirect)`))
  })

  it('the token endpoint redirects', async () => {
    faults['/token'] = raw(307, '', 'text/plain', {location: `${refusedUrl}/token`})
    await check('redirect: token', await deviceLogin(), EXIT.network, new RegExp(`^Error: Could not complete the login at ${base}/token: (unexpected HTTP status 307|.*redirect)`))
  })
})
