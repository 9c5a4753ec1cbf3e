/**
 * latch inside another CLI, as a platform team ships it: `npm pack` of this package installed into the
 * host fixture (test/fixtures/acme, an oclif 4 CLI called acme that lists latch in oclif.plugins), and
 * the core flows run through `acme` against the emulator: device login, login --token, whoami, token
 * refresh, link, logout, env precedence under ACME_*, the host's branding and defaults from its
 * package.json, and latch as a typed library imported by name from that separate project.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {type CliResult, DEVICE_CODE, runCli, startCli} from '../helpers/cli.js'
import {useEmulator} from '../helpers/emulator.js'
import {type HostCli, hostEnv, installHostCli} from '../helpers/host-cli.js'

const emulator = useEmulator(['--interval', '0.2'])
let host: HostCli
let home: string

beforeAll(async () => {
  host = installHostCli()
  home = await mkdtemp(join(tmpdir(), 'acme-home-'))
}, 300_000)
afterAll(async () => {
  if (home) await rm(home, {force: true, recursive: true})
})

/** The env of a user of acme pointed at the emulator (its client id is latch-cli, acme's default is acme-cli). */
function env(extra: Record<string, string | undefined> = {}): Record<string, string> {
  return hostEnv(home, {ACME_CLIENT_ID: 'latch-cli', ACME_ISSUER: emulator.issuer, ...extra})
}

function acme(args: string[], options: {env?: Record<string, string>; input?: string} = {}): Promise<CliResult> {
  return runCli(args, {bin: host.bin, env: options.env ?? env(), input: options.input})
}

const credentialsPath = () => join(home, '.config', 'acme', 'credentials.json')

/** Nothing a user of acme reads names latch: messages, hints, help (DEBUG=latch:* namespaces aside). */
function expectNoLatch(result: CliResult): void {
  expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/\blatch\b(?!:)|LATCH_/i)
}

async function signIn(): Promise<void> {
  const login = startCli(['login', '--no-browser'], {bin: host.bin, env: env()})
  login.process.stdin?.end()
  const [, userCode] = await login.waitFor(DEVICE_CODE)
  await emulator.approve(userCode)
  const result = await login.done
  expect(result.code).toBe(0)
  return undefined
}

describe('the package as installed from its tarball', () => {
  it('installs the packed tarball: the host project depends on it, not on this checkout', async () => {
    const installed = JSON.parse(await readFile(join(host.dir, 'node_modules', 'latch', 'package.json'), 'utf8'))
    expect(installed.name).toBe('latch')
    expect(JSON.parse(await readFile(join(host.dir, 'package.json'), 'utf8')).dependencies.latch).toBe('file:./latch.tgz')
    expect(existsSync(join(host.dir, 'node_modules', 'latch', 'dist', 'index.d.ts'))).toBe(true)
    // Only what `files` ships: no sources or tests.
    expect(existsSync(join(host.dir, 'node_modules', 'latch', 'src'))).toBe(false)
  })
})

