/**
 * The emulator as a test fixture: `latch emulator --port 0 --json` in a child process (oidc-provider's
 * state is per process, so every fixture is isolated), with the control API wrapped in typed calls.
 * Runs the compiled dist/ through bin/run.js: build first (`npm test` does).
 */
import {afterAll, afterEach, beforeAll, beforeEach} from '@jest/globals'
import {type ChildProcess, spawn} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import {fetch as undiciFetch} from 'undici'

import {makeSandbox, type Sandbox} from './cli.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
const START_TIMEOUT_MS = 10_000

export interface LoggedRequest {
  at: string
  method: string
  path: string
  grant_type?: string
  status: number
}

export interface RunningEmulator {
  /** With --https: the local CA's certificate file (ca.pem), which clients must trust. */
  caFile?: string
  /** e.g. http://127.0.0.1:43567 (https:// with --https) */
  issuer: string
  process: ChildProcess
  /** SIGTERM, then wait for the process to exit. */
  stop(): Promise<void>
  /** Approves a pending user code as `user` (default alice), optionally granting only some scopes. Throws on non-2xx. */
  approve(userCode: string, user?: string, scopes?: string[]): Promise<void>
  deny(userCode: string): Promise<void>
  createPat(options: {user?: string; name?: string; scopes: string[]; expires_in?: number; org?: string}): Promise<{id: string; token: string; masked: string}>
  /** An API key (`sk_live_…`) for `user` (default alice) in `org` (default the user's first organization). */
  createApiKey(options: {user?: string; name?: string; scopes?: string[]; org?: string}): Promise<{id: string; key: string; masked: string}>
  /** A bot key for the bot named `bot` in `org`, creating the bot if it does not exist. */
  createBotKey(options: {org: string; bot: string; label?: string}): Promise<{id: string; key: string; masked: string; bot: {id: string; name: string}}>
  createProject(options: {user?: string; name: string}): Promise<{id: string; name: string; access_key: string}>
  revoke(token: string): Promise<void>
  /** Changes server-behaviour settings (docs/emulator.md, "Server behaviour") for the next requests. */
  settings(changes: Record<string, unknown>): Promise<Record<string, unknown>>
  requests(): Promise<LoggedRequest[]>
}

export async function startEmulator(args: string[] = []): Promise<RunningEmulator> {
  const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const {caFile, issuer} = await readyLine(child)
  // With --https the test talks to the control API trusting the emulator's CA, as latch is told to.
  const dispatcher = caFile ? new (await import('undici')).Agent({connect: {ca: await readFile(caFile, 'utf8')}}) : undefined
  const request = dispatcher ? ((url: string, init: RequestInit) => undiciFetch(url, {...(init as object), dispatcher}) as unknown as Promise<Response>) : fetch

  async function control<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await request(`${issuer}/_emulator${path}`, {
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? {} : {'content-type': 'application/json'},
      method,
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`emulator ${method} ${path}: HTTP ${response.status} ${text}`)
    return JSON.parse(text) as T
  }

  return {
    async approve(userCode, user = 'alice', scopes) {
      await control('POST', '/device/approve', {scopes, user, user_code: userCode})
    },
    caFile,
    createApiKey: ({name = 'test', org, scopes, user = 'alice'}) => control('POST', '/api-keys', {name, org, scopes, user}),
    createBotKey: ({bot, label = 'test', org}) => control('POST', '/bots/keys', {bot, label, org}),
    createPat: ({expires_in, name = 'test', org, scopes, user = 'alice'}) =>
      control('POST', '/pats', {expires_in, name, org, scopes, user}),
    createProject: ({name, user = 'alice'}) => control('POST', '/projects', {name, user}),
    async deny(userCode) {
      await control('POST', '/device/deny', {user_code: userCode})
    },
    issuer,
    process: child,
    requests: () => control('GET', '/requests'),
    async revoke(token) {
      await control('POST', '/revoke', {token})
    },
    settings: (changes) => control('POST', '/settings', changes),
    async stop() {
      await stopProcess(child)
      await dispatcher?.close()
    },
  }
}

/** Resolves with the issuer (and CA file) from the first stdout line; rejects with stderr if the process exits first or is too slow. */
function readyLine(child: ChildProcess): Promise<{caFile?: string; issuer: string}> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    const fail = (reason: string) => {
      cleanup()
      child.kill('SIGKILL')
      reject(new Error(`latch emulator ${reason}${stderr ? `; stderr:\n${stderr}` : ''}`))
    }

    const onStdout = (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
      const newline = stdout.indexOf('\n')
      if (newline === -1) return
      try {
        const {ca_file: caFile, issuer} = JSON.parse(stdout.slice(0, newline)) as {ca_file?: unknown; issuer?: unknown}
        if (typeof issuer !== 'string') throw new Error('no issuer')
        cleanup()
        resolve({caFile: typeof caFile === 'string' ? caFile : undefined, issuer})
      } catch {
        fail(`printed something other than its JSON ready line: ${stdout.slice(0, newline)}`)
      }
    }

    const onStderr = (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    }

    const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited before it was ready (code ${code}, signal ${signal})`)
    const timer = setTimeout(() => fail(`was not ready within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS)

    function cleanup() {
      clearTimeout(timer)
      child.stdout?.off('data', onStdout)
      child.off('exit', onExit)
      // Keep draining stderr so that a chatty child never blocks on a full pipe.
      child.stderr?.off('data', onStderr)
      child.stderr?.resume()
      child.stdout?.resume()
    }

    child.stdout?.on('data', onStdout)
    child.stderr?.on('data', onStderr)
    child.once('exit', onExit)
  })
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/**
 * Starts an emulator before the enclosing suite and stops it after it: the one-line form of the
 * beforeAll/afterAll pair every suite needs. The returned object stands for the running emulator.
 */
export function useEmulator(args: string[] = []): RunningEmulator {
  let running: RunningEmulator | undefined
  beforeAll(async () => {
    running = await startEmulator(args)
  })
  afterAll(async () => {
    await running?.stop()
  })
  const current = (): RunningEmulator => {
    if (!running) throw new Error('the emulator starts in beforeAll: use it inside tests and later hooks')
    return running
  }

  return lateBound(current)
}

/**
 * A fresh sandbox (temp HOME and config dir, issuer set to the emulator's) for each test, removed after
 * it: the beforeEach/afterEach pair the end-to-end suites share.
 */
export function useSandbox(emulator: RunningEmulator): Sandbox {
  let current: Sandbox | undefined
  beforeEach(async () => {
    current = await makeSandbox(emulator.issuer)
  })
  afterEach(async () => {
    await current?.cleanup()
  })
  const sandbox = (): Sandbox => {
    if (!current) throw new Error('the sandbox is made in beforeEach: use it inside tests and later hooks')
    return current
  }

  return lateBound(sandbox)
}

/** An object whose properties are read from `current()` at each use: made in a hook, used in tests. */
function lateBound<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const value = Reflect.get(current(), key)
      return typeof value === 'function' ? value.bind(current()) : value
    },
  })
}
