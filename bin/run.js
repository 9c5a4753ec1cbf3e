#!/usr/bin/env node
// latch's own entry point. `--version`, `token` and `whoami` are answered without loading oclif, whose
// import alone takes longer than Node's own start (docs/performance.md); everything else goes through
// oclif as usual, and so does a host CLI that mounts latch's commands as a plugin (it never runs this file).
import {existsSync, readFileSync} from 'node:fs'
import module from 'node:module'
import {release} from 'node:os'
import {fileURLToPath} from 'node:url'

// Node 22.1+ keeps the compiled code of every module between runs; Node 20 has no such cache.
module.enableCompileCache?.()

const argv = process.argv.slice(2)
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

// oclif's debug output (DEBUG=*) prints the whole command line; a key given as an argument
// (`latch link sk_proj_...`) must not land in a debug log, so oclif's namespaces are muted for that run.
if (process.env.DEBUG && argv.some((arg) => /\bsk_[a-z]+_/.test(arg))) {
  process.env.DEBUG += ',-oclif:*'
  process.stderr.write('Note: oclif debug output is off for this run because the command line holds a key.\n')
}

async function main() {
  if (argv[0] === '--version' && !mayBeWsl()) {
    // oclif's `--version` prints its config.userAgent: this, or "wsl" for the platform on WSL.
    const arch = process.arch === 'ia32' ? 'x86' : process.arch
    process.stdout.write(`${pjson.name}/${pjson.version} ${process.platform}-${arch} node-${process.version}\n`)
    return
  }

  // The commands src/fast-path.ts may answer; it declines any other argv (flags, args, --help).
  if (argv[0] === 'token' || argv[0] === 'whoami') {
    const {runFast} = await import('../dist/bundle/fast-path.js')
    if (await runFast(argv, pjson.oclif.bin, pjson.version)) return
  }

  // oclif and the commands, bundled (scripts/bundle.js): oclif takes the commands from the bundle's
  // COMMANDS instead of importing dist/commands, so that one copy of oclif runs them.
  const {flush, handle, run, settings} = await import('../dist/bundle/cli.js')
  // Compiled code only, even when NODE_ENV is test or development (bin/dev.js is for the TypeScript source).
  settings.enableAutoTranspile = false
  const root = fileURLToPath(new URL('..', import.meta.url))
  const commands = {identifier: 'COMMANDS', strategy: 'explicit', target: './dist/bundle/commands.js'}
  // What oclif's execute() does, except for an unknown command (see src/unknown-command.ts).
  try {
    await run(argv, {pjson: {...pjson, oclif: {...pjson.oclif, commands}}, root})
    await flush()
  } catch (error) {
    const words = argv.slice(0, argv.findIndex((arg) => arg.startsWith('-')) >>> 0)
    if (error?.oclif?.exit === 127) await unknownCommandExit(words)
    // plugin-help's "Command logni not found." for `latch help logni`: the same error and hint.
    else if (words[0] === 'help' && /^Command \S+ not found\.$/.test(error?.message)) await unknownCommandExit(words.slice(1))
    else await handle(error)
  }
}

/** plugin-not-found's exit 127 becomes latch's usage error: one line, a hint with the closest command, exit 2. */
async function unknownCommandExit(words) {
  const {unknownCommand} = await import('../dist/unknown-command.js')
  const {describeError, errorLines} = await import('../dist/ui/error-report.js')
  const manifest = JSON.parse(readFileSync(new URL('../oclif.manifest.json', import.meta.url), 'utf8'))
  const described = describeError(unknownCommand(words, Object.keys(manifest.commands), pjson.oclif.bin), pjson.oclif.bin)
  process.stderr.write(errorLines(described, undefined))
  process.exitCode = described.exit
}

/** Any sign of WSL, where oclif names the platform "wsl" after more checks: it then answers itself. */
function mayBeWsl() {
  if (process.platform !== 'linux') return false
  if (/microsoft/i.test(release())) return true
  try {
    if (/microsoft/i.test(readFileSync('/proc/version', 'utf8'))) return true
  } catch {}

  return existsSync('/proc/sys/fs/binfmt_misc/WSLInterop') || existsSync('/run/WSL')
}

await main()
