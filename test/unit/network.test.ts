/**
 * Issue 18, the decisions in isolation: which proxy a URL goes through (curl's rules), where the CA
 * file comes from (--ca-file > LATCH_CA_FILE), what a certificate failure is called and which fix it
 * gets, and the clock-skew bounds of `latch doctor` (against the real emulator's Date header). The
 * end-to-end halves are test/e2e/network-proxy.test.ts, network-tls.test.ts and doctor.test.ts.
 */
import {describe, expect, it} from '@jest/globals'
import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {resolveCaFile} from '../../src/config.js'
import {createContext} from '../../src/context.js'
import {doctorChecks, runChecks, SKEW_FAIL_SECONDS, SKEW_WARN_SECONDS} from '../../src/doctor/checks.js'
import {describeTlsFailure, tlsHint} from '../../src/network-errors.js'
import {bypassesProxy, needsAgent, proxyFor, proxySettings} from '../../src/transport.js'
import {makeSandbox} from '../helpers/cli.js'
import {useEmulator} from '../helpers/emulator.js'

describe('proxy variables (curl semantics)', () => {
  const url = (text: string) => new URL(text)

  it('reads either case, the lower-case name first, an empty value as unset', () => {
    expect(proxySettings({HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1'}).https).toBe('http://lower:1')
    expect(proxySettings({HTTPS_PROXY: 'http://upper:1'}).https).toBe('http://upper:1')
    expect(proxySettings({HTTPS_PROXY: 'http://upper:1', https_proxy: ''}).https).toBe('http://upper:1')
    expect(proxySettings({NO_PROXY: 'a', no_proxy: 'b'}).noProxy).toBe('b')
    expect(proxySettings({})).toEqual({http: undefined, https: undefined, noProxy: undefined})
  })

  it('uses HTTPS_PROXY for https and HTTP_PROXY for http, never one for the other', () => {
    const env = {HTTP_PROXY: 'http://plain:3128'}
    expect(proxyFor(url('https://auth.example.com'), env)).toBeUndefined()
    expect(proxyFor(url('http://127.0.0.1:4848'), env)).toBe('http://plain:3128')
    expect(proxyFor(url('https://auth.example.com'), {HTTPS_PROXY: 'http://tls:3128'})).toBe('http://tls:3128')
    expect(proxyFor(url('http://127.0.0.1:4848'), {HTTPS_PROXY: 'http://tls:3128'})).toBeUndefined()
  })

  it('matches NO_PROXY by host, domain suffix (with or without a leading dot), port, and *', () => {
    const u = url('https://api.example.com/v1')
    expect(bypassesProxy(u, 'example.com')).toBe(true)
    expect(bypassesProxy(u, '.example.com')).toBe(true)
    expect(bypassesProxy(u, '*.example.com')).toBe(true)
    expect(bypassesProxy(u, 'api.example.com')).toBe(true)
    expect(bypassesProxy(u, 'ample.com')).toBe(false)
    expect(bypassesProxy(u, 'other.com, example.com')).toBe(true)
    expect(bypassesProxy(u, 'example.com:443')).toBe(true)
    expect(bypassesProxy(u, 'example.com:8443')).toBe(false)
    expect(bypassesProxy(u, '*')).toBe(true)
    expect(bypassesProxy(u, '')).toBe(false)
    expect(bypassesProxy(url('http://127.0.0.1:4848'), '127.0.0.1')).toBe(true)
    expect(proxyFor(u, {HTTPS_PROXY: 'http://p:1', NO_PROXY: 'EXAMPLE.com'})).toBeUndefined()
  })

  it('loads the agent only when a proxy variable or a CA file is set', () => {
    expect(needsAgent({env: {}})).toBe(false)
    expect(needsAgent({env: {NO_PROXY: '*'}})).toBe(false)
    expect(needsAgent({env: {https_proxy: 'http://p:1'}})).toBe(true)
    expect(needsAgent({caFile: '/x.pem', env: {}})).toBe(true)
  })
})

describe('the CA file setting', () => {
  it('takes --ca-file over LATCH_CA_FILE, and refuses a relative path or a file without a certificate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latch-ca-'))
    const a = join(dir, 'a.pem')
    const b = join(dir, 'b.pem')
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
    await writeFile(a, pem)
    await writeFile(b, pem)
    expect(resolveCaFile({bin: 'latch', env: {}})).toBeUndefined()
    expect(resolveCaFile({bin: 'latch', env: {LATCH_CA_FILE: b}})).toEqual({origin: 'LATCH_CA_FILE', source: 'env', value: b})
    expect(resolveCaFile({bin: 'latch', env: {LATCH_CA_FILE: b}, flags: {caFile: a}})).toEqual({origin: '--ca-file', source: 'flag', value: a})
    // A host CLI's own prefix.
    expect(resolveCaFile({bin: 'acme', env: {ACME_CA_FILE: b}})?.origin).toBe('ACME_CA_FILE')
    expect(() => resolveCaFile({bin: 'latch', env: {LATCH_CA_FILE: 'a.pem'}})).toThrow('LATCH_CA_FILE must be an absolute path')
    await writeFile(b, 'not a certificate')
    expect(() => resolveCaFile({bin: 'latch', env: {LATCH_CA_FILE: b}})).toThrow('holds no PEM certificate')
  })
})

