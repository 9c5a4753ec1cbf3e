/**
 * bin/run.js answers `token` and `whoami` without oclif (src/fast-path.ts). These runs prove that it
 * says exactly what the oclif commands say, as a host CLI mounting them would run them: same stdout,
 * same stderr, same exit code, with and without --json, on success and on each kind of failure.
 * It also prints the root help rendered at build time (scripts/root-help.js) where oclif would print
 * that text: the same checks, to a pipe, and on a terminal and wherever else oclif renders it itself.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawn} from 'node:child_process'
import {cp, mkdir, readdir, readFile, symlink, writeFile} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {BIN, type CliResult, makeSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {type RunningEmulator, startEmulator} from '../helpers/emulator.js'
import {commandExists, describeWithTools, Terminal} from '../helpers/tmux.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

let emulator: RunningEmulator
let signedIn: Sandbox
let empty: Sandbox

beforeAll(async () => {
  emulator = await startEmulator()
  signedIn = await makeSandbox(emulator.issuer)
  empty = await makeSandbox(emulator.issuer)
  const {token} = await emulator.createPat({name: 'fast-path', scopes: ['inference', 'account.read']})
  expect((await runCli(['login', '--token'], {env: signedIn.env(), input: `${token}\n`})).code).toBe(0)
})
afterAll(async () => {
  await signedIn?.cleanup()
  await empty?.cleanup()
  await emulator?.stop()
})

/** node's arguments to run `args` through oclif's own loading (the node_modules @oclif/core and dist/commands) from `bin`. */
function oclifCommand(args: string[], bin = BIN): string[] {
  const oclif = pathToFileURL(createRequire(import.meta.url).resolve('@oclif/core')).href
  const script = `import {execute} from ${JSON.stringify(oclif)}\nawait execute({args: ${JSON.stringify(args)}, dir: ${JSON.stringify(pathToFileURL(bin).href)}})\n`
  return ['--input-type=module', '-e', script]
}

/** The same command through oclif's own loading (the node_modules @oclif/core and dist/commands). */
function runThroughOclif(args: string[], env: Record<string, string>, bin = BIN): Promise<CliResult> {
  const child = spawn(process.execPath, oclifCommand(args, bin), {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({code, signal, stderr, stdout})))
}

/** The relative expiry ("in 59 minutes") may tick between two runs. */
const steady = (text: string) => text.replaceAll(/\(in \d+ \w+\)/g, '(in …)')

const scenarios: Array<[string, () => Record<string, string>]> = [
  ['a stored personal access token', () => signedIn.env()],
  ['no credentials (exit 4)', () => empty.env()],
  ['a LATCH_TOKEN the server rejects (exit 5)', () => signedIn.env({LATCH_TOKEN: `sk_pat_${'0'.repeat(64)}`})],
  ['an unreachable server (exit 3)', () => signedIn.env({LATCH_API_URL: 'http://127.0.0.1:1', LATCH_ISSUER: 'http://127.0.0.1:1'})],
  ['a bad setting (exit 2)', () => signedIn.env({LATCH_HTTP_TIMEOUT: 'soon'})],
]

describe('the fast path', () => {
  describe.each(scenarios)('with %s', (_name, env) => {
    it.each([[['token']], [['token', '--json']], [['whoami']], [['whoami', '--json']]])('latch %j says what oclif says', async (args) => {
      const [fast, oclif] = await Promise.all([runCli(args, {env: env()}), runThroughOclif(args, env())])
      expect({code: fast.code, stderr: steady(fast.stderr), stdout: steady(fast.stdout)}).toEqual({
        code: oclif.code,
        stderr: steady(oclif.stderr),
        stdout: steady(oclif.stdout),
      })
    })
  })
})

/** The argument lists oclif answers with the root help, which bin/run.js prints as rendered at build time (scripts/root-help.js). */
const ROOT_HELP: string[][] = [[], ['--help'], ['-h'], ['help']]

/** `latch ...args` through bin/run.js and through oclif, with the same environment: the same code, stdout and stderr. */
async function expectSameAsOclif(args: string[], env: Record<string, string>): Promise<CliResult> {
  const [latch, oclif] = await Promise.all([runCli(args, {env}), runThroughOclif(args, env)])
  expect({code: latch.code, stderr: latch.stderr, stdout: latch.stdout}).toEqual({code: oclif.code, stderr: oclif.stderr, stdout: oclif.stdout})
  return latch
}

