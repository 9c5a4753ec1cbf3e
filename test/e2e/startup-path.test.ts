/**
 * What each command loads on its way to its answer, recorded by a module loader hook: the fast commands
 * load neither oclif nor an OAuth library, and no command but `emulator` loads oidc-provider. Start-up
 * time itself is measured by `npm run bench` (docs/performance.md), never asserted here.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawnSync} from 'node:child_process'
import {chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {makeSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {type RunningEmulator, startEmulator} from '../helpers/emulator.js'

let emulator: RunningEmulator
let sandbox: Sandbox
let hooks: string

beforeAll(async () => {
  emulator = await startEmulator()
  sandbox = await makeSandbox(emulator.issuer)
  const {token} = await emulator.createPat({name: 'startup', scopes: ['inference', 'account.read']})
  const login = await runCli(['login', '--token'], {env: sandbox.env(), input: `${token}\n`})
  expect(login.code).toBe(0)

  hooks = await mkdtemp(join(tmpdir(), 'latch-hooks-'))
  await writeFile(
    join(hooks, 'hooks.mjs'),
    "import {appendFileSync} from 'node:fs'\nexport async function load(url, context, next) {\n  appendFileSync(process.env.LATCH_TEST_MODULE_LOG, `${url}\\n`)\n  return next(url, context)\n}\n",
  )
  await writeFile(join(hooks, 'register.mjs'), `import {register} from 'node:module'\nregister(${JSON.stringify(pathToFileURL(join(hooks, 'hooks.mjs')).href)})\n`)
  await writeFile(
    join(hooks, 'builtins.cjs'),
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.LATCH_TEST_BUILTIN_LOG, process.moduleLoadList.join('\\n')))\n",
  )
})
afterAll(async () => {
  await sandbox?.cleanup()
  await emulator?.stop()
  if (hooks) await rm(hooks, {force: true, recursive: true})
})

let logs = 0

/** The URLs of the modules `latch ...args` loads as ES modules or through an ES module import. */
async function modulesLoadedBy(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const log = join(hooks, `${++logs}-${args.join('-').replaceAll(/\W/g, '_')}.log`)
  const result = await runCli(args, {env: sandbox.env({...env, LATCH_TEST_MODULE_LOG: log, NODE_OPTIONS: `--import=${join(hooks, 'register.mjs')}`})})
  expect(result.stderr).not.toMatch(/Error/)
  const urls = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean)
  // The hook saw the start itself: an empty log would prove nothing.
  expect(urls.some((url) => url.endsWith('/bin/run.js'))).toBe(true)
  return urls
}

/** The packages (under node_modules) among `urls`. */
function packagesOf(urls: string[]): string[] {
  const names = urls.map((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1]).filter((name): name is string => Boolean(name))
  return [...new Set(names)].sort()
}

/** Whether undici was loaded: from node_modules, or as latch's one-file copy (dist/undici.cjs, scripts/bundle.js). */
function loadsUndici(urls: string[]): boolean {
  return packagesOf(urls).includes('undici') || urls.some((url) => url.endsWith('/dist/undici.cjs'))
}

/**
 * Whether oclif ran: from node_modules, or from latch's bundle (dist/bundle/, where it has no package
 * name in its path), told by a string only oclif's code holds.
 */
async function loadsOclif(urls: string[]): Promise<boolean> {
  if (packagesOf(urls).includes('@oclif/core')) return true
  for (const url of urls.filter((url) => url.startsWith('file:') && url.includes('/dist/bundle/'))) {
    if ((await readFile(fileURLToPath(url), 'utf8')).includes('oclif.manifest.json')) return true
  }

  return false
}

/** What the last builtinsLoadedBy run wrote to stderr. */
let builtinsStderr = ''

/**
 * Node's own modules (`NativeModule name`, from process.moduleLoadList at exit) that `latch ...args`
 * loads beyond what Node loads to run an empty ES module (Node 20's ES loader itself loads fs.promises).
 */
