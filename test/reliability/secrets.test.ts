/**
 * Secrets (issue 6): a recognisable PAT, project key and OAuth tokens go through every command and
 * error path, once normally and once with DEBUG=*. None of them may appear in stdout or stderr (except
 * `latch token`'s stdout, which is the point of that command), in any file under HOME other than
 * credentials.json, or in the argv of the browser the login opens (or its parent's command line).
 */
import {describe, expect, it} from '@jest/globals'
import {chmod, readdir, readFile, stat, writeFile} from 'node:fs/promises'
import {join, relative} from 'node:path'

import {type CliResult, DEVICE_CODE, makeSandbox, runCli, type Sandbox, startCli} from '../helpers/cli.js'
import {useEmulator} from '../helpers/emulator.js'
import {readLogin} from '../helpers/files.js'
import {EXIT, record} from './record.js'

const emulator = useEmulator()

interface Run {
  name: string
  result: CliResult
  /** The one secret this run may print on stdout (`latch token`). */
  stdoutMayHold?: string
}

interface StoredFile {
  token?: {access_token: string; refresh_token?: string; type: string}
}

const hex = (length: number) => Array.from({length}, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('')

/** The secret and its random part, so a leak that drops the sk_pat_ / sk_proj_ prefix is caught too. */
function needles(secret: string): string[] {
  const body = secret.replace(/^sk_(pat|proj|live)_/, '')
  return body.length >= 16 && body !== secret ? [secret, body] : [secret]
}

function leaksIn(text: string, secrets: Record<string, string>, allowed?: string): string[] {
  const found: string[] = []
  for (const [label, secret] of Object.entries(secrets)) {
    if (secret === allowed) continue
    for (const needle of needles(secret)) {
      if (text.includes(needle)) {
        const at = text.indexOf(needle)
        found.push(`${label}${needle === secret ? '' : ' (without prefix)'} near ${JSON.stringify(text.slice(Math.max(0, at - 60), at))}`)
        break
      }
    }
  }

  return found
}

async function walk(dir: string): Promise<string[]> {
  const files: string[] = []
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...(await walk(path)))
    else if (entry.isFile()) files.push(path)
  }

  return files
}

