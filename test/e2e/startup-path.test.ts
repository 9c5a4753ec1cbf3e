/**
 * What each command loads on its way to its answer, recorded by a module loader hook: the fast commands
 * load neither oclif nor an OAuth library, and no command but `emulator` loads oidc-provider. Start-up
 * time itself is measured by `npm run bench` (docs/performance.md), never asserted here.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

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

/** The packages (under node_modules) that `latch ...args` loads as ES modules or through an ES module import. */
async function packagesLoadedBy(args: string[]): Promise<string[]> {
  const log = join(hooks, `${args.join('-').replaceAll(/\W/g, '_')}.log`)
  const result = await runCli(args, {env: sandbox.env({LATCH_TEST_MODULE_LOG: log, NODE_OPTIONS: `--import=${join(hooks, 'register.mjs')}`})})
  expect(result.stderr).not.toMatch(/Error/)
  const urls = (await readFile(log, 'utf8').catch(() => '')).split('\n')
  // The hook saw the start itself: an empty log would prove nothing.
  expect(urls.some((url) => url.endsWith('/bin/run.js'))).toBe(true)
  const names = urls.map((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1]).filter((name): name is string => Boolean(name))
  return [...new Set(names)].sort()
}

describe('start-up path', () => {
  it.each([[['--version']], [['token']], [['whoami']], [['whoami', '--json']]])('latch %j loads no oclif and no OAuth library', async (args) => {
    const loaded = await packagesLoadedBy(args)
    expect(loaded).not.toContain('@oclif/core')
    expect(loaded).not.toContain('openid-client')
    expect(loaded).not.toContain('oidc-provider')
    // The login steps' renderer is for login only.
    expect(loaded).not.toContain('listr2')
  })

  it.each([[['--help']], [['login', '--help']], [['link', '--help']], [['logout', '--force']]])('latch %j never loads oidc-provider', async (args) => {
    const loaded = await packagesLoadedBy(args)
    expect(loaded).not.toContain('oidc-provider')
  })
})
