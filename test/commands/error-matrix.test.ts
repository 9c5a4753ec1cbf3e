/**
 * Each command's error and exit-code matrix, in-process and fast: the oclif command classes run inside
 * jest (no child process), with the context factory replaced (setContextFactory) so each case has its
 * own config directory and environment, and with the prompts and the clock swapped where a case needs a
 * person's answer or a later time. The servers stay real: the emulator on 127.0.0.1. The spawned
 * end-to-end suites (test/e2e) keep the real flows through bin/run.js.
 */
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {Config, Errors} from '@oclif/core'
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'
import {fileURLToPath} from 'node:url'

import Emulator from '../../src/commands/emulator.js'
import Link from '../../src/commands/link.js'
import Login from '../../src/commands/login.js'
import Logout from '../../src/commands/logout.js'
import Token from '../../src/commands/token.js'
import Whoami from '../../src/commands/whoami.js'
import {type ContextOptions, type ContextParts, createContext, setContextFactory} from '../../src/context.js'
import {ErrorKind, LatchError} from '../../src/errors.js'
import type {HostSettings} from '../../src/host.js'
import {useEmulator} from '../helpers/emulator.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const emulator = useEmulator(['--interval', '0.2', '--auto-approve', 'alice'])

let config: Config
let home: string
let configDir: string

beforeAll(async () => {
  config = await Config.load({root: ROOT})
})
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'matrix-'))
  configDir = join(home, 'config')
})
afterEach(async () => {
  setContextFactory(undefined)
  process.exitCode = undefined
  await rm(home, {force: true, recursive: true})
})
afterAll(() => {
  setContextFactory(undefined)
})

/** A stream that records what is written; `tty` makes it look like a terminal (prompts are then allowed). */
function fakeStream(tty: boolean): NodeJS.ReadWriteStream & {isTTY: boolean; text(): string} {
  const stream = new PassThrough() as unknown as NodeJS.ReadWriteStream & {columns: number; isTTY: boolean; text(): string}
  let written = ''
  stream.isTTY = tty
  stream.columns = 100
  stream.write = ((chunk: string | Uint8Array) => {
    written += chunk.toString()
    return true
  }) as typeof stream.write
  stream.text = () => written
  return stream
}

interface Case {
  /** The CLI's bin, as a host CLI's (default: latch's own). */
  bin?: string
  env?: Record<string, string>
  host?: HostSettings
  parts?: ContextParts
  tty?: boolean
}

interface Outcome {
  exit: number
  json?: {error?: {code: string; exit: number}} & Record<string, unknown>
  stderr: string
}

/**
 * Runs `Command` with `argv` in this process, its context made by createContext with this case's
 * environment, parts and terminal; returns the exit code (0, or the error's) and what it printed.
 */
async function run(Command: {run(argv: string[], config: Config): Promise<unknown>}, argv: string[], options: Case = {}): Promise<Outcome> {
  const stderr = fakeStream(Boolean(options.tty))
  const stdin = fakeStream(Boolean(options.tty))
  stdin.end()
  setContextFactory((contextOptions: ContextOptions) =>
    createContext({
      ...contextOptions,
      bin: options.bin ?? contextOptions.bin,
      env: {HOME: home, LATCH_CONFIG_DIR: configDir, LATCH_ISSUER: emulator.issuer, PATH: process.env.PATH, ...options.env},
      host: {...contextOptions.host, ...options.host},
      parts: options.parts,
      stderr: stderr as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
    }),
  )
  // What oclif and BaseCommand.catch write to the process's own streams.
  let stdout = ''
  let processStderr = ''
  const writeOut = process.stdout.write
  const writeErr = process.stderr.write
  process.stdout.write = ((chunk: string) => (stdout += chunk, true)) as typeof process.stdout.write
  process.stderr.write = ((chunk: string) => (processStderr += chunk, true)) as typeof process.stderr.write
  let exit = 0
  try {
    await Command.run(argv, config)
    exit = Number(process.exitCode ?? 0)
  } catch (error) {
    if (!(error instanceof Errors.ExitError)) throw error
    exit = error.oclif.exit ?? 1
  } finally {
    process.stdout.write = writeOut
    process.stderr.write = writeErr
  }

  const json = argv.includes('--json') && stdout.trim() ? JSON.parse(stdout) : undefined
  return {exit, json, stderr: stderr.text() + processStderr}
}

