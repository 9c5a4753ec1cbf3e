/**
 * The credentials file on disk: modes, repairs, and files latch must report and leave alone.
 */
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {existsSync} from 'node:fs'
import {chmod, mkdir, readdir, readFile, stat, symlink, utimes, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {makeSandbox, runCli, type RunningCli, type Sandbox, startCli} from '../helpers/cli.js'
import {type RunningEmulator, startEmulator} from '../helpers/emulator.js'
import {holdCredentialsLock, readLogin} from '../helpers/files.js'

let emulator: RunningEmulator
let sandbox: Sandbox
let pat: string

beforeAll(async () => {
  emulator = await startEmulator()
  pat = (await emulator.createPat({name: 'files', scopes: ['inference', 'projects.read', 'account.read'], user: 'alice'})).token
})
afterAll(async () => {
  await emulator?.stop()
})
beforeEach(async () => {
  sandbox = await makeSandbox(emulator.issuer)
  await mkdir(sandbox.configDir, {mode: 0o700, recursive: true})
})
afterEach(async () => {
  await sandbox.cleanup()
})

const validFile = () =>
  `${JSON.stringify({created_at: '2026-01-01T00:00:00.000Z', issuer: emulator.issuer, token: {access_token: pat, scopes: ['inference'], type: 'pat'}, version: 1})}\n`

describe('credentials.json', () => {
  it('tightens a 0644 file and a 0755 directory left by an older tool, and says so', async () => {
    await writeFile(sandbox.credentialsPath, validFile(), {mode: 0o644})
    await chmod(sandbox.credentialsPath, 0o644)
    await chmod(sandbox.configDir, 0o755)
    const whoami = await runCli(['whoami'], {env: sandbox.env()})
    expect(whoami.code).toBe(0)
    expect(whoami.stderr).toContain(`Fixed permissions on ${sandbox.credentialsPath}: was 0644, now 0600`)
    expect((await stat(sandbox.credentialsPath)).mode & 0o777).toBe(0o600)
    // A command that only reads (no save) tightens the directory too, as docs/configuration.md says.
    expect(whoami.stderr).toContain(`Fixed permissions on ${sandbox.configDir}: was 0755, now 0700`)
    expect((await stat(sandbox.configDir)).mode & 0o777).toBe(0o700)

    await chmod(sandbox.configDir, 0o755)
    const token = await runCli(['token'], {env: sandbox.env()})
    expect(token.code).toBe(0)
    expect(token.stderr).toContain(`Fixed permissions on ${sandbox.configDir}: was 0755, now 0700`)
    expect((await stat(sandbox.configDir)).mode & 0o777).toBe(0o700)
  })

  it.each([
    ['corrupt JSON', '{"version": 1, "issuer": ', 'it is not valid JSON'],
    ['an unknown version', '{"version": 3, "issuer": "x", "created_at": "y"}', 'it was written by a newer version of latch (format 3; this latch reads formats 1 and 2)'],
    ['a version-2 file without profiles', '{"version": 2, "issuer": "x", "created_at": "y"}', 'it has no profiles object'],
    ['a bad profile', '{"version": 2, "profiles": {"work": {"issuer": "x"}}}', 'in its profile work, it has no creation time (created_at)'],
    ['no issuer', '{"version": 1, "created_at": "y"}', 'it has no issuer'],
    ['a wrong field', '{"version": 1, "issuer": "x", "created_at": "y", "token": {"type": "magic"}}', 'its token type is neither "oauth" nor "pat"'],
  ])('reports %s with its path, exit 10, and leaves it untouched', async (_name, content, reason) => {
    await writeFile(sandbox.credentialsPath, content, {mode: 0o600})
    for (const args of [['whoami'], ['login', '--no-browser'], ['logout']]) {
      const result = await runCli(args, {env: sandbox.env()})
      expect(result.code).toBe(10)
      expect(result.stderr).toContain(`Error: Credentials file ${sandbox.credentialsPath} cannot be used, and was left untouched: ${reason}`)
      expect(result.stderr).toContain('`latch logout --force` does that, keeping a copy')
      expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(content)
    }
  })

  it('refuses a directory where the file should be', async () => {
    await mkdir(sandbox.credentialsPath)
    const result = await runCli(['whoami'], {env: sandbox.env()})
    expect(result.code).toBe(10)
    expect(result.stderr).toContain(`Cannot read credentials at ${sandbox.credentialsPath}: it is a directory, not a file`)
  })

  it('never follows a symlink at the credentials path, to read or to write', async () => {
    const target = join(sandbox.home, 'elsewhere.json')
    await writeFile(target, validFile(), {mode: 0o600})
    await symlink(target, sandbox.credentialsPath)
    const result = await runCli(['login', '--token'], {env: sandbox.env(), input: pat})
    expect(result.code).toBe(10)
    expect(result.stderr).toContain('is a symbolic link')
    expect(await readFile(target, 'utf8')).toBe(validFile())
  })

  it('a config dir that cannot be created is a clear error that keeps what is there', async () => {
    // A regular file where a parent directory should be: fails for root too, unlike a chmod.
    const blocker = join(sandbox.home, 'not-a-dir')
    await writeFile(blocker, 'x')
    const configDir = join(blocker, 'latch')
    const result = await runCli(['login', '--token'], {env: sandbox.env({LATCH_CONFIG_DIR: configDir}), input: pat})
    expect(result.code).toBe(10)
    expect(result.stderr).toContain(`Cannot read credentials at ${join(configDir, 'credentials.json')}: ${blocker} is a file, not a directory`)
    expect(result.stderr).toContain('Hint: move that file aside, or set LATCH_CONFIG_DIR to a directory')
    expect(await readFile(blocker, 'utf8')).toBe('x')
  })

  it('never follows a planted symlink to read either: whoami and token refuse, print nothing and leave the target alone', async () => {
    const target = join(sandbox.home, 'elsewhere.json')
    await writeFile(target, validFile(), {mode: 0o644})
    await chmod(target, 0o644)
    await symlink(target, sandbox.credentialsPath)
    for (const args of [['whoami'], ['token'], ['whoami', '--json']]) {
      const result = await runCli(args, {env: sandbox.env()})
      expect([result.code, result.stderr]).toEqual([10, expect.stringContaining(`Credentials file ${sandbox.credentialsPath} is a symbolic link`)])
      expect(result.stdout).not.toContain(pat)
      expect(result.stderr).not.toContain(pat)
    }

    // Not even its permissions were "fixed": latch never touched the file the link points to.
    expect((await stat(target)).mode & 0o777).toBe(0o644)
    expect(await readFile(target, 'utf8')).toBe(validFile())
  })
})

describe('saving', () => {
  const temporaryName = '.credentials.json.0123456789ab.tmp'

  it('replaces the file by a rename (a new inode, written whole), never rewriting it in place', async () => {
    await writeFile(sandbox.credentialsPath, validFile(), {mode: 0o600})
    const before = await stat(sandbox.credentialsPath)
    const result = await runCli(['login', '--token'], {env: sandbox.env(), input: pat})
    expect(result.code).toBe(0)
    const after = await stat(sandbox.credentialsPath)
    // Written in place, the old inode would hold a truncated file for a moment; a rename never shows one.
    expect(after.ino).not.toBe(before.ino)
    expect(after.mode & 0o777).toBe(0o600)
    expect((await readLogin(sandbox.credentialsPath)).token.access_token).toBe(pat)
    expect((await readdir(sandbox.configDir)).sort()).toEqual(['credentials.json'])
  })

  it("leaves another process's fresh temp file alone, and removes one a killed process left long ago", async () => {
    // A fresh one: another latch is between creating its temp file and renaming it, right now.
    const live = join(sandbox.configDir, temporaryName)
    await writeFile(live, '{"partial', {mode: 0o600})
    const stale = join(sandbox.configDir, '.credentials.json.ba9876543210.tmp')
    await writeFile(stale, '{"left by a SIGKILL', {mode: 0o600})
    const longAgo = new Date(Date.now() - 5 * 60_000)
    await utimes(stale, longAgo, longAgo)

    const result = await runCli(['login', '--token'], {env: sandbox.env(), input: pat})
    expect(result.code).toBe(0)
    expect(await readFile(live, 'utf8')).toBe('{"partial')
    expect(existsSync(stale)).toBe(false)
  })
})

describe('every write waits for the credentials lock (held here as a refreshing latch would hold it)', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

  async function expectWaitsForLock(start: () => RunningCli): Promise<string | undefined> {
    const before = await readFile(sandbox.credentialsPath, 'utf8')
    const release = await holdCredentialsLock(sandbox.credentialsPath)
    let run: RunningCli
    try {
      run = start()
      // Long enough for the command to reach its write on a busy 2-core machine.
      await sleep(3000)
      expect(run.process.exitCode).toBeNull()
      expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(before)
    } finally {
      await release()
    }

    const result = await run.done
    expect([result.code, result.stderr]).toEqual([0, expect.any(String)])
    return readFile(sandbox.credentialsPath, 'utf8').catch(() => undefined)
  }

  it('login --token', async () => {
    await writeFile(sandbox.credentialsPath, validFile().replace(pat, 'sk_pat_old'), {mode: 0o600})
    const after = await expectWaitsForLock(() => {
      const run = startCli(['login', '--token'], {env: sandbox.env()})
      run.process.stdin!.end(`${pat}\n`)
      return run
    })
    expect(JSON.parse(after!).profiles.default.token.access_token).toBe(pat)
  })

  it('link', async () => {
    await writeFile(sandbox.credentialsPath, validFile(), {mode: 0o600})
    const project = await emulator.createProject({name: 'Locked', user: 'alice'})
    const after = await expectWaitsForLock(() => {
      const run = startCli(['link'], {env: sandbox.env()})
      run.process.stdin!.end(`${project.access_key}\n`)
      return run
    })
    expect(JSON.parse(after!).profiles.default.access_key).toBe(project.access_key)
  })

  it('logout --force', async () => {
    await writeFile(sandbox.credentialsPath, validFile(), {mode: 0o600})
    const after = await expectWaitsForLock(() => startCli(['logout', '--force'], {env: sandbox.env()}))
    expect(after).toBeUndefined()
  })
})
