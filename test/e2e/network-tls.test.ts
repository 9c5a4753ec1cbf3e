/**
 * Certificate authorities, end to end: `latch emulator --https` serves a certificate from a local CA
 * it creates, and latch must refuse it until told to trust that CA (LATCH_CA_FILE, --ca-file or
 * NODE_EXTRA_CA_CERTS), then work; an expired and a wrong-host certificate fail with the problem in
 * words and the fix, exit 15 (docs/troubleshooting.md).
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {rootCertificates} from 'node:tls'

import {runCli} from '../helpers/cli.js'
import {type RunningEmulator, startEmulator, useEmulator, useSandbox} from '../helpers/emulator.js'

describe('the https emulator with its local CA', () => {
  const emulator = useEmulator(['--https', '--auto-approve', 'alice', '--interval', '0.2'])
  const sandbox = useSandbox(emulator)

  it('prints where the CA is in its --json ready line', () => {
    expect(emulator.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(emulator.caFile).toMatch(/ca\.pem$/)
  })

  it('without the CA: a clear error naming the host, the problem and LATCH_CA_FILE, exit 15, no stack', async () => {
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env()})
    expect(result.code).toBe(15)
    expect(result.stderr).toContain(`Error: Could not discover the server at ${emulator.issuer}: a certificate in its chain is self-signed and not trusted here`)
    expect(result.stderr).toContain('LATCH_CA_FILE=/path/to/corp-root.pem')
    expect(result.stderr).not.toMatch(/\n\s+at /)

    const json = await runCli(['whoami', '--json'], {env: sandbox.env({LATCH_TOKEN: 'sk_pat_' + 'a'.repeat(64)})})
    expect(json.code).toBe(15)
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 'tls', exit: 15})
  })

  it('with LATCH_CA_FILE, --ca-file or NODE_EXTRA_CA_CERTS: login, whoami and token work', async () => {
    const login = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_CA_FILE: emulator.caFile})})
    expect(login.stderr).toContain('Authenticated successfully as Alice Example')
    expect(login.code).toBe(0)

    const withFlag = await runCli(['whoami', '--ca-file', emulator.caFile!], {env: sandbox.env()})
    expect(withFlag.code).toBe(0)
    expect(withFlag.stdout).toContain('Alice Example')

    const withNode = await runCli(['whoami'], {env: sandbox.env({NODE_EXTRA_CA_CERTS: emulator.caFile})})
    expect(withNode.code).toBe(0)
    // NODE_EXTRA_CA_CERTS still counts when a CA file is given too (both are trusted, not one instead of the other).
    const other = join(sandbox.home, 'other-ca.pem')
    await writeFile(other, rootCertificates[0])
    const both = await runCli(['whoami'], {env: sandbox.env({LATCH_CA_FILE: other, NODE_EXTRA_CA_CERTS: emulator.caFile})})
    expect(both.stderr).toBe('')
    expect(both.code).toBe(0)
    // And that other CA alone does not make the emulator trusted.
    const alone = await runCli(['whoami'], {env: sandbox.env({LATCH_CA_FILE: other})})
    expect(alone.code).toBe(15)
  })

  it('a CA file that is missing or not PEM is a usage error before any request', async () => {
    const missing = await runCli(['whoami'], {env: sandbox.env({LATCH_CA_FILE: join(sandbox.home, 'nope.pem')})})
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(`Cannot read the CA file ${join(sandbox.home, 'nope.pem')} (from LATCH_CA_FILE): no such file`)
    const notPem = join(sandbox.home, 'root.cer')
    await writeFile(notPem, Buffer.from([0x30, 0x82, 0x01, 0x0a]))
    const binary = await runCli(['whoami', '--ca-file', notPem], {env: sandbox.env()})
    expect(binary.code).toBe(2)
    expect(binary.stderr).toContain('holds no PEM certificate')
    expect(binary.stderr).toContain('openssl x509 -inform der')
    const relative = await runCli(['whoami'], {env: sandbox.env({LATCH_CA_FILE: 'ca.pem'})})
    expect(relative.code).toBe(2)
    expect(relative.stderr).toContain('LATCH_CA_FILE must be an absolute path')
  })
})

describe('certificates that are wrong', () => {
  let expired: RunningEmulator
  let wrongHost: RunningEmulator
  beforeAll(async () => {
    ;[expired, wrongHost] = await Promise.all([startEmulator(['--https', '--tls-flaw', 'expired']), startEmulator(['--https', '--tls-flaw', 'wrong-host'])])
  }, 30_000)
  afterAll(async () => {
    await Promise.all([expired?.stop(), wrongHost?.stop()])
  })
  const sandbox = useSandbox({issuer: 'https://127.0.0.1:1'} as RunningEmulator)

  it('expired: says so, and that the server must renew it or the clock is wrong, exit 15', async () => {
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_CA_FILE: expired.caFile, LATCH_ISSUER: expired.issuer})})
    expect(result.code).toBe(15)
    expect(result.stderr).toContain(`Could not discover the server at ${expired.issuer}: its certificate has expired`)
    expect(result.stderr).toContain('must renew its certificate')
  })

  it('wrong host: names the host the certificate is for, exit 15', async () => {
    const result = await runCli(['login', '--no-browser'], {env: sandbox.env({LATCH_CA_FILE: wrongHost.caFile, LATCH_ISSUER: wrongHost.issuer})})
    expect(result.code).toBe(15)
    expect(result.stderr).toContain(`Could not discover the server at ${wrongHost.issuer}: its certificate is for another host (wrong-host.invalid), not 127.0.0.1`)
  })
})
