/**
 * `latch token` and `latch whoami` without oclif, for latch's own bin/run.js: importing oclif alone
 * takes longer than Node takes to start, and these two are what scripts call in loops. The same
 * src/auth functions run, and the output, errors and exit codes are those of the oclif commands
 * (src/commands/token.ts, whoami.ts). Anything but the bare command, with or without --json, is
 * declined and goes through oclif, which parses and reports it. A host CLI that mounts these commands
 * as a plugin never comes here.
 */
import {join} from 'node:path'

import {printToken} from './auth/token.js'
import {whoami, whoamiExitCode} from './auth/whoami.js'
import {resolveConfigDir} from './config.js'
import {type Context, createContext} from './context.js'
import {nodeFs} from './node-fs.js'
import {closeTransport} from './transport.js'
import {writeDirect} from './ui/direct-write.js'
import {describeError, errorLines} from './ui/error-report.js'
import {terminalSafeJson} from './ui/terminal-text.js'
import {formatWhoami} from './ui/whoami-report.js'

/** A command's work, what it prints without --json, and its exit code when the report says something failed. */
type FastCommand = (context: Context, bin: string) => Promise<{exit?: number; report: object; text(): string}>

const COMMANDS: Record<string, FastCommand> = {
  async token(context) {
    const report = await printToken(context)
    return {report, text: () => report.token}
  },
  async whoami(context, bin) {
    const report = await whoami(context)
    return {exit: whoamiExitCode(report), report, text: () => formatWhoami(report, bin)}
  },
}

/**
 * Writes to fd 1 directly (src/ui/direct-write.ts): creating process.stdout for a pipe (what
 * `$(latch token)` reads from) loads the net and stream modules, about 5 ms on Node 24+.
 */
export function writeStdout(text: string): void {
  writeDirect(1, text, () => process.stdout)
}

/** Runs `argv` when it is a bare fast command; otherwise does nothing and returns false. */
export async function runFast(argv: string[], bin: string, version?: string): Promise<boolean> {
  const [id, ...rest] = argv
  const command = Object.hasOwn(COMMANDS, id) ? COMMANDS[id] : undefined
  const json = rest.length === 1 && rest[0] === '--json'
  if (!command || rest.length > (json ? 1 : 0)) return false
  // oclif colours --json output with the user's theme.json: that rare case is left to oclif.
  if (json && hasTheme(bin)) return false

  // Written the way oclif's Command.log and logJson write: one chunk, a newline, pretty JSON.
  const print = (text: string) => writeStdout(`${text}\n`)
  try {
    const {exit, report, text} = await command(await createContext({bin, notesToFd: true, version}), bin)
    print(json ? terminalSafeJson(JSON.stringify(report, null, 2)) : text())
    if (exit) process.exitCode = exit
  } catch (error) {
    const described = describeError(error, bin)
    if (json) print(terminalSafeJson(JSON.stringify({error: described}, null, 2)))
    process.stderr.write(errorLines(described, error))
    process.exitCode = described.exit
  } finally {
    await closeTransport()
  }

  return true
}

/** Whether the config directory holds a theme.json; a config directory setting latch refuses is oclif's path to report. */
function hasTheme(bin: string): boolean {
  try {
    return nodeFs.existsSync(join(resolveConfigDir({bin, env: process.env}).value, 'theme.json'))
  } catch {
    return true
  }
}
