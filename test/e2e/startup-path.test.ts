/**
 * What each command loads on its way to its answer, recorded by a module loader hook: the fast commands
 * load neither oclif nor an OAuth library, and no command but `emulator` loads oidc-provider. Start-up
 * time itself is measured by `npm run bench` (docs/performance.md), never asserted here.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
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
})
afterAll(async () => {
  await sandbox?.cleanup()
  await emulator?.stop()
  if (hooks) await rm(hooks, {force: true, recursive: true})
})

/** The URLs of the modules `latch ...args` loads as ES modules or through an ES module import. */
async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const log = join(hooks, `${args.join('-').replaceAll(/\W/g, '_')}.log`)
  const result = await runCli(args, {env: sandbox.env({LATCH_TEST_MODULE_LOG: log, NODE_OPTIONS: `--import=${join(hooks, 'register.mjs')}`})})
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

describe('start-up path', () => {
  it('the check below sees oclif when it runs, bundled or not', async () => {
    expect(await loadsOclif(await modulesLoadedBy(['--help']))).toBe(true)
    expect(await loadsOclif(await modulesLoadedBy(['whoami', '--help']))).toBe(true)
  })

  it.each([[['--version']], [['token']], [['whoami']], [['whoami', '--json']]])('latch %j loads no oclif and no OAuth library', async (args) => {
    const urls = await modulesLoadedBy(args)
    expect(await loadsOclif(urls)).toBe(false)
    expect(packagesOf(urls)).not.toContain('openid-client')
    expect(packagesOf(urls)).not.toContain('oidc-provider')
  })

  it.each([[['--help']], [['login', '--help']], [['link', '--help']], [['logout', '--force']]])('latch %j never loads oidc-provider', async (args) => {
    expect(packagesOf(await modulesLoadedBy(args))).not.toContain('oidc-provider')
  })
})