describe('acme, an oclif CLI that lists latch in oclif.plugins', () => {
  it('signs in with the device flow (acme login --no-browser), in acme\'s words and config directory', async () => {
    const login = startCli(['login', '--no-browser'], {bin: host.bin, env: env()})
    login.process.stdin?.end()
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await emulator.approve(userCode)
    const result = await login.done
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('to sign in to Acme Cloud')
    expect(result.stderr).toContain('Authenticated successfully')
    expectNoLatch(result)
    const stored = JSON.parse(await readFile(credentialsPath(), 'utf8')).profiles.default
    expect(stored.issuer).toBe(emulator.issuer)
    // acme's default scopes (package.json oclif.latch.defaultScopes), not latch's.
    expect(stored.token.scopes).toEqual(expect.arrayContaining(['inference', 'projects.read', 'account.read']))
    expect(stored.token.scopes).not.toContain('deployments.read')
  })

  it('whoami reports the login, with ACME_ISSUER as the issuer\'s origin', async () => {
    const result = await acme(['whoami', '--json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.user.name).toBeTruthy()
    expect(report.issuer_origin).toEqual({origin: 'ACME_ISSUER', source: 'env'})
    expect(report.token.origin).toBe(credentialsPath())
  })

  it('renews an expiring token (acme token), and the host\'s own command gets it through the library', async () => {
    const file = JSON.parse(await readFile(credentialsPath(), 'utf8'))
    const before = file.profiles.default.token.access_token
    file.profiles.default.token.expires_at = new Date(Date.now() - 1000).toISOString()
    await writeFile(credentialsPath(), JSON.stringify(file), {mode: 0o600})
    const result = await acme(['token'])
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).not.toBe(before)
    expect(JSON.parse(await readFile(credentialsPath(), 'utf8')).profiles.default.token.access_token).toBe(result.stdout.trim())
    const refreshes = (await emulator.requests()).filter((entry) => entry.grant_type === 'refresh_token' && entry.status === 200)
    expect(refreshes.length).toBeGreaterThan(0)

    // `acme me` is acme's own command (test/fixtures/acme/commands/me.js): getAccessToken from 'latch'.
    const me = await acme(['me'])
    expect(me.stderr).toBe('')
    expect(me.code).toBe(0)
    expect(me.stdout).toMatch(/<.+@.+> \(API from ACME_ISSUER\)/)
  })

  it('links a project key from stdin and shows it in whoami', async () => {
    const project = await emulator.createProject({name: 'acme-web'})
    const linked = await acme(['link'], {input: `${project.access_key}\n`})
    expect(linked.code).toBe(0)
    expectNoLatch(linked)
    const report = JSON.parse((await acme(['whoami', '--json'])).stdout)
    expect(report.project).toMatchObject({name: 'acme-web', source: 'file'})
  })

  it('logs out: revoked, the file gone, and the next command says to run `acme login`', async () => {
    const result = await acme(['logout', '--force'])
    expect(result.code).toBe(0)
    expect(existsSync(credentialsPath())).toBe(false)
    const after = await acme(['whoami'])
    expect(after.code).toBe(4)
    expect(after.stderr).toContain('Hint: run `acme login`, or set ACME_TOKEN')
    expectNoLatch(after)
  })

  it('signs in with a personal access token (acme login --token on stdin)', async () => {
    const {token} = await emulator.createPat({scopes: ['inference', 'account.read']})
    const result = await acme(['login', '--token'], {input: `${token}\n`})
    expect(result.code).toBe(0)
    expectNoLatch(result)
    const report = JSON.parse((await acme(['whoami', '--json'])).stdout)
    expect(report.token.type).toBe('pat')
    await acme(['logout', '--force'])
  })

  it('takes ACME_* and never LATCH_*: ACME_TOKEN wins over the file, LATCH_TOKEN is ignored', async () => {
    await signIn()
    const {token: pat} = await emulator.createPat({scopes: ['account.read']})
    const fromEnv = await acme(['token'], {env: env({ACME_TOKEN: pat})})
    expect(fromEnv.code).toBe(0)
    expect(fromEnv.stdout.trim()).toBe(pat)
    expect(fromEnv.stderr).toContain('Using the token from ACME_TOKEN.')

    const latchVar = await acme(['whoami', '--json'], {env: env({LATCH_TOKEN: pat})})
    expect(JSON.parse(latchVar.stdout).token.source).toBe('file')

    // ACME_CONFIG_DIR moves the credentials; XDG_CONFIG_HOME puts them in $XDG_CONFIG_HOME/acme.
    const elsewhere = join(home, 'elsewhere')
    const moved = await acme(['whoami'], {env: env({ACME_CONFIG_DIR: elsewhere})})
    expect(moved.code).toBe(4)
    const xdg = await acme(['config', 'list', '--json'], {env: env({XDG_CONFIG_HOME: join(home, 'xdg')})})
    expect(JSON.parse(xdg.stdout).file).toBe(join(home, 'xdg', 'acme', 'config.json'))
    await acme(['logout', '--force'])
  })

  it('takes its defaults from acme\'s package.json: issuer, API URL, client id, scope catalogue', async () => {
    const plain = hostEnv(home)
    const setting = async (key: string) => JSON.parse((await acme(['config', 'get', key, '--json'], {env: plain})).stdout)
    expect(await setting('issuer')).toMatchObject({source: 'default', value: 'https://auth.acme.example'})
    expect(await setting('api-url')).toMatchObject({source: 'default', value: 'https://api.acme.example'})
    expect(await setting('client-id')).toMatchObject({source: 'default', value: 'acme-cli'})
    // Another issuer's API is at its own origin, not at acme's default API.
    expect(JSON.parse((await acme(['config', 'get', 'api-url', '--json'])).stdout).value).toBe(emulator.issuer)

    // `config set scopes` checks against acme's catalogue too: latch's deployments.read is not in it.
    const notAcmes = await acme(['config', 'set', 'scopes', 'deployments.read'])
    expect(notAcmes.code).toBe(2)
    expect(notAcmes.stderr).toContain('choose from: inference, projects.read, account.read')
    expect((await acme(['config', 'set', 'scopes', 'account.read'])).code).toBe(0)
    expect((await setting('scopes')).value).toBe('account.read')
    expect((await acme(['config', 'unset', 'scopes'])).code).toBe(0)

    const unknown = await acme(['login', '--no-browser', '--scopes', 'deployments.write'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('Unknown scope: "deployments.write"')
    expect(unknown.stderr).toContain('choose from: inference, projects.read, account.read')
  })

  it('names acme in help, and keeps latch\'s emulator and unknown-command handling out of acme', async () => {
    const help = await acme(['login', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('$ acme login')
    expect(help.stdout).toContain('ACME_BROWSER names the program')
    // acme's scope catalogue and defaults (package.json oclif.latch), not latch's.
    expect(help.stdout.replaceAll(/\s+/g, ' ')).toContain('Scopes: inference (run models), projects.read (read your projects), account.read (read your account).')
    expect(help.stdout.replaceAll(/\s+/g, ' ')).toContain('else inference,projects.read,account.read)')
    expect(help.stdout).not.toContain('deployments')
    expectNoLatch(help)

    // Every latch command's help, whoever wrote it (the manifest's help text is templated at build: scripts/manifest.js).
    const manifest = JSON.parse(await readFile(join(host.dir, 'node_modules', 'latch', 'oclif.manifest.json'), 'utf8'))
    const ids = Object.keys(manifest.commands).filter((id) => id !== 'emulator')
    expect(ids.length).toBeGreaterThan(5)
    for (const id of ids) {
      const commandHelp = await acme([...id.split(':'), '--help'])
      expect(commandHelp.code).toBe(0)
      expect(commandHelp.stdout).toContain(`$ acme ${id.replaceAll(':', ' ')}`)
      expectNoLatch(commandHelp)
    }

    // Not opted in (no "emulator": true in acme's oclif.latch): an unknown command there.
    const emulatorRun = await acme(['emulator', '--port', '0'])
    expect(emulatorRun.code).toBe(2)
    expect(emulatorRun.stderr).toContain('Unknown command: emulator')

    // acme's own unknown command is oclif's to report (acme has no not-found plugin): latch does not answer it.
    const unknown = await acme(['logni'])
    expect(unknown.stderr).toContain('command logni not found')
    expect(unknown.stderr).not.toContain('did you mean')
  })
})

describe('latch as a library in another project', () => {
  it('imports by name (ESM) and answers with the same typed errors and exit codes', () => {
    const script = [
      "import {getAccessToken, isLatchError, resolveConfiguration} from 'latch'",
      "const config = await resolveConfiguration({bin: 'acme'})",
      'let failure',
      "try { await getAccessToken({bin: 'acme'}) } catch (error) { failure = error }",
      'console.log(JSON.stringify({configDir: config.configDir.value, kind: failure?.kind, exit: failure?.exitCode, hint: failure?.hint, latch: isLatchError(failure), token: "token" in config}))',
    ].join('\n')
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {cwd: host.dir, encoding: 'utf8', env: hostEnv(home)})
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({configDir: join(home, '.config', 'acme'), exit: 4, hint: 'run `acme login`, or set ACME_TOKEN', kind: 'not_authenticated', latch: true, token: false})
  })

  it('names the secrets in the configuration by their origin, never by value', () => {
    const key = `sk_live_${'b'.repeat(40)}`
    const project = `sk_proj_${'c'.repeat(40)}`
    const script = "import {resolveConfiguration} from 'latch'\nconsole.log(JSON.stringify(await resolveConfiguration({bin: 'acme'})))"
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {cwd: host.dir, encoding: 'utf8', env: hostEnv(home, {ACME_ACCESS_KEY: project, ACME_API_KEY: key})})
    expect(result.stderr).toBe('')
    expect(result.stdout).not.toContain(key)
    expect(result.stdout).not.toContain(project)
    const config = JSON.parse(result.stdout)
    expect(config.apiKey).toEqual({origin: 'ACME_API_KEY', source: 'env'})
    expect(config.accessKey).toEqual({origin: 'ACME_ACCESS_KEY', source: 'env'})

    const pat = `sk_pat_${'d'.repeat(64)}`
    const withToken = spawnSync(process.execPath, ['--input-type=module', '-e', script], {cwd: host.dir, encoding: 'utf8', env: hostEnv(home, {ACME_TOKEN: pat})})
    expect(withToken.stdout).not.toContain(pat)
    expect(JSON.parse(withToken.stdout).token).toEqual({origin: 'ACME_TOKEN', source: 'env', type: 'pat'})
  })

  it('type-checks against the published declarations (tsc, strict)', async () => {
    // Not tsconfig.json: oclif would take the host for a TypeScript project in development and look for ts-node.
    const tsconfig = join(host.dir, 'tsconfig.library-types.json')
    await writeFile(
      tsconfig,
      JSON.stringify({
        compilerOptions: {module: 'Node16', moduleResolution: 'Node16', noEmit: true, skipLibCheck: true, strict: true, target: 'ES2022', typeRoots: [fileURLToPath(new URL('../../node_modules/@types', import.meta.url))], types: ['node']},
        files: ['library-types.ts'],
      }),
    )
    const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url))
    const result = spawnSync(process.execPath, [tsc, '-p', tsconfig], {cwd: host.dir, encoding: 'utf8'})
    expect(result.stdout + result.stderr).toBe('')
    expect(result.status).toBe(0)
  })
})
