/**
 * Bad input on purpose: empty, huge, non-UTF-8 and control-character values in every flag, argument,
 * environment variable and stdin. Each ends in a one-line error with a hint and the documented exit
 * code; control characters from the input are never echoed raw (a terminal would act on them).
 */
import {afterAll, beforeAll, describe, it} from '@jest/globals'

import {makeSandbox, type Sandbox} from '../helpers/cli.js'
import {EXIT, expectCleanError, record, timedRun} from './record.js'

let sandbox: Sandbox
const CLOSED = 'http://127.0.0.1:9' // a port fetch refuses outright: nothing is ever sent
const ESC = '\u001B[2J\u0007'
const HUGE_ARG = 'a'.repeat(100 * 1024)
const NON_UTF8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28]).toString('latin1')

beforeAll(async () => {
  sandbox = await makeSandbox(CLOSED)
})
afterAll(async () => {
  await sandbox.cleanup()
})

type Case = [name: string, args: string[], env: Record<string, string>, exit: number, message: RegExp | string, input?: string]

const cases: Case[] = [
  ['login --issuer not a URL', ['login', '--issuer', 'not a url'], {}, EXIT.usage, 'Invalid server URL from --issuer: not an absolute URL'],
  ['login --issuer with control characters', ['login', '--issuer', `https://exa${ESC}mple.com`], {}, EXIT.usage, 'Invalid server URL from --issuer'],
  ['login --issuer plain http to another host', ['login', '--issuer', 'http://auth.example.com'], {}, EXIT.usage, 'Refusing plain http to auth.example.com (from --issuer)'],
  ['login --issuer file:', ['login', '--issuer', 'file:///etc/passwd'], {}, EXIT.usage, 'file: is not http(s)'],
  ['login --issuer with user:password', ['login', '--issuer', 'https://u:p@auth.example.com'], {}, EXIT.usage, 'must not contain credentials'],
  ['login --issuer 100 KB', ['login', '--issuer', HUGE_ARG], {}, EXIT.usage, 'Invalid server URL from --issuer'],
  ['LATCH_ISSUER plain http', ['login', '--no-browser'], {LATCH_ISSUER: 'http://10.0.0.1'}, EXIT.usage, 'Refusing plain http to 10.0.0.1 (from LATCH_ISSUER)'],
  ['LATCH_API_URL not a URL', ['whoami'], {LATCH_API_URL: 'nope', LATCH_TOKEN: 'x'}, EXIT.usage, 'Invalid server URL from LATCH_API_URL'],
  ['login --scopes empty', ['login', '--scopes', ''], {}, EXIT.usage, '--scopes is empty'],
  ['login --scopes with control characters', ['login', '--scopes', `inf${ESC}erence`], {}, EXIT.usage, 'Unknown scope: "inf\\u001b[2J\\u0007erence"'],
  ['login --scopes 100 KB', ['login', '--scopes', HUGE_ARG], {}, EXIT.usage, /^Error: Unknown scope: "a{40}…"$/],
  ['login --scopes non-UTF-8', ['login', '--scopes', NON_UTF8], {}, EXIT.usage, 'Unknown scope'],
  ['unknown flag with control characters', ['whoami', `--x${ESC}`], {}, EXIT.usage, 'Nonexistent flag: --x\\u001b[2J\\u0007'],
  ['link with control characters', ['link', `sk_proj_${ESC}`], {LATCH_TOKEN: `sk_pat_${'a'.repeat(64)}`}, EXIT.usage, 'Invalid project access key'],
  ['LATCH_TOKEN with control characters', ['whoami'], {LATCH_TOKEN: `abc${ESC}def`}, EXIT.usage, 'LATCH_TOKEN contains spaces, control characters or non-ASCII characters'],
  ['LATCH_TOKEN non-UTF-8', ['token'], {LATCH_TOKEN: NON_UTF8}, EXIT.usage, 'LATCH_TOKEN contains'],
  ['LATCH_ACCESS_KEY with a newline', ['link'], {LATCH_ACCESS_KEY: 'sk_proj_a\nX-Evil: 1', LATCH_TOKEN: 'x'}, EXIT.usage, 'LATCH_ACCESS_KEY contains'],
  ['--profile with control characters', ['whoami', '--profile', `a${ESC}`], {}, EXIT.usage, 'Invalid profile name from --profile: "a\\u001b[2J\\u0007"'],
  ['LATCH_PROFILE 100 KB', ['token'], {LATCH_PROFILE: HUGE_ARG}, EXIT.usage, /^Error: Invalid profile name from LATCH_PROFILE: "a{80}"$/],
  ['LATCH_PROFILE non-UTF-8', ['token'], {LATCH_PROFILE: NON_UTF8}, EXIT.usage, 'Invalid profile name from LATCH_PROFILE'],
  ['switch to a path', ['switch', '../../etc/passwd'], {}, EXIT.usage, 'Invalid profile name from the argument: "../../etc/passwd"'],
  ['LATCH_HTTP_TIMEOUT not a number', ['whoami'], {LATCH_HTTP_TIMEOUT: `1${ESC}`}, EXIT.usage, 'LATCH_HTTP_TIMEOUT must be a number of seconds'],
  ['LATCH_HTTP_TIMEOUT negative', ['whoami'], {LATCH_HTTP_TIMEOUT: '-1'}, EXIT.usage, 'LATCH_HTTP_TIMEOUT must be a number of seconds'],
  ['LATCH_STDIN_TIMEOUT huge', ['login', '--token'], {LATCH_STDIN_TIMEOUT: '1e300'}, EXIT.usage, 'LATCH_STDIN_TIMEOUT must be a number of seconds'],
  ['empty LATCH_TOKEN counts as unset', ['whoami'], {LATCH_TOKEN: ''}, EXIT.notAuthenticated, 'You are not authenticated'],
  ['empty LATCH_ISSUER counts as unset', ['token'], {LATCH_ISSUER: '', LATCH_TOKEN: ' '}, EXIT.notAuthenticated, 'You are not authenticated'],
  ['stdin empty', ['login', '--token'], {}, EXIT.usage, 'No personal access token was given', ''],
  ['stdin 1 MB', ['login', '--token'], {}, EXIT.usage, 'The personal access token on stdin is longer than 64 KiB', 'a'.repeat(1024 * 1024)],
  ['stdin non-UTF-8 and escapes', ['login', '--token'], {}, EXIT.usage, 'Invalid personal access token: it does not start with sk_pat_', `\u00ff\u00fe${ESC}sk_pat_`],
  ['stdin PAT with upper-case hex', ['login', '--token'], {}, EXIT.usage, 'it has upper-case letters', `sk_pat_${'A'.repeat(64)}`],
  ['stdin PAT with a control character inside', ['login', '--token'], {}, EXIT.usage, 'Invalid personal access token', `sk_pat_${'a'.repeat(32)}\u0000${'a'.repeat(31)}`],
  ['link with a 100 KB key', ['link', `sk_proj_${HUGE_ARG}`], {LATCH_TOKEN: `sk_pat_${'a'.repeat(64)}`}, EXIT.usage, 'Invalid project access key: it must have 32 to 256 letters'],
  ['an argument a command does not take', ['logout', `x${ESC}`], {}, EXIT.usage, 'Unexpected argument for `latch logout`: x\\u001b[2J\\u0007'],
  ['an unknown command', ['frobnicate'], {}, EXIT.usage, 'Unknown command: frobnicate'],
  ['mutually exclusive flags', ['login', '--token', '--scopes', 'inference'], {}, EXIT.usage, '--token=true cannot also be provided when using --scopes'],
  ['stdin key 1 MB for link', ['link'], {LATCH_TOKEN: `sk_pat_${'a'.repeat(64)}`}, EXIT.usage, 'The project access key on stdin is longer than 64 KiB', 'a'.repeat(1024 * 1024)],
]

describe('bad input', () => {
  for (const [name, args, env, exit, message, input] of cases) {
    it(name, async () => {
      const result = await timedRun(args, {env: sandbox.env(env), input})
      expectCleanError(result, exit, message)
      record('bad input', name, result.ms)
    })
  }
})
