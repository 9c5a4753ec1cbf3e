/**
 * bin/run.js answers `token` and `whoami` without oclif (src/fast-path.ts). These runs prove that it
 * says exactly what the oclif commands say, as a host CLI mounting them would run them: same stdout,
 * same stderr, same exit code, with and without --json, on success and on each kind of failure.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {spawn} from 'node:child_process'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {BIN, type CliResult, makeSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {type RunningEmulator, startEmulator} from '../helpers/emulator.js'

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

/** The same command through oclif's own loading (the node_modules @oclif/core and dist/commands). */
function runThroughOclif(args: string[], env: Record<string, string>): Promise<CliResult> {
  const script = `import {execute} from '@oclif/core'\nawait execute({args: ${JSON.stringify(args)}, dir: ${JSON.stringify(pathToFileURL(BIN).href)}})\n`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
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