describe('certificate failures in words', () => {
  it('names each problem and gives the fix that matches it', () => {
    const chain = describeTlsFailure({code: 'SELF_SIGNED_CERT_IN_CHAIN'})!
    expect(chain.problem).toContain('self-signed')
    expect(tlsHint(chain, 'https://auth.corp.example/x')).toContain('LATCH_CA_FILE=/path/to/corp-root.pem')
    const unknown = describeTlsFailure({code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'})!
    expect(tlsHint(unknown, 'https://auth.corp.example')).toContain('LATCH_CA_FILE')
    const expired = describeTlsFailure({code: 'CERT_HAS_EXPIRED'})!
    expect(expired.problem).toBe('its certificate has expired')
    expect(tlsHint(expired, 'https://auth.corp.example')).toContain('auth.corp.example must renew')
    const early = describeTlsFailure({code: 'CERT_NOT_YET_VALID'})!
    expect(tlsHint(early, 'https://a.example')).toContain('clock')
    const host = describeTlsFailure({cert: {subjectaltname: 'DNS:other.example, IP Address:10.0.0.1'}, code: 'ERR_TLS_CERT_ALTNAME_INVALID', host: 'auth.example'})!
    expect(host.problem).toBe('its certificate is for another host (other.example, 10.0.0.1), not auth.example')
    expect(describeTlsFailure({code: 'ECONNREFUSED'})).toBeUndefined()
  })
})

describe('latch doctor: the clock against the server', () => {
  const emulator = useEmulator()

  async function clockAt(offsetSeconds: number) {
    const sandbox = await makeSandbox(emulator.issuer)
    try {
      const env = sandbox.env()
      const checks = doctorChecks({bin: 'latch', context: () => createContext({bin: 'latch', env}), env, now: () => Date.now() + offsetSeconds * 1000})
      const results = await runChecks(checks.filter((check) => ['settings', 'discovery', 'clock'].includes(check.name)))
      return results.find((result) => result.check === 'clock')!
    } finally {
      await sandbox.cleanup()
    }
  }

  it(`is ok in step, warns over ${SKEW_WARN_SECONDS} s and fails over ${SKEW_FAIL_SECONDS / 60} min, either way`, async () => {
    expect((await clockAt(0)).status).toBe('ok')
    expect((await clockAt(20)).status).toBe('ok')
    const ahead = await clockAt(45)
    expect(ahead).toMatchObject({status: 'warning'})
    expect(ahead.detail).toMatch(/^this machine is 4[4-6] s ahead of the server$/)
    expect(ahead.fix).toContain('NTP')
    expect((await clockAt(-45)).detail).toMatch(/s behind the server$/)
    expect((await clockAt(4 * 60)).status).toBe('warning')
    expect((await clockAt(6 * 60)).status).toBe('failed')
    expect((await clockAt(-6 * 60)).status).toBe('failed')
  })
})
