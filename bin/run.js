#!/usr/bin/env node
// latch's own entry point. `--version`, `token` and `whoami` are answered without loading oclif, whose
// import alone takes longer than Node's own start (docs/performance.md); everything else goes through
// oclif as usual, and so does a host CLI that mounts latch's commands as a plugin (it never runs this file).

// Node's builtins through process.getBuiltinModule (Node 20.16+, 22.3+) where there is one: an ES
// import of a builtin builds a facade of all its exports, about 6 ms of CPU for these on every start.
const builtin = async (name) => process.getBuiltinModule?.(name) ?? (await import(name)).default
const {existsSync, lstatSync, mkdirSync, readFileSync, writeSync} = await builtin('node:fs')
const module = await builtin('node:module')
const {homedir, release} = await builtin('node:os')
const {isAbsolute, join} = await builtin('node:path')
const {fileURLToPath} = await builtin('node:url')

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
    // Straight to fd 1: creating process.stdout for a pipe takes longer than the rest of --version.
    const line = `${pjson.name}/${pjson.version} ${process.platform}-${arch} node-${process.version}\n`
    try {
      writeSync(1, line)
    } catch {
      process.stdout.write(line)
    }

    return
  }

  useCompileCache()

  // The commands src/fast-path.ts may answer; it declines any other argv (flags, args, --help).
  if (argv[0] === 'token' || argv[0] === 'whoami') {
    const {runFast} = await import('../dist/fast/fast-path.js')
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
    // oclif's own "command logni not found" (no plugin answers command_not_found in latch's own CLI).
    if (/^command \S+ not found$/.test(error?.message)) await unknownCommandExit(words)
    // plugin-help's "Command logni not found." for `latch help logni`: the same error and hint.
    else if (words[0] === 'help' && /^Command \S+ not found\.$/.test(error?.message)) await unknownCommandExit(words.slice(1))
    else await handle(error)
  }
}

/** An unknown command is latch's usage error: one line, a hint with the closest command, exit 2. */
async function unknownCommandExit(words) {
  const {unknownCommand} = await import('../dist/unknown-command.js')
  const {describeError, errorLines} = await import('../dist/ui/error-report.js')
  const manifest = JSON.parse(readFileSync(new URL('../oclif.manifest.json', import.meta.url), 'utf8'))
  const described = describeError(unknownCommand(words, Object.keys(manifest.commands), pjson.oclif.bin), pjson.oclif.bin)
  process.stderr.write(errorLines(described, undefined))
  process.exitCode = described.exit
}

/**
 * Node 22.1+ keeps the compiled code of every module between runs (Node 20 has no such cache). Node's
 * default place is a directory in the shared, world-writable temp dir, where another user could plant
 * code caches; latch keeps its own in the user's cache directory ($XDG_CACHE_HOME or ~/.cache, then
 * latch/compile-cache), made 0700, and uses it only when it is a real directory owned by this user
 * that nobody else can write. Any failure just means no cache: a command never fails over it.
 * NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE keep their meaning (Node reads them first).
 */
function useCompileCache() {
  if (!module.enableCompileCache || process.env.NODE_DISABLE_COMPILE_CACHE) return
  try {
    const xdg = process.env.XDG_CACHE_HOME
    const dir = join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), pjson.oclif.dirname, 'compile-cache')
    mkdirSync(dir, {mode: 0o700, recursive: true})
    const stats = lstatSync(dir)
    const mine = process.getuid === undefined || stats.uid === process.getuid()
    if (stats.isDirectory() && mine && (stats.mode & 0o022) === 0) module.enableCompileCache(dir)
  } catch {}
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