const UNKNOWN_PAT = `sk_pat_${'0'.repeat(64)}`

async function storeCredentials(content: unknown): Promise<void> {
  await mkdir(configDir, {mode: 0o700, recursive: true})
  await writeFile(join(configDir, 'credentials.json'), typeof content === 'string' ? content : JSON.stringify(content), {mode: 0o600})
}

/** A device login as alice (the emulator approves by itself). */
async function signIn(): Promise<void> {
  const result = await run(Login, ['--no-browser', '--json'])
  expect(result.exit).toBe(0)
}

describe('whoami', () => {
  it.each<[string, () => Promise<void> | void, Case, number, string]>([
    ['no credential at all', () => {}, {}, 4, 'not_authenticated'],
    ['a token the server does not know', () => {}, {env: {LATCH_TOKEN: UNKNOWN_PAT}}, 5, 'token_invalid'],
    ['an unreachable server', () => {}, {env: {LATCH_API_URL: 'http://127.0.0.1:9', LATCH_ISSUER: 'http://127.0.0.1:9', LATCH_TOKEN: UNKNOWN_PAT}}, 3, 'network'],
    ['a corrupt credentials file', () => storeCredentials('{not json'), {}, 10, 'credentials_file'],
    ['stored credentials of another issuer than LATCH_ISSUER', signIn, {env: {LATCH_ISSUER: 'http://127.0.0.1:9'}}, 11, 'issuer_mismatch'],
    ['a bad LATCH_HTTP_TIMEOUT', () => {}, {env: {LATCH_HTTP_TIMEOUT: 'soon'}}, 2, 'usage'],
  ])('%s', async (_name, setup, options, exit, code) => {
    await setup()
    const result = await run(Whoami, ['--json'], options)
    expect(result.exit).toBe(exit)
    expect(result.json?.error).toMatchObject({code, exit})
  })
})

describe('token', () => {
  it('no credential: exit 4, with the hint to sign in', async () => {
    const result = await run(Token, [])
    expect(result.exit).toBe(4)
    expect(result.stderr).toContain('Hint: run `latch login`, or set LATCH_TOKEN')
  })

  it('renews the stored token when the clock (a replaced part) says it is due', async () => {
    await signIn()
    const before = JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8')).profiles.default.token.access_token
    const now = await run(Token, ['--json'])
    expect(now.json?.token).toBe(before)
    const later = await run(Token, ['--json'], {parts: {now: () => Date.now() + 2 * 3600 * 1000}})
    expect(later.exit).toBe(0)
    expect(later.json?.token).not.toBe(before)
  })
})

describe('login', () => {
  it.each<[string, string[], Case, number, string]>([
    ['an unknown scope', ['--scopes', 'nope'], {}, 2, 'usage'],
    ['--token: a malformed token from the prompt', ['--token'], {parts: {readSecret: async () => 'sk_pat_short'}}, 2, 'usage'],
    ['--token: a token the server rejects', ['--token'], {parts: {readSecret: async () => UNKNOWN_PAT}}, 5, 'token_invalid'],
    ['--token: a prefix the host does not use', ['--token'], {host: {tokenPrefixes: {pat: 'acme_pat_'}}, parts: {readSecret: async () => UNKNOWN_PAT}}, 2, 'usage'],
    ['an unreachable issuer', ['--no-browser', '--issuer', 'http://127.0.0.1:9'], {}, 3, 'network'],
    ['a plain-http issuer that is not loopback', ['--no-browser', '--issuer', 'http://auth.example.com'], {}, 2, 'usage'],
  ])('%s', async (_name, argv, options, exit, code) => {
    const result = await run(Login, [...argv, '--json'], options)
    expect(result.exit).toBe(exit)
    expect(result.json?.error).toMatchObject({code, exit})
  })

  it('--token: a valid token from the prompt (a replaced part) signs in', async () => {
    const {token} = await emulator.createPat({scopes: ['account.read']})
    const result = await run(Login, ['--token', '--json'], {parts: {readSecret: async () => token}})
    expect(result.exit).toBe(0)
    expect(result.json).toMatchObject({authenticated: true})
  })

  it('on a terminal, answering No to replacing another user keeps the stored login (exit 0, nothing saved)', async () => {
    await signIn()
    const {token} = await emulator.createPat({scopes: ['account.read'], user: 'bob'})
    const asked: string[] = []
    const result = await run(Login, ['--token', '--json'], {parts: {confirm: async (message) => (asked.push(message), false), readSecret: async () => token}, tty: true})
    expect(asked[0]).toMatch(/^You are signed in as .+\. Replace that login with .+\?$/)
    expect(result.exit).toBe(0)
    expect(result.json).toMatchObject({authenticated: false, saved: false})
  })

  it('in a host CLI, its notes name the host, not latch', async () => {
    const {token} = await emulator.createPat({scopes: ['inference']})
    const result = await run(Login, ['--token'], {bin: 'acme', env: {ACME_CONFIG_DIR: configDir, ACME_ISSUER: emulator.issuer}, parts: {readSecret: async () => token}})
    expect(result.exit).toBe(0)
    expect(result.stderr).toContain('so acme cannot show whose it is')
    expect(result.stderr).not.toMatch(/latch/i)
  })

  it('uses the host\'s scope catalogue (package.json oclif.latch.scopes)', async () => {
    const result = await run(Login, ['--no-browser', '--json', '--scopes', 'inference'], {host: {scopes: {'models.run': 'Run models'}}})
    expect(result.exit).toBe(2)
    expect(result.stderr).toContain('choose from: models.run')
  })
})