async function sweep(mode: 'normal' | 'DEBUG=*'): Promise<void> {
  const started = performance.now()
  const tag = mode === 'normal' ? 'normal' : 'debug'
  const pat = (await emulator.createPat({name: `secrets-${tag}`, scopes: ['inference', 'account.read', 'projects.read'], user: 'alice'})).token
  const narrowPat = (await emulator.createPat({name: `secrets-narrow-${tag}`, scopes: ['inference'], user: 'alice'})).token
  const revokedPat = (await emulator.createPat({name: `secrets-revoked-${tag}`, scopes: ['inference', 'account.read'], user: 'alice'})).token
  await emulator.revoke(revokedPat)
  const key = (await emulator.createProject({name: `secrets-${tag}`, user: 'alice'})).access_key
  const unknownPat = `sk_pat_${hex(64)}`
  const malformedPat = `sk_pat_${hex(65)}`
  const secrets: Record<string, string> = {'malformed PAT (65 hex)': malformedPat, 'narrow PAT': narrowPat, PAT: pat, 'project key': key, 'revoked PAT': revokedPat, 'unknown PAT': unknownPat}

  const sandbox: Sandbox = await makeSandbox(emulator.issuer)
  const debug = mode === 'DEBUG=*' ? {DEBUG: '*'} : {}
  const env = (extra: Record<string, string | undefined> = {}) => sandbox.env({...debug, ...extra})
  const runs: Run[] = []
  const run = async (name: string, args: string[], options: {env?: Record<string, string | undefined>; exit?: number; input?: string; stdoutMayHold?: string} = {}) => {
    const caseStarted = performance.now()
    const result = await runCli(args, {env: env(options.env), input: options.input})
    runs.push({name, result, stdoutMayHold: options.stdoutMayHold})
    const context = `${mode} ${name}: exit=${result.code} stderr=${result.stderr.slice(-2000)}`
    if (options.exit !== undefined) expect({code: result.code, context}).toEqual({code: options.exit, context})
    record('secrets', `${mode}: ${name}`, performance.now() - caseStarted)
    return result
  }

  try {
    // The PAT, on the happy path.
    await run('login --token (stdin)', ['login', '--token'], {exit: 0, input: `${pat}\n`})
    await run('whoami', ['whoami'], {exit: 0})
    await run('whoami --json', ['whoami', '--json'], {exit: 0})
    await run('link (stdin)', ['link'], {exit: 0, input: `${key}\n`})
    await run('link (argv)', ['link', key], {exit: 0})
    const token = await run('token --json', ['token', '--json'], {exit: 0, stdoutMayHold: pat})
    expect(token.stdout).toContain(pat)

    // A device login with --browser while the PAT is stored: the browser must get the URL and code only.
    const capture = join(sandbox.home, 'browser-capture.txt')
    const browser = join(sandbox.home, 'fake-browser.sh')
    await writeFile(browser, `#!/bin/sh\n{ echo "ARGV: $@"; echo "PARENT: $(tr '\\0' ' ' < /proc/$PPID/cmdline)"; } > '${capture}'\nexit 0\n`)
    await chmod(browser, 0o755)
    const browserEnv = {CI: undefined, DISPLAY: ':99', LATCH_BROWSER: browser}
    const login = startCli(['login', '--browser'], {env: env(browserEnv)})
    login.process.stdin?.end()
    const userCode = (await login.waitFor(DEVICE_CODE))[1]
    // Wait for the browser to have written its capture before approving, so the parent is still alive.
    for (let i = 0; i < 100; i++) {
      // eslint-disable-next-line no-await-in-loop
      if ((await stat(capture).catch(() => undefined))?.size) break
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    await emulator.approve(userCode)
    const loginResult = await login.done
    runs.push({name: 'login --browser (device flow)', result: loginResult})
    expect({code: loginResult.code, stderr: loginResult.stderr}).toEqual({code: 0, stderr: loginResult.stderr})
    const stored = await readLogin<StoredFile>(sandbox.credentialsPath)
    expect(stored.token?.refresh_token).toBeTruthy()
    secrets['OAuth access token'] = stored.token!.access_token
    secrets['OAuth refresh token'] = stored.token!.refresh_token!
    const captured = await readFile(capture, 'utf8')
    expect(captured).toMatch(/^ARGV: \S*https?:\/\/\S+/m)
    expect(captured).toContain(userCode)
    const browserLeaks = leaksIn(captured, secrets)
    expect({browserLeaks, captured}).toEqual({browserLeaks: [], captured})
    record('secrets', `${mode}: login --browser (browser argv and parent cmdline)`, performance.now() - started)

    // A second device login, with --browser, while the refresh token above is stored.
    await writeFile(capture, '')
    const relogin = startCli(['login', '--browser'], {env: env(browserEnv)})
    relogin.process.stdin?.end()
    const reCode = (await relogin.waitFor(DEVICE_CODE))[1]
    for (let i = 0; i < 100; i++) {
      // eslint-disable-next-line no-await-in-loop
      if ((await stat(capture).catch(() => undefined))?.size) break
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    const recaptured = await readFile(capture, 'utf8')
    await emulator.approve(reCode)
    const reloginResult = await relogin.done
    runs.push({name: 'login --browser again (refresh token stored)', result: reloginResult})
    expect(reloginResult.code).toBe(0)
    expect(recaptured).toContain(reCode)
    const reBrowserLeaks = leaksIn(recaptured, secrets)
    expect({reBrowserLeaks, recaptured}).toEqual({reBrowserLeaks: [], recaptured})
    const restored = await readLogin<StoredFile>(sandbox.credentialsPath)
    secrets['OAuth access token (2nd login)'] = restored.token!.access_token
    secrets['OAuth refresh token (2nd login)'] = restored.token!.refresh_token!

    await run('whoami (OAuth)', ['whoami'], {exit: 0})
    await run('whoami --json (OAuth)', ['whoami', '--json'], {exit: 0})
    await run('token --json (OAuth)', ['token', '--json'], {exit: 0, stdoutMayHold: restored.token!.access_token})
    await run('logout --force (OAuth)', ['logout', '--force'], {exit: 0})

    // Error paths.
    await run('login --token, unknown well-formed PAT', ['login', '--token'], {exit: EXIT.tokenInvalid, input: `${unknownPat}\n`})
    await run('login --token, 65 hex', ['login', '--token'], {exit: EXIT.usage, input: `${malformedPat}\n`})
    await run('whoami, LATCH_TOKEN revoked', ['whoami'], {env: {LATCH_TOKEN: revokedPat}, exit: EXIT.tokenInvalid})
    await run('link, LATCH_TOKEN revoked', ['link', key], {env: {LATCH_TOKEN: revokedPat}})
    await run('whoami, LATCH_TOKEN 65 hex', ['whoami'], {env: {LATCH_TOKEN: malformedPat}})
    await run('login --token, narrow PAT', ['login', '--token'], {exit: 0, input: `${narrowPat}\n`})
    await run('whoami, narrow PAT', ['whoami'])
    await run('link, narrow PAT', ['link', key], {exit: 6})
    await run('link (stdin), narrow PAT', ['link'], {exit: 6, input: `${key}\n`})
    await run('whoami, LATCH_TOKEN narrow', ['whoami'], {env: {LATCH_TOKEN: narrowPat}})
    await run('logout --force (PAT)', ['logout', '--force'], {exit: 0})
    await run('logout --force (nothing stored)', ['logout', '--force'])

    // API keys (issue 15): LATCH_API_KEY goes to the token endpoint only; lists are masked; the
    // exchanged-token cache under HOME must not hold the key (checked with the other files below).
    const apiKey = (await emulator.createApiKey({name: `secrets-${tag}`, scopes: ['keys.read', 'account.read'], user: 'alice'})).key
    const revokedKey = (await emulator.createApiKey({name: `secrets-revoked-${tag}`, scopes: ['account.read'], user: 'alice'})).key
    await emulator.revoke(revokedKey)
    secrets['API key'] = apiKey
    secrets['revoked API key'] = revokedKey
    await run('whoami, LATCH_API_KEY', ['whoami'], {env: {LATCH_API_KEY: apiKey}, exit: 0})
    await run('token --json, LATCH_API_KEY', ['token', '--json'], {env: {LATCH_API_KEY: apiKey}, exit: 0})
    await run('keys list, LATCH_API_KEY', ['keys', 'list'], {env: {LATCH_API_KEY: apiKey}, exit: 0})
    await run('keys list --json, LATCH_API_KEY', ['keys', 'list', '--json'], {env: {LATCH_API_KEY: apiKey}, exit: 0})
    await run('tokens list, LATCH_TOKEN (PAT)', ['tokens', 'list'], {env: {LATCH_TOKEN: pat}, exit: 6})
    await run('whoami, LATCH_API_KEY revoked', ['whoami'], {env: {LATCH_API_KEY: revokedKey}, exit: EXIT.tokenInvalid})
    await run('keys rotate, unknown id', ['keys', 'rotate', 'key_0000000000000000'], {env: {LATCH_API_KEY: apiKey}, exit: 13})

    // Nothing printed any secret (but `latch token` on stdout).
    const streamLeaks: string[] = []
    for (const {name, result, stdoutMayHold} of runs) {
      for (const leak of leaksIn(result.stdout, secrets, stdoutMayHold)) streamLeaks.push(`${mode} \`${name}\` stdout: ${leak}`)
      for (const leak of leaksIn(result.stderr, secrets)) streamLeaks.push(`${mode} \`${name}\` stderr: ${leak}`)
    }

    // No file under HOME but credentials.json (and its lock) holds any secret.
    const fileLeaks: string[] = []
    for (const file of await walk(sandbox.home)) {
      if (file === capture || file === browser || file === sandbox.credentialsPath || file.startsWith(`${sandbox.credentialsPath}.lock`)) continue
      // eslint-disable-next-line no-await-in-loop
      for (const leak of leaksIn(await readFile(file, 'utf8'), secrets)) fileLeaks.push(`${mode} file ${relative(sandbox.home, file)}: ${leak}`)
    }

    // One assertion for both, so that a stream leak does not hide a file leak.
    expect([...streamLeaks, ...fileLeaks]).toEqual([])
    record('secrets', `${mode}: files under HOME`, performance.now() - started)
  } finally {
    await sandbox.cleanup()
  }
}

describe('secrets never leak', () => {
  it('through any command or error path', async () => {
    await sweep('normal')
  }, 40_000)

  it('with DEBUG=*', async () => {
    await sweep('DEBUG=*')
  }, 40_000)
})
