/**
 * `latch emulator` as a command: what it prints when ready, how it stops, and its one-line errors for
 * bad flags and a taken port.
 */
import {spawn} from 'node:child_process'
import {connect} from 'node:net'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from '@jest/globals'

import {useEmulator} from '../helpers/emulator.js'
import {Browser, formByAction, formById, formsOf} from './browser.js'
import {pollToken, postJson, refresh, sleep, startDeviceAuthorization} from './oauth.js'
import {exchange} from './platform.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

interface Finished {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs `latch emulator ...args`; once `readyWhen` matches stdout, sends `signal`. */
function runEmulator(args: string[], options: {readyWhen?: RegExp; signal?: NodeJS.Signals} = {}): Promise<Finished> {
  // jest sets NODE_ENV=test, which makes oclif look for TypeScript sources and warn; people never run with it.
  const env = {...process.env, NODE_ENV: undefined}
  const child = spawn(process.execPath, [BIN, 'emulator', ...args], {env, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
    if (options.readyWhen && options.signal && options.readyWhen.test(stdout)) {
      options.readyWhen = undefined
      child.kill(options.signal)
    }
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
  })
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stderr, stdout})
    })
  })
}

describe('latch emulator', () => {
  it('with --json prints exactly one JSON line first, and stops cleanly on SIGTERM', async () => {
    const result = await runEmulator(['--port', '0', '--json'], {readyWhen: /\n/, signal: 'SIGTERM'})
    expect(result.signal).toBeNull()
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n').filter(Boolean)
    expect(lines).toHaveLength(1)
    const ready = JSON.parse(lines[0]) as Record<string, unknown>
    expect(ready).toMatchObject({client_id: 'latch-cli', interval: 5, users: ['alice', 'bob']})
    expect(ready.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(ready.verification_uri).toBe(`${ready.issuer}/device`)
    // oidc-provider's "Unsupported runtime" warning (Node 20) and its developer notices are not shown.
    expect(result.stderr).toBe('')
  })

  it('prints the issuer, client id, users and a ready line for people, and stops cleanly on Ctrl-C', async () => {
    const result = await runEmulator(['--port', '0', '--interval', '0.5'], {readyWhen: /Ready/, signal: 'SIGINT'})
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/issuer: +http:\/\/127\.0\.0\.1:\d+/)
    expect(result.stdout).toMatch(/client id: +latch-cli/)
    expect(result.stdout).toMatch(/users: +alice, bob/)
    expect(result.stdout).toContain('Ready. Press Ctrl-C to stop.')
    expect(result.stderr).toBe('')
  })

  it.each([
    [['--port=-1'], /--port must be between 0 and 65535/],
    [['--port', '70000'], /--port must be between 0 and 65535/],
    [['--interval', '0'], /--interval must be a positive number/],
    [['--interval', 'soon'], /--interval must be a positive number/],
    [['--device-code-ttl', '0'], /--device-code-ttl must be a positive number/],
    [['--auto-approve', 'mallory'], /--auto-approve: unknown user "mallory"/],
  ])('refuses %j with a one-line usage error and a hint', async (args, message) => {
    const result = await runEmulator(args)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^Error: /)
    expect(lines[0]).toMatch(message)
    expect(lines[1]).toMatch(/^Hint: /)
  })

  describe('when the port is taken', () => {
    const running = useEmulator()

    it('says which address is in use, in one line, and suggests --port 0', async () => {
      const {port} = new URL(running.issuer)
      const result = await runEmulator(['--port', port])
      expect(result.code).toBe(1)
      const lines = result.stderr.trim().split('\n')
      expect(lines).toEqual([
        `Error: cannot listen on 127.0.0.1:${port}: the address is already in use`,
        expect.stringMatching(/^Hint: .*--port 0/),
      ])
    })

    it('with --json also prints the error as JSON on stdout, and nothing else', async () => {
      const {port} = new URL(running.issuer)
      const result = await runEmulator(['--port', port, '--json'])
      expect(result.code).toBe(1)
      expect(JSON.parse(result.stdout)).toMatchObject({error: {code: 'general', message: expect.stringContaining('already in use')}})
    })
  })
})