async function builtinsLoadedBy(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const nativeModules = async (log: string) =>
    (await readFile(log, 'utf8'))
      .split('\n')
      .filter((entry) => entry.startsWith('NativeModule '))
      .map((entry) => entry.slice('NativeModule '.length))
  const preload = ['--require', join(hooks, 'builtins.cjs')]
  const baselineLog = join(hooks, 'empty.builtins')
  await writeFile(join(hooks, 'empty.mjs'), 'export {}\n')
  const baseline = spawnSync(process.execPath, [...preload, join(hooks, 'empty.mjs')], {env: {...process.env, LATCH_TEST_BUILTIN_LOG: baselineLog}})
  expect(baseline.status).toBe(0)
  const log = join(hooks, `${args.join('-').replaceAll(/\W/g, '_')}.builtins`)
  const result = await runCli(args, {env: sandbox.env({...env, LATCH_TEST_BUILTIN_LOG: log, NODE_OPTIONS: preload.join('=')})})
  expect(result.code).toBe(0)
  builtinsStderr = result.stderr
  const before = new Set(await nativeModules(baselineLog))
  const loaded = await nativeModules(log)
  expect(loaded).toContain('fs')
  return loaded.filter((name) => !before.has(name))
}

describe('start-up path', () => {
  it('the check below sees oclif when it runs, bundled or not', async () => {
    expect(await loadsOclif(await modulesLoadedBy(['login', '--help']))).toBe(true)
    expect(await loadsOclif(await modulesLoadedBy(['whoami', '--help']))).toBe(true)
  })

  // bin/run.js prints the root help rendered at build time (scripts/root-help.js) when oclif would print that
  // text; test/e2e/fast-path.test.ts checks it is what oclif prints, and that anything else goes to oclif.
  it.each([[[]], [['--help']], [['-h']], [['help']]])('latch %j to a pipe loads no oclif, and with FORCE_COLOR it does', async (args) => {
    expect(await loadsOclif(await modulesLoadedBy(args))).toBe(false)
    const urls = await modulesLoadedBy(args, {FORCE_COLOR: '1'})
    expect(await loadsOclif(urls)).toBe(true)
  })

  it.each([[['--version']], [['token']], [['whoami']], [['whoami', '--json']]])('latch %j loads no oclif and no OAuth library', async (args) => {
    const urls = await modulesLoadedBy(args)
    expect(await loadsOclif(urls)).toBe(false)
    const loaded = packagesOf(urls)
    expect(loaded).not.toContain('openid-client')
    expect(loaded).not.toContain('oidc-provider')
    // The settings file is read as plain JSON there: conf (and its JSON-schema validator) is for `latch config`.
    expect(loaded).not.toContain('conf')
    expect(loaded).not.toContain('ajv')
    // The login steps' renderer is for login only.
    expect(loaded).not.toContain('listr2')
    // The proxy and CA agent (src/transport.ts) loads only when a proxy variable or a CA file is set.
    expect(loadsUndici(urls)).toBe(false)
  })

  it('latch whoami loads undici only when a proxy variable is set', async () => {
    const log = join(hooks, 'whoami-proxy.log')
    // NO_PROXY=* keeps the request direct, but HTTP_PROXY alone makes the agent load.
    const result = await runCli(['whoami'], {env: sandbox.env({HTTP_PROXY: 'http://127.0.0.1:9', LATCH_TEST_MODULE_LOG: log, NODE_OPTIONS: `--import=${join(hooks, 'register.mjs')}`, NO_PROXY: '*'})})
    expect(result.code).toBe(0)
    expect(loadsUndici((await readFile(log, 'utf8')).split('\n').filter(Boolean))).toBe(true)
  })

  // Each of these costs milliseconds on Node 24+, where Node itself starts in ~25 ms (docs/performance.md):
  // fs.promises (with streams and readline behind it) on the read path, tty from chalk (context.note wraps
  // text but paints nothing), process.stdout's net and stream modules for one write to a pipe.
  it('latch token with a stored token loads no fs.promises, streams, tty or net', async () => {
    const loaded = await builtinsLoadedBy(['token'])
    expect(loaded.filter((name) => ['internal/fs/promises', 'net', 'stream', 'tty'].includes(name))).toEqual([])
  })

  // A note ("Using the token from LATCH_TOKEN.") to a pipe goes straight to fd 2 (src/ui/direct-write.ts): creating
  // process.stderr for it would load net and the streams.
  it('latch token with LATCH_TOKEN writes its note to a stderr pipe without loading streams, tty or net', async () => {
    const loaded = await builtinsLoadedBy(['token'], {LATCH_TOKEN: `sk_pat_${'b'.repeat(64)}`})
    expect(builtinsStderr).toBe('Using the token from LATCH_TOKEN.\n')
    expect(loaded.filter((name) => ['internal/fs/promises', 'net', 'stream', 'tty'].includes(name))).toEqual([])
  })

  // scripts/bundle.js joins the chunks the fast path imports statically into dist/fast/fast-path.js: each
  // file is a module to resolve, read and compile (~1 ms each on Node 24+); on-demand modules stay apart.
  it.each([[['token']], [['whoami']]])('latch %j reads two files of its own: bin/run.js and dist/fast/fast-path.js', async (args) => {
    const own = (await modulesLoadedBy(args)).filter((url) => url.startsWith('file:')).map((url) => url.replace(/^.*\/(bin|dist)\//, '$1/'))
    expect(own).toEqual(['bin/run.js', 'dist/fast/fast-path.js'])
  })

  it('latch whoami loads no fs.promises and no tty', async () => {
    const loaded = await builtinsLoadedBy(['whoami'])
    expect(loaded).toContain('http')
    expect(loaded.filter((name) => ['internal/fs/promises', 'tty'].includes(name))).toEqual([])
  })

  // oclif requires these at load for rare uses; the bundle loads them on first use (scripts/bundle.js).
  it('latch login --help loads no child_process, readline, perf_hooks or fs.promises', async () => {
    const loaded = await builtinsLoadedBy(['login', '--help'])
    expect(loaded.filter((name) => ['child_process', 'internal/fs/promises', 'perf_hooks', 'readline'].includes(name))).toEqual([])
  })

  // The bundle gives oclif do-nothing loggers unless DEBUG is set (scripts/bundle.js): its trace must still come with DEBUG.
  it("oclif's debug trace comes with DEBUG=oclif:*, and nothing without DEBUG", async () => {
    const traced = await runCli(['config', '--help'], {env: sandbox.env({DEBUG: 'oclif:*'})})
    expect(traced.code).toBe(0)
    expect(traced.stderr).toMatch(/oclif:main process\.argv/)
    const quiet = await runCli(['config', '--help'], {env: sandbox.env({DEBUG: undefined})})
    expect(quiet.code).toBe(0)
    expect(quiet.stderr).toBe('')
    expect(quiet.stdout).toBe(traced.stdout)
  })

  it.each([[['--help']], [['login', '--help']], [['link', '--help']], [['logout', '--force']]])('latch %j never loads oidc-provider or conf', async (args) => {
    const loaded = packagesOf(await modulesLoadedBy(args))
    expect(loaded).not.toContain('oidc-provider')
    expect(loaded).not.toContain('conf')
  })
})

/** `module.enableCompileCache` exists from Node 22.1; on Node 20 latch runs without a compile cache. */
const hasCompileCache = typeof (await import('node:module')).default['enableCompileCache' as 'createRequire'] === 'function'

describe('compile cache', () => {
  // `latch token` with LATCH_TOKEN: a start that needs no stored credentials (`logout --force` above removed them).
  const env = (cache: string) => sandbox.env({LATCH_TOKEN: `sk_pat_${'a'.repeat(64)}`, XDG_CACHE_HOME: cache})

  it('lives in the user cache directory, 0700, and is filled by a start (where Node has one)', async () => {
    const cache = join(sandbox.home, 'xdg-cache')
    const result = await runCli(['token'], {env: env(cache)})
    expect(result.code).toBe(0)
    const dir = join(cache, 'latch', 'compile-cache')
    if (!hasCompileCache) {
      await expect(stat(dir)).rejects.toThrow(/ENOENT/)
      return
    }

    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    const [versioned] = await readdir(dir)
    expect(versioned).toMatch(/^v\d+/)
    expect((await readdir(join(dir, versioned))).length).toBeGreaterThan(0)
  })

  it('is not used when someone else can write it, and the command still works', async () => {
    const cache = join(sandbox.home, 'open-cache')
    const dir = join(cache, 'latch', 'compile-cache')
    await mkdir(dir, {recursive: true})
    await chmod(dir, 0o777)
    const result = await runCli(['token'], {env: env(cache)})
    expect(result.code).toBe(0)
    expect(await readdir(dir)).toEqual([])
  })

  it('never fails a command when it cannot be made', async () => {
    // XDG_CACHE_HOME is a file: nothing can be created under it.
    const cache = join(sandbox.home, 'not-a-dir')
    await writeFile(cache, '')
    const result = await runCli(['token'], {env: env(cache)})
    expect(result.code).toBe(0)
    expect(result.stderr).not.toMatch(/Error|ENOTDIR/)
  })
})
