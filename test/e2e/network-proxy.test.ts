/**
 * Proxies, end to end: the real CLI through a real proxy (Debian's tinyproxy on loopback), against
 * the emulator over http and over https. tinyproxy's log proves which requests went through it, and
 * that NO_PROXY kept others away from it. Every kind of request is covered: discovery, device
 * authorization, token polling, userinfo and the platform API (`login`), the platform API on the fast
 * path (`whoami`, `token`), and revocation (`logout`).
 *
 * Needs `tinyproxy` (.ci/run installs it). Without it the tests are skipped locally and fail under CI=true.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'

import {runCli} from '../helpers/cli.js'
import {startEmulator, type RunningEmulator, useSandbox} from '../helpers/emulator.js'
import {type RunningProxy, startTinyproxy, tinyproxyMissing} from '../helpers/tinyproxy.js'

const missing = tinyproxyMissing()

/** The emulator's host:port, as tinyproxy logs a CONNECT to it. */
const hostOf = (issuer: string) => new URL(issuer).host

function suite(https: boolean) {
  let emulator: RunningEmulator
  let proxy: RunningProxy
  beforeAll(async () => {
    ;[emulator, proxy] = await Promise.all([startEmulator(['--auto-approve', 'alice', '--interval', '0.2', ...(https ? ['--https'] : [])]), startTinyproxy()])
  }, 30_000)
  afterAll(async () => {
    await Promise.all([emulator?.stop(), proxy?.stop()])
  })
  const sandbox = useSandbox(new Proxy({} as RunningEmulator, {get: (_target, key) => Reflect.get(emulator, key)}))
  const trust = () => (https ? {LATCH_CA_FILE: emulator.caFile} : {})
  const proxyVariable = https ? 'HTTPS_PROXY' : 'HTTP_PROXY'

  /** The requests tinyproxy forwarded to the emulator since `before`. */
  const throughProxy = async (before: number) => (await proxy.requests()).slice(before).filter((line) => line.includes(hostOf(emulator.issuer)))

  it(`login, whoami, token and logout all go through ${proxyVariable}`, async () => {
    const env = sandbox.env({...trust(), [proxyVariable]: proxy.url})
    const before = (await proxy.requests()).length
    const login = await runCli(['login', '--no-browser'], {env})
    expect(login.stderr).toContain('Authenticated successfully as Alice Example')
    expect(login.code).toBe(0)
    const afterLogin = (await throughProxy(before)).length
    // Discovery, device authorization, token polls, userinfo/platform: each connection is one log line.
    expect(afterLogin).toBeGreaterThanOrEqual(1)
    if (https) expect(await throughProxy(before)).toContain(`CONNECT ${hostOf(emulator.issuer)} HTTP/1.1`)
    else expect((await throughProxy(before)).some((line) => line.startsWith('GET ') || line.startsWith('POST ') || line.startsWith('CONNECT '))).toBe(true)

    // The fast path (bare whoami and token) too: the platform API through the proxy.
    const mark = (await proxy.requests()).length
    const whoami = await runCli(['whoami'], {env})
    expect(whoami.code).toBe(0)
    expect(whoami.stdout).toContain('Alice Example')
    expect((await throughProxy(mark)).length).toBeGreaterThanOrEqual(1)
    const token = await runCli(['token', '--json'], {env})
    expect(token.code).toBe(0)

    const revokeMark = (await proxy.requests()).length
    const logout = await runCli(['logout', '--force'], {env})
    expect(logout.code).toBe(0)
    expect((await throughProxy(revokeMark)).length).toBeGreaterThanOrEqual(1)
    const requests = await emulator.requests()
    expect(requests.some((request) => request.path === '/token/revocation')).toBe(true)
  }, 30_000)

  it('the lower-case variable works too, and NO_PROXY keeps the requests away from the proxy', async () => {
    const host = new URL(emulator.issuer).hostname
    for (const noProxy of [host, `${host}:${new URL(emulator.issuer).port}`, '*']) {
      const before = (await proxy.requests()).length
      const env = sandbox.env({...trust(), [proxyVariable.toLowerCase()]: proxy.url, NO_PROXY: noProxy})
      const login = await runCli(['login', '--no-browser'], {env})
      expect(login.code).toBe(0)
      const whoami = await runCli(['whoami'], {env})
      expect(whoami.code).toBe(0)
      expect(await throughProxy(before)).toEqual([])
    }

    // Without NO_PROXY the lower-case variable alone sends them through it.
    const before = (await proxy.requests()).length
    const whoami = await runCli(['whoami'], {env: sandbox.env({...trust(), [proxyVariable.toLowerCase()]: proxy.url})})
    expect(whoami.code).toBe(0)
    expect((await throughProxy(before)).length).toBeGreaterThanOrEqual(1)
  }, 30_000)

  if (https) {
    it('HTTP_PROXY alone does not carry https requests (as with curl)', async () => {
      const before = (await proxy.requests()).length
      const login = await runCli(['login', '--no-browser'], {env: sandbox.env({...trust(), HTTP_PROXY: proxy.url})})
      expect(login.code).toBe(0)
      expect(await throughProxy(before)).toEqual([])
    }, 30_000)
  } else {
    it('a proxy that is down is named in the error, with exit 3', async () => {
      const result = await runCli(['login', '--no-browser'], {env: sandbox.env({HTTP_PROXY: 'http://127.0.0.1:9'})})
      expect(result.code).toBe(3)
      expect(result.stderr).toContain(`Could not discover the server at ${emulator.issuer} (through the proxy http://127.0.0.1:9)`)
    })
  }
}

if (missing && !process.env.CI) {
  describe.skip(`proxies (skipped: ${missing}; apt-get install tinyproxy)`, () => {
    it('needs tinyproxy', () => {})
  })
} else {
  describe('through HTTP_PROXY to the http emulator', () => suite(false))
  describe('through HTTPS_PROXY to the https emulator', () => suite(true))

  describe('a proxy that refuses the port', () => {
    let emulator: RunningEmulator
    let proxy: RunningProxy
    beforeAll(async () => {
      ;[emulator, proxy] = await Promise.all([startEmulator(['--https']), startTinyproxy({connectPorts: [443]})])
    }, 30_000)
    afterAll(async () => {
      await Promise.all([emulator?.stop(), proxy?.stop()])
    })
    const sandbox = useSandbox(new Proxy({} as RunningEmulator, {get: (_target, key) => Reflect.get(emulator, key)}))

    it('says the proxy refused, with exit 3', async () => {
      const result = await runCli(['login', '--no-browser'], {env: sandbox.env({HTTPS_PROXY: proxy.url, LATCH_CA_FILE: emulator.caFile})})
      expect(result.stderr).toMatch(/through the proxy http:\/\/127\.0\.0\.1:\d+\): the proxy refused the connection \(HTTP 403\)/)
      expect(result.code).toBe(3)
    })
  })
}