describe('the emulator terminal', () => {
  /** Sends a device authorization request byte for byte, User-Agent included (fetch refuses odd bytes). */
  function deviceAuthorization(issuer: string, userAgent: Buffer): Promise<{device_code: string; user_code: string}> {
    const {hostname, host, port} = new URL(issuer)
    const body = 'client_id=latch-cli&scope=openid%20offline_access%20account.read'
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          Buffer.concat([
            Buffer.from(`POST /device/auth HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\nUser-Agent: `),
            userAgent,
            Buffer.from(`\r\n\r\n${body}`),
          ]),
        )
      })
      let response = ''
      socket.on('data', (chunk: Buffer) => {
        response += chunk.toString('utf8')
      })
      socket.on('error', reject)
      socket.on('end', () => {
        try {
          resolve(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)))
        } catch (error) {
          reject(new Error(`unexpected answer: ${response}: ${String(error)}`))
        }
      })
    })
  }

  it('prints one line per device code issued, approval, denial and tokens issued, and never a token', async () => {
    const env = {...process.env, NODE_ENV: undefined}
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--interval', '0.2'], {env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    const closed = new Promise((resolve) => {
      child.on('close', resolve)
    })
    const secrets: string[] = []
    try {
      while (!stdout.includes('Ready.')) await sleep(50)
      const issuer = /issuer: +(http\S+)/.exec(stdout)![1]
      const control = (path: string, body: unknown) => postJson(`${issuer}/_emulator${path}`, body)
      const logged = () => stdout.slice(stdout.indexOf('Ready.'))

      // 8-bit C1 controls (CSI, OSC, ST) are bytes an HTTP server accepts in a header.
      const hostile = Buffer.from('evil\u009B2J\u009D0;pwned\u009C/1.0', 'latin1')
      const approved = await deviceAuthorization(issuer, hostile)
      secrets.push(approved.device_code)
      await control('/device/approve', {user: 'alice', user_code: approved.user_code})
      const tokens = (await pollToken(issuer, approved.device_code)).body
      secrets.push(tokens.access_token as string, tokens.refresh_token as string, tokens.id_token as string)
      const refreshed = (await refresh(issuer, tokens.refresh_token as string)).body
      secrets.push(refreshed.access_token as string, refreshed.refresh_token as string)

      const apiKey = (await control('/api-keys', {name: 'pipeline', scopes: ['inference'], user: 'alice'})).body
      const exchanged = (await exchange(issuer, apiKey.key as string)).body
      secrets.push(apiKey.key as string, (apiKey.key as string).slice(8, -4), exchanged.access_token as string)

      const denied = await startDeviceAuthorization(issuer, 'openid')
      secrets.push(denied.device_code)
      await control('/device/deny', {user_code: denied.user_code})
      while (!logged().includes('denied')) await sleep(50)

      const lines = logged().split('\n').slice(1).filter(Boolean)
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  device code ${approved.user_code} issued to evil\\?2J\\?0;pwned\\?/1\\.0 at \\S+$`)),
        expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  ${approved.user_code} approved by alice: openid offline_access account\\.read$`)),
        expect.stringMatching(/^\d\d:\d\d:\d\d {2}tokens issued to alice: openid offline_access account\.read$/),
        expect.stringMatching(/^\d\d:\d\d:\d\d {2}tokens refreshed for alice: openid offline_access account\.read$/),
        `${lines[4].slice(0, 8)}  API key ${apiKey.masked as string} of alice exchanged for an access token: inference`,
        expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  device code ${denied.user_code} issued to node at \\S+$`)),
        expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  ${denied.user_code} denied through the control API$`)),
      ])
    } finally {
      child.kill('SIGINT')
      await closed
    }

    // eslint-disable-next-line no-control-regex
    expect(stdout).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/)
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10)
      expect(stdout + stderr).not.toContain(secret)
    }
  })

  it('prints the approvals and denials made through the pages, with who and where', async () => {
    const env = {...process.env, NODE_ENV: undefined}
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--interval', '0.2'], {env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    const closed = new Promise((resolve) => {
      child.on('close', resolve)
    })
    try {
      while (!stdout.includes('Ready.')) await sleep(50)
      const issuer = /issuer: +(http\S+)/.exec(stdout)![1]
      const openCode = async (browser: Browser, uri: string) => {
        const autoPost = await browser.get(uri)
        return browser.submit(autoPost, formsOf(autoPost.html)[0])
      }

      const signInAndConsent = async (browser: Browser, confirm: Awaited<ReturnType<Browser['get']>>) => {
        const signIn = await browser.submit(confirm, formById(confirm.html, 'op.deviceConfirmForm'))
        return browser.submit(signIn, formByAction(signIn.html, '/login'), {user: 'bob'})
      }

      const approved = await startDeviceAuthorization(issuer, 'openid account.read')
      const browser = new Browser()
      const consent = await signInAndConsent(browser, await openCode(browser, approved.verification_uri_complete))
      await browser.submit(consent, formByAction(consent.html, '/confirm'))

      const refused = await startDeviceAuthorization(issuer, 'openid')
      const second = new Browser()
      const refusal = await signInAndConsent(second, await openCode(second, refused.verification_uri_complete))
      await second.submit(refusal, formByAction(refusal.html, '/abort'))

      const cancelled = await startDeviceAuthorization(issuer, 'openid')
      const third = new Browser()
      const confirm = await openCode(third, cancelled.verification_uri_complete)
      await third.submit(confirm, formById(confirm.html, 'op.deviceConfirmForm'), {abort: 'yes'})

      while ((stdout.match(/denied/g) ?? []).length < 2) await sleep(50)
      const lines = stdout.slice(stdout.indexOf('Ready.')).split('\n').slice(1).filter(Boolean).map((line) => line.slice(10))
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^device code ${approved.user_code} issued to node at `)),
        `${approved.user_code} approved by bob: openid account.read`,
        expect.stringMatching(new RegExp(`^device code ${refused.user_code} issued to node at `)),
        `${refused.user_code} denied by bob at the consent page`,
        expect.stringMatching(new RegExp(`^device code ${cancelled.user_code} issued to node at `)),
        `${cancelled.user_code} denied at the code confirmation page`,
      ])
    } finally {
      child.kill('SIGINT')
      await closed
    }
  })
})

describe('--host on every interface', () => {
  it('prints the address it really listens on and a loud warning, in both output modes', async () => {
    const human = await runEmulator(['--host', '0.0.0.0', '--port', '0'], {readyWhen: /Ready/, signal: 'SIGINT'})
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^latch emulator listening on 0\.0\.0\.0:\d+ \(reachable from other machines\)$/m)
    expect(human.stdout).not.toMatch(/listening on http:\/\/127\.0\.0\.1/)
    expect(human.stderr).toMatch(/^WARNING: the emulator listens on 0\.0\.0\.0:\d+, .*Anyone who can reach it can mint tokens/m)

    const json = await runEmulator(['--host', '0.0.0.0', '--port', '0', '--json'], {readyWhen: /\n/, signal: 'SIGTERM'})
    expect(json.code).toBe(0)
    const ready = JSON.parse(json.stdout.split('\n')[0]) as Record<string, string>
    expect(ready.listening).toMatch(/^0\.0\.0\.0:\d+$/)
    expect(ready.issuer).toBe(`http://127.0.0.1:${ready.listening.split(':')[1]}`)
    expect(json.stderr).toMatch(/^WARNING: .*can mint tokens/m)
  })

  it('says nothing of the kind on loopback', async () => {
    const result = await runEmulator(['--port', '0', '--json'], {readyWhen: /\n/, signal: 'SIGTERM'})
    const ready = JSON.parse(result.stdout.split('\n')[0]) as Record<string, string>
    expect(ready.listening).toBe(ready.issuer.replace('http://', ''))
    expect(result.stderr).toBe('')
  })
})
