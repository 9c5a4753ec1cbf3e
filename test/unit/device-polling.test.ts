/**
 * How latch's device-flow poller spaces its requests (RFC 8628 §3.5), measured against a deliberately
 * quirky token endpoint: the emulator (oidc-provider) never answers `slow_down`, so this small server
 * does, the way a rate-limiting real server would. Only the timing of the polls is asserted.
 */
import {afterEach, describe, expect, it} from '@jest/globals'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {requestDeviceCode, waitForApproval} from '../../src/oauth/device-flow.js'
import {discoverServer} from '../../src/oauth/server.js'

interface QuirkyServer {
  issuer: string
  /** When each token request arrived, in ms (performance.now()). */
  polls: number[]
  server: Server
}

/** A server whose token endpoint answers the `answers` in order, then tokens. */
async function quirkyServer(interval: number, answers: string[]): Promise<QuirkyServer> {
  const polls: number[] = []
  const pending = [...answers]
  const server = createServer((request, response) => {
    const json = (status: number, body: object) => {
      response.writeHead(status, {'cache-control': 'no-store', 'content-type': 'application/json'})
      response.end(JSON.stringify(body))
    }

    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    request.resume()
    request.on('end', () => {
      if (request.url === '/.well-known/openid-configuration') {
        json(200, {
          device_authorization_endpoint: `${issuer}/device/auth`,
          issuer,
          token_endpoint: `${issuer}/token`,
          token_endpoint_auth_methods_supported: ['none'],
        })
      } else if (request.url === '/device/auth') {
        json(200, {device_code: 'dc', expires_in: 120, interval, user_code: 'ABCD-EFGH', verification_uri: `${issuer}/device`})
      } else if (request.url === '/token') {
        polls.push(performance.now())
        const answer = pending.shift()
        if (answer) json(400, {error: answer})
        else json(200, {access_token: 'at', expires_in: 3600, scope: 'inference', token_type: 'Bearer'})
      } else json(404, {error: 'not_found'})
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, polls, server}
}

let running: QuirkyServer | undefined
afterEach(async () => {
  await new Promise((resolve) => running?.server.close(resolve))
  running = undefined
})

async function login(quirky: QuirkyServer): Promise<string> {
  const config = await discoverServer({clientId: 'latch-cli', issuer: quirky.issuer, timeout: 10})
  const code = await requestDeviceCode(config, ['inference'], 10)
  const tokens = await waitForApproval(config, code, new AbortController().signal, 10)
  return tokens.accessToken
}

const gaps = (times: number[]) => times.slice(1).map((time, index) => (time - times[index]) / 1000)

describe('device-flow polling', () => {
  it("polls at the server's interval: never faster, and not much slower", async () => {
    running = await quirkyServer(2, ['authorization_pending', 'authorization_pending'])
    expect(await login(running)).toBe('at')
    expect(running.polls).toHaveLength(3)
    for (const gap of gaps(running.polls)) {
      expect(gap).toBeGreaterThanOrEqual(1.95)
      expect(gap).toBeLessThan(3)
    }
  })

  it('adds 5 s to the interval on slow_down, and keeps the longer interval afterwards', async () => {
    running = await quirkyServer(0.5, ['slow_down', 'authorization_pending'])
    expect(await login(running)).toBe('at')
    expect(running.polls).toHaveLength(3)
    const [afterSlowDown, next] = gaps(running.polls)
    // 0.5 s + 5 s, measured from the slow_down answer to the next request.
    expect(afterSlowDown).toBeGreaterThanOrEqual(5.45)
    expect(next).toBeGreaterThanOrEqual(5.45)
    expect(afterSlowDown).toBeLessThan(7)
  }, 30_000)
})
