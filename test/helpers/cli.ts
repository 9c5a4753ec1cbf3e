/**
 * Runs the real CLI (`bin/run.js`, compiled dist) as a child process in a throwaway HOME, the way a
 * user or a pipeline would.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliResult {
  code: null | number
  signal: NodeJS.Signals | null
  stderr: string
  stdout: string
}

export interface Sandbox {
  cleanup(): Promise<void>
  configDir: string
  credentialsPath: string
  /** A clean environment for the CLI: no LATCH_* or proxy variables from the outer shell, HOME and config dir inside the sandbox. */
  env(extra?: Record<string, string | undefined>): Record<string, string>
  home: string
}

/** The outer shell's proxy settings must not route the tests' requests: a test that wants a proxy sets its own. */
const PROXY_VARIABLE = /^(https?|no|all)_proxy$/i

export async function makeSandbox(issuer?: string): Promise<Sandbox> {
  const home = await mkdtemp(join(tmpdir(), 'latch-test-'))
  const configDir = join(home, '.config', 'latch')
  return {
    cleanup: () => rm(home, {force: true, recursive: true}),
    configDir,
    credentialsPath: join(configDir, 'credentials.json'),
    env(extra = {}) {
      const base: Record<string, string> = {}
      for (const [key, value] of Object.entries(process.env)) {
        if (value !== undefined && !key.startsWith('LATCH_') && !key.startsWith('SSH_') && key !== 'DISPLAY' && key !== 'XDG_CONFIG_HOME' && !PROXY_VARIABLE.test(key)) base[key] = value
      }

      const merged: Record<string, string | undefined> = {...base, HOME: home, LATCH_CONFIG_DIR: configDir, ...(issuer ? {LATCH_ISSUER: issuer} : {}), ...extra}
      return Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined))
    },
    home,
  }
}

export interface RunOptions {
  /** The CLI's entry script: latch's bin/run.js unless given (a host CLI's, test/helpers/host-cli.ts). */
  bin?: string
  /** The working directory (where a pin file is looked for); the test's own by default. */
  cwd?: string
  env: Record<string, string>
  /** Written to stdin, which is then closed; without it stdin is closed at once. */
  input?: string
  timeoutMs?: number
  /**
   * Run as this unprivileged uid (and gid) through setpriv, for what root would not feel (chmod 000,
   * read-only directories). The files it must reach have to be prepared for that user.
   */
  uid?: number
}

/** `nobody`: the unprivileged user tests run the CLI as when they themselves run as root. */
export const NOBODY = 65_534

export function runCli(args: string[], options: RunOptions): Promise<CliResult> {
  const child = startCli(args, options)
  if (options.input !== undefined) child.process.stdin?.end(options.input)
  else child.process.stdin?.end()
  return child.done
}

export interface RunningCli {
  done: Promise<CliResult>
  output(): {stderr: string; stdout: string}
  process: ChildProcess
  /** Resolves with the first match of `pattern` in stderr (or stdout), rejecting if the process ends first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>
}

export function startCli(args: string[], options: RunOptions): RunningCli {
  const bin = options.bin ?? BIN
  const command = options.uid === undefined ? [process.execPath, bin] : ['setpriv', `--reuid=${options.uid}`, `--regid=${options.uid}`, '--clear-groups', process.execPath, bin]
  const child = spawn(command[0], [...command.slice(1), ...args], {cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  const listeners = new Set<() => void>()
  child.stdout!.on('data', (chunk) => {
    stdout += chunk
    for (const listener of listeners) listener()
  })
  child.stderr!.on('data', (chunk) => {
    stderr += chunk
    for (const listener of listeners) listener()
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
  let exited = false
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      exited = true
      for (const listener of listeners) listener()
      resolve({code, signal, stderr, stdout})
    })
  })
  return {
    done,
    output: () => ({stderr, stdout}),
    process: child,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = stderr.match(pattern) ?? stdout.match(pattern)
          if (match) {
            listeners.delete(check)
            resolve(match)
          } else if (exited) {
            listeners.delete(check)
            reject(new Error(`process ended before ${pattern}: stdout=${stdout} stderr=${stderr}`))
          }
        }

        listeners.add(check)
        check()
      })
    },
  }
}

export const DEVICE_CODE = /Your device code is: ([A-Z0-9-]+)/
