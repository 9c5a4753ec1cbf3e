/**
 * Faults on this machine: an unreadable or strange credentials file, a process killed mid-save, racing
 * commands, and signals during a login. (A symlink at the credentials path is covered by
 * test/e2e/credentials-file.test.ts.)
 *
 * SIGKILL and temp files: a save writes `.credentials.json.<random>.tmp`, fsyncs it and renames it over
 * credentials.json, so credentials.json is always the old or the new content, never a mix. A SIGKILL
 * between the create and the rename leaves the temp file behind (nothing can run after SIGKILL); the
 * next save deletes such leftovers once they are older than a minute (a live writer keeps its temp
 * file for milliseconds), and nothing ever reads them. Random kills cannot prove the save is atomic (a
 * kill may never land mid-save): test/e2e/credentials-file.test.ts asserts the rename itself (a save
 * gives credentials.json a new inode) and that a live writer's fresh temp file is left alone.
 */
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {execFileSync} from 'node:child_process'
import {chmod, chown, mkdir, readdir, readFile, utimes, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {DEVICE_CODE, makeSandbox, NOBODY, runCli, type Sandbox, startCli} from '../helpers/cli.js'
import {type RunningEmulator, startEmulator} from '../helpers/emulator.js'
import {EXIT, expectCleanError, record, timedRun} from './record.js'

let emulator: RunningEmulator
let sandbox: Sandbox
let pat: string
let otherPat: string

beforeAll(async () => {
  emulator = await startEmulator()
  pat = (await emulator.createPat({name: 'local', scopes: ['inference', 'account.read'], user: 'alice'})).token
  otherPat = (await emulator.createPat({name: 'other', scopes: ['inference', 'account.read'], user: 'bob'})).token
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

const fileWith = (token: string) =>
  `${JSON.stringify({created_at: '2026-01-01T00:00:00.000Z', issuer: emulator.issuer, token: {access_token: token, scopes: ['inference'], type: 'pat'}, version: 1}, null, 2)}\n`

const isRoot = process.getuid?.() === 0

/**
 * As root, chmod stops nothing: the CLI then runs as `nobody`, with the sandbox handed to that user.
 * Without setpriv the spawn fails and so does the test; it never passes without having looked.
 */
async function asUnprivileged(): Promise<{uid?: number}> {
  if (!isRoot) return {}
  for (const path of [sandbox.home, join(sandbox.home, '.config'), sandbox.configDir]) await chown(path, NOBODY, NOBODY)
  return {uid: NOBODY}
}

describe('the credentials file itself', () => {
  it('not readable by its owner', async () => {
    const user = await asUnprivileged()
    await writeFile(sandbox.credentialsPath, fileWith(pat), {mode: 0o600})
    if (user.uid !== undefined) await chown(sandbox.credentialsPath, user.uid, user.uid)
    await chmod(sandbox.credentialsPath, 0o000)
    const result = await timedRun(['whoami'], {env: sandbox.env(), ...user})
    expectCleanError(result, EXIT.credentialsFile, `Cannot read credentials at ${sandbox.credentialsPath}: permission denied`)
    record('local faults', 'unreadable file: whoami', result.ms)
  })

  it('a read-only config dir: the save fails clearly and the old file stays', async () => {
    const user = await asUnprivileged()
    await writeFile(sandbox.credentialsPath, fileWith(pat), {mode: 0o600})
    if (user.uid !== undefined) await chown(sandbox.credentialsPath, user.uid, user.uid)
    await chmod(sandbox.configDir, 0o500)
    try {
      const result = await timedRun(['login', '--token'], {env: sandbox.env(), input: otherPat, ...user})
      expectCleanError(result, EXIT.credentialsFile, `Cannot write credentials at ${sandbox.credentialsPath}: permission denied`)
      expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(fileWith(pat))
      record('local faults', 'read-only config dir: login --token', result.ms)
    } finally {
      await chmod(sandbox.configDir, 0o700)
    }
  })

  it('a read-only config dir: a device login stops before any device code is requested (nobody approves in vain)', async () => {
    const user = await asUnprivileged()
    await chmod(sandbox.configDir, 0o500)
    const deviceCodeRequests = async () => (await emulator.requests()).filter((entry) => entry.path.includes('device/auth')).length
    const before = await deviceCodeRequests()
    try {
      // Were the check made only at saving time, latch would show a code and wait: killed after 10 s.
      const result = await timedRun(['login', '--no-browser'], {env: sandbox.env(), timeoutMs: 10_000, ...user})
      expectCleanError(result, EXIT.credentialsFile, `Cannot write credentials at ${sandbox.credentialsPath}: permission denied`)
      expect(result.stderr).not.toMatch(DEVICE_CODE)
      expect(await deviceCodeRequests()).toBe(before)
      record('local faults', 'read-only config dir: device login', result.ms)
    } finally {
      await chmod(sandbox.configDir, 0o700)
    }
  })

  it('a FIFO where the file should be: reported, never waited on', async () => {
    execFileSync('mkfifo', [sandbox.credentialsPath])
    for (const [args, input] of [[['whoami'], undefined], [['token'], undefined], [['login', '--token'], `${pat}\n`], [['logout', '--force'], undefined]] as const) {
      const result = await timedRun([...args], {env: sandbox.env(), input})
      expectCleanError(result, EXIT.credentialsFile, `Credentials file ${sandbox.credentialsPath} is not a regular file; it was left untouched`)
      record('local faults', `FIFO: ${args.join(' ')}`, result.ms)
    }
  })

  it('a directory where the file should be', async () => {
    await mkdir(sandbox.credentialsPath)
    const result = await timedRun(['login', '--token'], {env: sandbox.env(), input: `${pat}\n`})
    expectCleanError(result, EXIT.credentialsFile, sandbox.credentialsPath)
    record('local faults', 'directory: login --token', result.ms)
  })

  it('a file that is not JSON, or JSON of another shape, is reported and left as it is', async () => {
    for (const [name, content] of [['binary', Buffer.from([0xff, 0xfe, 0x00, 0x1b, 0x5b])], ['empty', ''], ['array', '[]'], ['future version', '{"version": 99}']] as const) {
      await writeFile(sandbox.credentialsPath, content, {mode: 0o600})
      const result = await timedRun(['whoami'], {env: sandbox.env()})
      expectCleanError(result, EXIT.credentialsFile, `Credentials file ${sandbox.credentialsPath}`)
      expect(await readFile(sandbox.credentialsPath)).toEqual(Buffer.from(content))
      record('local faults', `corrupt file (${name}): whoami`, result.ms)
    }
  })
})

async function leftovers(): Promise<string[]> {
  return (await readdir(sandbox.configDir)).filter((name) => name !== 'credentials.json')
}

describe('killed and racing processes', () => {
  it('SIGKILL at random points of `login --token`: the file is always the old or the new one, whole', async () => {
    const old = fileWith(otherPat)
    await writeFile(sandbox.credentialsPath, old, {mode: 0o600})
    let replaced = 0
    for (let i = 0; i < 30; i++) {
      const login = startCli(['login', '--token'], {env: sandbox.env()})
      login.process.stdin!.end(`${pat}\n`)
      const delay = Math.floor(Math.random() * 150)
      setTimeout(() => login.process.kill('SIGKILL'), delay)
      await login.done
      const text = await readFile(sandbox.credentialsPath, 'utf8')
      if (text === old) continue
      // Whole, and the new login: in version 2 once latch wrote it (profiles.default).
      const parsed = JSON.parse(text)
      expect((parsed.version === 1 ? parsed : parsed.profiles.default).token.access_token).toBe(pat)
      replaced++
      await writeFile(sandbox.credentialsPath, old, {mode: 0o600})
    }

    // Whatever the kills left, the next commands work.
    const whoami = await runCli(['whoami'], {env: sandbox.env()})
    expect(whoami.code).toBe(0)
    // Temp files a SIGKILL left are removed by the next save once they are stale, and a lock a killed
    // writer held is taken over once stale (every write holds the lock).
    const left = await leftovers()
    for (const name of left) expect(name).toMatch(/^(\.credentials\.json\.[0-9a-f]+\.tmp|credentials\.json\.lock)$/)
    const longAgo = new Date(Date.now() - 5 * 60_000)
    for (const name of left) await utimes(join(sandbox.configDir, name), longAgo, longAgo)
    const save = await runCli(['login', '--token'], {env: sandbox.env(), input: `${pat}\n`})
    expect(save.code).toBe(0)
    expect(await leftovers()).toEqual([])
    record('local faults', `SIGKILL during save x30 (${replaced} saved, ${left.length} temp files left, then cleaned)`, 0)
  })

  it('two `login --token` and a `logout --force` at once: the end state is valid', async () => {
    for (let round = 0; round < 5; round++) {
      await writeFile(sandbox.credentialsPath, fileWith(otherPat), {mode: 0o600})
      const results = await Promise.all([
        runCli(['login', '--token'], {env: sandbox.env(), input: `${pat}\n`}),
        runCli(['login', '--token'], {env: sandbox.env(), input: `${otherPat}\n`}),
        runCli(['logout', '--force'], {env: sandbox.env()}),
      ])
      for (const result of results) expect([result.code, result.stderr]).toEqual([0, expect.anything()])
      const names = await leftovers()
      expect(names).toEqual([])
      const text = await readFile(sandbox.credentialsPath, 'utf8').catch(() => undefined)
      if (text !== undefined) {
        // Version 1 as written above, or version 2 once latch wrote it; after the logout, no default login.
        const file = JSON.parse(text)
        const login = file.version === 1 ? file : file.profiles?.default
        if (login) expect([pat, otherPat]).toContain(login.token.access_token)
        else expect(file.profiles).toBeDefined()
      }
      const whoami = await runCli(['whoami'], {env: sandbox.env()})
      expect([0, EXIT.notAuthenticated]).toContain(whoami.code)
    }

    record('local faults', 'race: 2x login --token + logout --force, x5', 0)
  })
})

describe('signals during a device login', () => {
  for (const [signal, exit, message] of [['SIGTERM', EXIT.terminated, 'Login stopped (SIGTERM)'], ['SIGINT', EXIT.cancelled, 'Login cancelled']] as const) {
    it(`${signal} while polling exits ${exit} and leaves no temp or lock file`, async () => {
      const previous = fileWith(otherPat)
      await writeFile(sandbox.credentialsPath, previous, {mode: 0o600})
      const started = performance.now()
      const login = startCli(['login', '--no-browser'], {env: sandbox.env({CI: '1'}), timeoutMs: 20_000})
      await login.waitFor(DEVICE_CODE)
      login.process.kill(signal)
      const result = {...(await login.done), ms: performance.now() - started}
      expectCleanError(result, exit, message)
      expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(previous)
      expect(await leftovers()).toEqual([])
      record('signals', `${signal} while polling`, result.ms)
    })
  }
})