describe('link', () => {
  it.each<[string, string[], Case, boolean, number, string]>([
    ['no credential', ['sk_proj_' + 'a'.repeat(32)], {}, false, 4, 'not_authenticated'],
    ['a malformed key', ['sk_proj_short'], {}, true, 2, 'usage'],
    ['no key at the prompt', [], {parts: {readSecret: async () => Promise.reject(new LatchError(ErrorKind.Usage, 'No project access key was given'))}}, true, 7, 'access_key'],
    ['a key the server does not know', ['sk_proj_' + 'a'.repeat(32)], {}, true, 7, 'access_key'],
  ])('%s', async (_name, argv, options, signedIn, exit, code) => {
    if (signedIn) await signIn()
    const result = await run(Link, [...argv, '--json'], options)
    expect(result.exit).toBe(exit)
    expect(result.json?.error).toMatchObject({code, exit})
  })

  it('a key from the prompt (a replaced part) is checked and saved', async () => {
    await signIn()
    const project = await emulator.createProject({name: 'matrix'})
    const result = await run(Link, ['--json'], {parts: {readSecret: async () => project.access_key}})
    expect(result.exit).toBe(0)
    expect(result.json).toMatchObject({linked: true, project: {name: 'matrix'}})
  })
})

describe('logout', () => {
  it('without --force and without a terminal: exit 2, nothing removed', async () => {
    await signIn()
    const result = await run(Logout, ['--json'])
    expect(result.exit).toBe(2)
    expect(result.json?.error).toMatchObject({code: 'usage'})
    expect(JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8')).profiles.default.token).toBeDefined()
  })

  it('on a terminal, No at the prompt (a replaced part) changes nothing; Yes revokes and removes', async () => {
    await signIn()
    const no = await run(Logout, [], {parts: {confirm: async () => false}, tty: true})
    expect(no.exit).toBe(0)
    expect(no.stderr).toContain('Nothing changed.')
    const yes = await run(Logout, ['--json'], {parts: {confirm: async () => true}, tty: true})
    expect(yes.exit).toBe(0)
    expect(yes.json).toMatchObject({revoked: 'revoked'})
  })

  it('a corrupt credentials file without --force: exit 10', async () => {
    await storeCredentials('{not json')
    const result = await run(Logout, ['--json'])
    expect(result.exit).toBe(10)
  })
})

describe('the commands that act for a signed-in user', () => {
  const COMMANDS: Array<[string, string[]]> = [
    ['tokens:create', ['--name', 'ci']],
    ['tokens:list', []],
    // revoke reports each id it was given (the JSON document is the per-id result); the exit code is the error's.
    ['tokens:revoke', ['tok_1', '--force']],
    ['tokens:rotate', ['tok_1']],
    ['keys:create', ['--name', 'ci']],
    ['keys:list', []],
    ['keys:revoke', ['key_1', '--force']],
    ['keys:rotate', ['key_1']],
    ['orgs:list', []],
    ['bots:create', ['ci-bot']],
    ['bots:list', []],
    ['bots:delete', ['bot_1', '--force']],
    ['bots:keys:create', ['bot_1', '--label', 'ci']],
    ['bots:keys:list', ['bot_1']],
    ['bots:keys:revoke', ['bot_1', 'key_1', '--force']],
    ['bots:keys:rotate', ['bot_1', 'key_1']],
  ]
  const load = async (id: string) => (await import(`../../src/commands/${id.replaceAll(':', '/')}.js`)).default

  it.each(COMMANDS)('%s: no credential is exit 4, a token the server refuses exit 5', async (id, argv) => {
    const Command = await load(id)
    const none = await run(Command, [...argv, '--json'])
    expect([none.exit, none.json?.error?.code]).toEqual([4, 'not_authenticated'])
    const refused = await run(Command, [...argv, '--json'], {env: {LATCH_TOKEN: UNKNOWN_PAT}})
    expect(refused.exit).toBe(5)
  })

  it('orgs:switch: no credential is exit 4; with LATCH_TOKEN set it refuses (exit 2): a default belongs to a stored login', async () => {
    const Command = await load('orgs:switch')
    expect((await run(Command, ['acme', '--json'])).exit).toBe(4)
    const withToken = await run(Command, ['acme', '--json'], {env: {LATCH_TOKEN: UNKNOWN_PAT}})
    expect([withToken.exit, withToken.json?.error?.code]).toEqual([2, 'usage'])
  })
})

describe('config', () => {
  it.each<[string, string, string[], number]>([
    ['get: an unknown setting', 'config/get', ['isuer'], 2],
    ['set: an unknown setting', 'config/set', ['isuer', 'https://auth.example.com'], 2],
    ['set: a plain-http issuer that is not loopback', 'config/set', ['issuer', 'http://auth.example.com'], 2],
    ['set: an unknown scope', 'config/set', ['scopes', 'nope'], 2],
    ['unset: an unknown setting', 'config/unset', ['isuer'], 2],
    ['list: a settings file that is not JSON', 'config/list', [], 2],
  ])('%s', async (name, path, argv, exit) => {
    if (name.includes('not JSON')) {
      await mkdir(configDir, {recursive: true})
      await writeFile(join(configDir, 'config.json'), '{nope')
    }

    const Command = (await import(`../../src/commands/${path}.js`)).default
    const result = await run(Command, [...argv, '--json'])
    expect(result.exit).toBe(exit)
    expect(result.json?.error?.exit).toBe(exit)
  })
})

describe('a host CLI\'s package.json oclif.latch', () => {
  it.each<[string, unknown]>([
    ['scopes that are not an object of names', {scopes: ['inference']}],
    ['default scopes outside the catalogue', {defaultScopes: ['nope'], scopes: {inference: 'Run models'}}],
    ['a token prefix with a space', {tokenPrefixes: {pat: 'my pat'}}],
    ['an issuer that is not a string', {issuer: 42}],
  ])('%s: every command stops with a usage error naming the field', async (_name, latch) => {
    const pjson = config.pjson as {oclif: {latch?: unknown}}
    const own = pjson.oclif.latch
    pjson.oclif.latch = latch
    try {
      const result = await run(Whoami, ['--json'])
      expect(result.exit).toBe(2)
      expect(result.json?.error).toMatchObject({code: 'usage'})
      expect(String((result.json?.error as {message?: string}).message)).toMatch(/^Invalid package\.json oclif\.latch\.\w+/)
    } finally {
      pjson.oclif.latch = own
    }
  })
})

describe('emulator', () => {
  it('runs only in a CLI whose package.json opts in (latch\'s own does; a host without "emulator": true gets exit 2)', async () => {
    const pjson = config.pjson as {oclif: {latch?: unknown}}
    const own = pjson.oclif.latch
    pjson.oclif.latch = {product: 'Acme'}
    try {
      // An impossible port: an emulator that ran anyway would fail on it instead, and never listen.
      const result = await run(Emulator, ['--port', '-1', '--json'])
      expect(result.exit).toBe(2)
      expect(result.json?.error).toMatchObject({code: 'usage', message: 'Unknown command: emulator'})
    } finally {
      pjson.oclif.latch = own
    }
  })
})
