/**
 * `latch emulator` as a command: what it prints when ready, how it stops, and its one-line errors for
 * bad flags and a taken port.
 */
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from '@jest/globals'

import {useEmulator} from '../helpers/emulator.js'

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
