/**
 * `latch doctor` end to end against the https emulator: every check of issue 18 §3 in order, each
 * ok / warning / failed with a fix, `--json` as an array of {check, status, detail, fix}, exit 0 when
 * nothing failed and 1 when something did (the CA missing, a proxy that is down).
 */
import {afterEach, describe, expect, it} from '@jest/globals'

import {runCli} from '../helpers/cli.js'
import {useEmulator, useSandbox} from '../helpers/emulator.js'
import {readLogin} from '../helpers/files.js'
import {commandExists, describeWithTools, Terminal} from '../helpers/tmux.js'

const CHECKS = ['settings', 'files', 'dns', 'tcp', 'tls', 'discovery', 'clock', 'credential', 'platform', 'browser']

interface Result {
  check: string
  detail: string
  fix?: string
  status: 'failed' | 'ok' | 'warning'
}

describe('latch doctor', () => {
  const emulator = useEmulator(['--https', '--auto-approve', 'alice', '--interval', '0.2'])
  const sandbox = useSandbox(emulator)
  const byCheck = (results: Result[]) => Object.fromEntries(results.map((result) => [result.check, result]))

  it('signed in with the CA trusted: every check in order, nothing failed, exit 0', async () => {
    const env = sandbox.env({LATCH_CA_FILE: emulator.caFile})
    expect((await runCli(['login', '--no-browser'], {env})).code).toBe(0)
    const result = await runCli(['doctor', '--json'], {env})
    expect(result.code).toBe(0)
    const results = JSON.parse(result.stdout) as Result[]
    expect(results.map((entry) => entry.check)).toEqual(CHECKS)
    for (const entry of results) expect(['ok', 'warning']).toContain(entry.status)
    const checks = byCheck(results)
    expect(checks.settings.detail).toContain(`issuer ${emulator.issuer} (LATCH_ISSUER)`)
    expect(checks.settings.detail).toContain(`CA file ${emulator.caFile} (LATCH_CA_FILE)`)
    expect(checks.settings.detail).toMatch(/the system CA store: (not readable by this Node|not used|trusted)/)
    expect(checks.files.detail).toMatch(/mode 0700, yours.*credentials\.json \(mode 0600, yours\)/)
    expect(checks.tls.detail).toMatch(/^TLSv1\.[23], chain: 127\.0\.0\.1 <- latch emulator local CA/)
    expect(checks.discovery.detail).toContain(`device endpoint ${emulator.issuer}/device/auth`)
    expect(checks.clock).toMatchObject({status: 'ok'})
    expect(checks.credential.detail).toMatch(/OAuth token .*refreshable; expires /)
    expect(checks.platform.detail).toContain('signed in as Alice Example (usr_alice)')
    // This test machine has no display: the reason is given, with the fix.
    expect(checks.browser).toMatchObject({status: 'warning'})
    expect(checks.browser.fix).toContain('prints the URL')
    // No secret in the report.
    const stored = await readLogin(sandbox.credentialsPath)
    expect(result.stdout + result.stderr).not.toContain(stored.token.access_token)
  })

  it('without the CA: tls and discovery fail with the LATCH_CA_FILE fix, the rest still runs, exit 1; plain lines without a terminal', async () => {
    const result = await runCli(['doctor'], {env: sandbox.env()})
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    const lines = result.stderr.split('\n')
    expect(lines[0]).toMatch(/^ok {7}settings: /)
    const tls = lines.findIndex((line) => line.startsWith('failed   tls: '))
    expect(lines[tls]).toContain('a certificate in its chain is self-signed and not trusted here')
    expect(lines[tls + 1]).toMatch(/^ {9}fix: .*LATCH_CA_FILE=\/path\/to\/corp-root\.pem/)
    expect(result.stderr).toMatch(/^failed {3}discovery: /m)
    expect(result.stderr).toMatch(/^warning {2}credential: not signed in/m)
    expect(result.stderr).toMatch(/^warning {2}browser: /m)
  })

  it('a proxy that is down: the tcp check names it, exit 1', async () => {
    const result = await runCli(['doctor', '--json'], {env: sandbox.env({HTTPS_PROXY: 'http://127.0.0.1:9', LATCH_CA_FILE: emulator.caFile})})
    expect(result.code).toBe(1)
    const checks = byCheck(JSON.parse(result.stdout) as Result[])
    expect(checks.settings.detail).toContain('proxy https: http://127.0.0.1:9')
    expect(checks.tcp).toMatchObject({detail: 'the proxy 127.0.0.1:9: connection refused', status: 'failed'})
    expect(checks.tcp.fix).toContain('NO_PROXY')
  })
})

describeWithTools({tmux: commandExists('tmux')}, 'latch doctor in a real terminal (tmux)', () => {
  const emulator = useEmulator(['--https'])
  const sandbox = useSandbox(emulator)
  let terminal: Terminal | undefined
  afterEach(async () => {
    await terminal?.stop()
    terminal = undefined
  })

  it('shows each check as a listr2 task: ✔ ok, ! warning, ✖ failed, with the fix under it', async () => {
    terminal = await Terminal.start({args: ['doctor'], env: sandbox.env({CI: undefined, FORCE_COLOR: undefined, NO_COLOR: undefined}), width: 200})
    expect(await terminal.exitCode()).toBe(1)
    const screen = await terminal.capture()
    expect(screen).toMatch(/✔ settings: issuer https:\/\/127\.0\.0\.1:\d+ \(LATCH_ISSUER\)/)
    expect(screen).toMatch(/✖ tls: 127\.0\.0\.1:\d+: a certificate in its chain is self-signed/)
    expect(screen).toMatch(/fix: if your network inspects TLS/)
    expect(screen).toMatch(/! credential: not signed in/)
    expect(screen).not.toContain('Reading the settings...')
  })
})