describe('the root help', () => {
  it.each(ROOT_HELP.map((args) => [args]))('latch %j to a pipe says what oclif says', async (args) => {
    const help = await expectSameAsOclif(args, empty.env())
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^VERSION\n {2}latch\/\S+ \S+ node-v\d/m)
    expect(help.stdout).toMatch(/^COMMANDS\n/m)
    expect(help.stdout).not.toContain('<%')
  })

  it('with FORCE_COLOR (colour on a pipe) or OCLIF_COLUMNS (another width), as oclif renders it', async () => {
    const coloured = await expectSameAsOclif(['--help'], empty.env({FORCE_COLOR: '1'}))
    expect(coloured.stdout).toContain('\u001B[1mCOMMANDS\u001B[22m')
    const wide = await expectSameAsOclif(['--help'], empty.env({OCLIF_COLUMNS: '150'}))
    expect(wide.stdout).toMatch(/^ {2}emulator +Run a local authorization server and platform API to sign in against\.$/m)
  })

  it('with a user plugin in the data dir, its commands are listed as oclif lists them', async () => {
    const data = join(empty.home, 'data')
    const plugin = join(data, 'node_modules', 'latch-plugin-hello')
    await mkdir(plugin, {recursive: true})
    await writeFile(join(data, 'package.json'), JSON.stringify({oclif: {plugins: [{name: 'latch-plugin-hello', type: 'user'}]}, private: true}))
    await writeFile(join(plugin, 'package.json'), JSON.stringify({name: 'latch-plugin-hello', oclif: {commands: './commands'}, version: '1.0.0'}))
    const hello = {aliases: [], args: {}, flags: {}, hidden: false, id: 'hello', pluginName: 'latch-plugin-hello', pluginType: 'user', summary: 'Say hello from a user plugin.'}
    await writeFile(join(plugin, 'oclif.manifest.json'), JSON.stringify({commands: {hello}, version: '1.0.0'}))
    const help = await expectSameAsOclif(['--help'], empty.env({LATCH_DATA_DIR: data}))
    expect(help.stdout).toMatch(/^ {2}hello +Say hello from a user plugin\.$/m)
  })

  it('with a plugin updated after the build, its new summary is listed', async () => {
    // A copy of latch's root whose @oclif/plugin-help is a newer version (with another summary for `help`).
    const copy = join(empty.home, 'root')
    await mkdir(join(copy, 'node_modules', '@oclif'), {recursive: true})
    for (const entry of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) await cp(join(ROOT, entry), join(copy, entry), {recursive: true})
    for (const entry of await readdir(join(ROOT, 'node_modules'))) {
      if (entry !== '@oclif') await symlink(join(ROOT, 'node_modules', entry), join(copy, 'node_modules', entry))
    }

    for (const entry of await readdir(join(ROOT, 'node_modules', '@oclif'))) {
      if (entry !== 'plugin-help') await symlink(join(ROOT, 'node_modules', '@oclif', entry), join(copy, 'node_modules', '@oclif', entry))
    }

    const plugin = join(copy, 'node_modules', '@oclif', 'plugin-help')
    await cp(join(ROOT, 'node_modules', '@oclif', 'plugin-help'), plugin, {recursive: true})
    const pjson = JSON.parse(await readFile(join(plugin, 'package.json'), 'utf8'))
    const manifest = JSON.parse(await readFile(join(plugin, 'oclif.manifest.json'), 'utf8'))
    pjson.version = manifest.version = '99.0.0'
    manifest.commands.help.summary = 'Display help for <%= config.bin %>, from a newer plugin.'
    await writeFile(join(plugin, 'package.json'), JSON.stringify(pjson))
    await writeFile(join(plugin, 'oclif.manifest.json'), JSON.stringify(manifest))

    const bin = join(copy, 'bin', 'run.js')
    const [latch, oclif] = await Promise.all([runCopy(bin, ['--help'], empty.env()), runThroughOclif(['--help'], empty.env(), bin)])
    expect(latch).toEqual(oclif)
    expect(latch.stdout).toMatch(/^ {2}help +Display help for latch, from a newer plugin\.$/m)
  })

  describeWithTools({tmux: commandExists('tmux')}, 'on a terminal', () => {
    // The fast path writes notes straight to fd 2 only when it is no terminal (src/ui/direct-write.ts): on one,
    // through process.stderr, wrapped at spaces to its width.
    it("latch token's note on a 24-column terminal is wrapped at a space", async () => {
      const env = empty.env({LATCH_TOKEN: `sk_pat_${'c'.repeat(64)}`})
      const terminal = await Terminal.start({args: ['token'], env, width: 24})
      try {
        expect(await terminal.exitCode()).toBe(0)
        expect(await terminal.capture()).toMatch(/^Using the token from *\nLATCH_TOKEN\. *\n/m)
      } finally {
        await terminal.stop()
      }
    })

    it.each([[['--help'], 100], [['help'], 60]])('latch %j in %d columns looks as oclif draws it, colours included', async (args, width) => {
      const env = empty.env({CI: undefined, FORCE_COLOR: undefined, NO_COLOR: undefined})
      const terminals = await Promise.all([
        Terminal.start({args, env, width}),
        Terminal.start({args: oclifCommand(args), command: [process.execPath], env, width}),
      ])
      try {
        const screens = []
        for (const terminal of terminals) {
          expect(await terminal.exitCode()).toBe(0)
          screens.push(await terminal.capture({colors: true}))
        }

        expect(screens[0]).toBe(screens[1])
        // Drawn for the terminal: bold section headers, and summaries wrapped to its width (not to a pipe's 80).
        expect(screens[0]).toContain('\u001B[1mCOMMANDS')
        const oneLine = /^ {2}emulator +Run a local authorization server and platform API to sign in against\.$/m
        expect(oneLine.test(screens[0].replaceAll(/\u001B\[[\d;]*m/g, ''))).toBe(width >= 100)
      } finally {
        await Promise.all(terminals.map((terminal) => terminal.stop()))
      }
    })
  })
})

/** bin/run.js of a copy of latch's root. */
function runCopy(bin: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, [bin, ...args], {env, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({code, signal, stderr, stdout})))
}
