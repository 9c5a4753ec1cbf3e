#!/usr/bin/env node
// latch's own entry point. `--version`, `token`, `whoami` and the root help to a pipe are answered without
// loading oclif, whose import alone takes longer than Node's own start (docs/performance.md); everything else goes through
// oclif as usual, and so does a host CLI that mounts latch's commands as a plugin (it never runs this file).

// Node's builtins through process.getBuiltinModule (Node 20.16+, 22.3+) where there is one: an ES
// import of a builtin builds a facade of all its exports, about 6 ms of CPU for these on every start.
const builtin = async (name) => process.getBuiltinModule?.(name) ?? (await import(name)).default
const {existsSync, fstatSync, lstatSync, mkdirSync, readFileSync, statSync, writeSync} = await builtin('node:fs')
const module = await builtin('node:module')
const {homedir, release} = await builtin('node:os')
const {dirname, isAbsolute, join} = await builtin('node:path')
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
    printOut(`${userAgent()}\n`)
    return
  }

  const help = isRootHelp(argv) && savedRootHelp()
  if (help) {
    printOut(help)
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

/** oclif's config.userAgent (its `--version` line), or "wsl" for the platform on WSL, which mayBeWsl() rules out first. */
function userAgent() {
  const arch = process.arch === 'ia32' ? 'x86' : process.arch
  return `${pjson.name}/${pjson.version} ${process.platform}-${arch} node-${process.version}`
}

/**
 * Straight to fd 1: creating process.stdout for a pipe takes longer than the rest of `--version`.
 * What a full pipe (EAGAIN) or an error leaves unwritten goes through process.stdout.
 */
function printOut(text) {
  const bytes = Buffer.from(text)
  let written = 0
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written)
  } catch {
    process.stdout.write(bytes.subarray(written))
  }
}

/** The argument lists oclif answers with the root help. */
function isRootHelp(args) {
  return args.length === 0 || (args.length === 1 && ['--help', 'help', ...(pjson.oclif.additionalHelpFlags ?? [])].includes(args[0]))
}

/**
 * The root help that `npm run build` rendered with oclif's Help class (scripts/root-help.js), when it is
 * what oclif would print now; else undefined, and oclif renders it. oclif prints that text (80 columns,
 * no colour) when stdout is not a terminal and none of FORCE_COLOR (colour on a pipe), OCLIF_COLUMNS
 * (the width), DEBUG or LATCH_DEBUG (oclif's trace and warnings) is set. It lists the commands of the
 * plugins as installed, and of any user plugins named in its data dir's package.json (latch has no
 * `plugins install`, but oclif reads that file): a plugin version other than the build's, such a file,
 * or anything unexpected means oclif. A character device on fd 1 may be a terminal (telling it from
 * /dev/null would load node:tty): oclif too.
 */
function savedRootHelp() {
  if (process.platform === 'win32' || mayBeWsl()) return
  if (['DEBUG', 'FORCE_COLOR', 'LATCH_DEBUG', 'OCLIF_COLUMNS'].some((name) => name in process.env)) return
  try {
    if (fstatSync(1).isCharacterDevice()) return
    const saved = JSON.parse(readFileSync(new URL('../dist/fast/root-help.json', import.meta.url), 'utf8'))
    const {description, name, oclif, version} = pjson
    if (saved.pjson !== JSON.stringify({description, name, oclif, version})) return
    if (saved.manifestSize !== statSync(new URL('../oclif.manifest.json', import.meta.url)).size) return
    if (!saved.plugins.every((plugin) => installedVersion(plugin.name) === plugin.version)) return
    // oclif reads user plugins from $LATCH_DATA_DIR/package.json (else $XDG_DATA_HOME/latch, ~/.local/share/latch).
    const scoped = process.env[`${pjson.oclif.bin.replaceAll('@', '').replaceAll(/[/-]/g, '_').toUpperCase()}_DATA_DIR`]
    const data = scoped || join(process.env.XDG_DATA_HOME || join(process.env.HOME || homedir(), '.local/share'), pjson.oclif.dirname)
    if (!missing(join(data, 'package.json'))) return
    // Longer than this, the VERSION line would wrap in 80 columns.
    if (userAgent().length > 70) return
    return saved.text.replace('<%= userAgent %>', userAgent())
  } catch {}
}

/** The version of package `name` as Node would resolve it from latch's root, or undefined. */
function installedVersion(name) {
  for (let dir = fileURLToPath(new URL('..', import.meta.url)); ; dir = dirname(dir)) {
    const path = join(dir, 'node_modules', name, 'package.json')
    if (!missing(path)) return JSON.parse(readFileSync(path, 'utf8')).version
    if (dirname(dir) === dir) return
  }
}

/** Whether nothing is at `path` (ENOENT); false when something is, or when it cannot be told. */
function missing(path) {
  try {
    statSync(path)
    return false
  } catch (error) {
    return error.code === 'ENOENT'
  }
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
