#!/usr/bin/env node
// Part of `npm run build`, after tsc and `oclif manifest`: bundles what latch's own bin/run.js loads
// (dist/ and @oclif/core with its dependencies) into dist/bundle/, and the fast path (`token`,
// `whoami` without oclif) into dist/fast/, so that a start reads a handful of
// files instead of ~190 small ones; measured in docs/performance.md. Dynamic imports stay separate
// chunks, loaded only when used, and the other dependencies (openid-client, oidc-provider, ...) stay
// in node_modules. The commands come from the manifest, so a new command needs nothing here.
// A host CLI that mounts latch's commands as a plugin never sees the bundle: it loads dist/commands.
import {readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {build, transform} from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))

// The entry oclif finds the commands in (the "explicit" command discovery, set up by bin/run.js).
const ids = Object.keys(manifest.commands).sort()
const entry = join(root, 'dist', 'bundle-commands.js')
const cliEntry = join(root, 'dist', 'bundle-cli.js')
writeFileSync(cliEntry, "export {flush, handle, run, settings} from '@oclif/core'\n")
writeFileSync(
  entry,
  [
    ...ids.map((id, index) => `import command${index} from './${manifest.commands[id].relativePath.slice(1).join('/')}'`),
    `export const COMMANDS = {${ids.map((id, index) => `${JSON.stringify(id)}: command${index}`).join(', ')}}`,
    '',
  ].join('\n'),
)

const outdir = join(root, 'dist', 'bundle')
rmSync(outdir, {force: true, recursive: true})
/**
 * oclif asks wsl-utils on every start whether this is WSL, which loads it and five small packages
 * (child_process, is-wsl, is-inside-container, is-docker, powershell-utils): ~5 ms on Node 24+. In the
 * bundle, that import answers "no" at once where no sign of WSL exists (the kernel release and
 * /proc/version name Microsoft on WSL, the same test is-wsl makes first), and loads the real
 * wsl-utils otherwise.
 */
const wslUtilsOnlyOnWsl = {
  name: 'wsl-utils-only-on-wsl',
  setup(build) {
    build.onResolve({filter: /^wsl-utils$/}, (args) => (args.pluginData?.real ? undefined : {namespace: 'wsl-utils-gate', path: 'wsl-utils'}))
    build.onLoad({filter: /.*/, namespace: 'wsl-utils-gate'}, () => ({
      contents: [
        // Builtins without an ES import (whose facade of node:fs would load fs.promises and streams).
        "const builtin = async (name) => process.getBuiltinModule?.(name) ?? (await import(name)).default",
        "const {readFileSync} = await builtin('node:fs')",
        "const {release} = await builtin('node:os')",
        'const read = (path) => { try { return readFileSync(path, "utf8") } catch { return "" } }',
        "const maybe = process.platform === 'linux' && (/microsoft/i.test(release()) || /microsoft/i.test(read('/proc/version')))",
        "const real = maybe ? await import('wsl-utils') : undefined",
        'export const isWsl = real ? real.isWsl : false',
        "export const powerShellPath = async (...args) => (await import('wsl-utils')).powerShellPath(...args)",
      ].join('\n'),
      loader: 'js',
      pluginData: {real: true},
      resolveDir: root,
    }))
  },
}

/**
 * oclif's plugin loader requires minimatch to match `oclif.plugins` against the dependencies, and its
 * plugin class requires tinyglobby to find command files: on every start through oclif, ~6 ms of CPU on
 * Node 26 to load them and compile minimatch's patterns, though latch's plugin names are plain names and
 * its commands come from a manifest. In the bundle, minimatch compares a pattern without glob characters
 * as the plain string it is (minimatch's own answer) and loads itself only for a real glob; tinyglobby
 * loads on first use.
 */
const globsOnlyWhenUsed = {
  name: 'globs-only-when-used',
  setup(build) {
    build.onResolve({filter: /^(minimatch|tinyglobby)$/}, (args) => (args.pluginData?.real ? undefined : {namespace: 'lazy-glob', path: args.path}))
    build.onLoad({filter: /^minimatch$/, namespace: 'lazy-glob'}, () => ({
      contents: [
        'const glob = /[*?[\\]{}()!\\\\]/',
        "exports.minimatch = (path, pattern, options) => glob.test(pattern) || options ? require('minimatch').minimatch(path, pattern, options) : path === pattern",
      ].join('\n'),
      loader: 'js',
      pluginData: {real: true},
      resolveDir: root,
    }))
    build.onLoad({filter: /^tinyglobby$/, namespace: 'lazy-glob'}, () => ({
      contents: "exports.glob = (...args) => require('tinyglobby').glob(...args)",
      loader: 'js',
      pluginData: {real: true},
      resolveDir: root,
    }))
  },
}

/**
 * oclif's help passes every summary, description, flag and example through ejs (for `<%= config.bin %>`),
 * which compiles each string into a function, templates or not: ~4 ms of CPU of `latch --help` on Node 26.
 * In the bundle, a string without `<%` is returned as it is (ejs's own output for it) without compiling.
 */
const helpTemplatesOnlyWithTags = {
  name: 'help-templates-only-with-tags',
  setup(build) {
    build.onLoad({filter: /[/\\]@oclif[/\\]core[/\\]lib[/\\]help[/\\]util\.js$/}, (args) => {
      const source = readFileSync(args.path, 'utf8')
      const render = 'return ejs_1.default.render(t, context);'
      if (!source.includes(render)) throw new Error(`${args.path} no longer renders help as scripts/bundle.js expects`)
      return {contents: source.replace(render, "return typeof t === 'string' && !t.includes('<%') ? t : ejs_1.default.render(t, context);"), loader: 'js'}
    })
  },
}

/**
 * Some of oclif's modules require, at load, something they use only now and then: child_process (a
 * Windows shell check), readline (reading flags from stdin), perf_hooks (OCLIF_PERFORMANCE), the spinner
 * with cli-spinners (ux.action on a terminal), lilconfig (a plugin without oclif settings in package.json) and fs/promises (with readline and streams behind it; its
 * JSON reads are synchronous in the bundle, below). Loading them (with dgram and the child-process
 * internals) costs every start through oclif ~5 ms of CPU on Node 26. In the bundle each is required on
 * first use instead.
 */
const LAZY_REQUIRES = ['lilconfig', 'node:child_process', 'node:fs/promises', 'node:readline', 'node:perf_hooks', './action/spinner']
const OCLIF_FILES_WITH_LAZY_REQUIRES = /[/\\]@oclif[/\\]core[/\\]lib[/\\](config[/\\]ts-path|util[/\\]fs|util[/\\]os|util[/\\]read-pjson|util[/\\]read-tsconfig|parser[/\\]parse|performance|ux[/\\]index)\.js$/

/**
 * oclif reads its JSON files (the manifest, each plugin's package.json and manifest, theme.json) with
 * fs.promises.readFile; in the bundle its readJson reads synchronously (still inside an async function,
 * so a missing file is still a rejected promise), so that fs.promises need not load.
 */
function readJsonSynchronously(path, source) {
  const asynchronous = "await (0, promises_1.readFile)(path, 'utf8')"
  if (!source.includes(asynchronous)) throw new Error(`${path} no longer reads JSON as scripts/bundle.js expects`)
  return source.replace(asynchronous, "(0, node_fs_1.readFileSync)(path, 'utf8')")
}

const oclifRequiresOnFirstUse = {
  name: 'oclif-requires-on-first-use',
  setup(build) {
    build.onLoad({filter: OCLIF_FILES_WITH_LAZY_REQUIRES}, (args) => {
      let source = readFileSync(args.path, 'utf8')
      if (/[/\\]util[/\\]fs\.js$/.test(args.path)) source = readJsonSynchronously(args.path, source)
      let replaced = 0
      for (const name of LAZY_REQUIRES) {
        const eager = new RegExp(`const (\\w+) = (__importDefault\\()?require\\("${name.replaceAll('.', '\\.')}"\\)\\)?;`).exec(source)
        if (!eager) continue
        const load = eager[2] ? `__importDefault(require("${name}"))` : `require("${name}")`
        source = source.replace(eager[0], `const ${eager[1]} = new Proxy({}, {get: (_target, key) => ${load}[key]});`)
        replaced++
      }

      if (replaced === 0) throw new Error(`${args.path} no longer requires a module as scripts/bundle.js expects`)
      return {contents: source, loader: 'js'}
    })
  },
}

/**
 * oclif's logger makes a `debug` logger per namespace; loading debug and making its first logger costs
 * every start through oclif a few ms on Node 26. Without DEBUG in the environment debug prints nothing
 * (oclif never enables it otherwise): in the bundle, oclif then gets loggers that do nothing, and the
 * real debug when DEBUG is set.
 */
const debugOnlyWithDebug = {
  name: 'debug-only-with-debug',
  setup(build) {
    build.onResolve({filter: /^debug$/}, (args) =>
      args.pluginData?.real || !args.importer.includes('@oclif/core') ? undefined : {namespace: 'debug-gate', path: 'debug'},
    )
    build.onLoad({filter: /.*/, namespace: 'debug-gate'}, () => ({
      contents: [
        'const off = () => Object.assign(() => {}, {enabled: false, extend: off})',
        "module.exports = process.env.DEBUG ? require('debug') : Object.assign(off, {enabled: () => false})",
      ].join('\n'),
      loader: 'js',
      pluginData: {real: true},
      resolveDir: root,
    }))
  },
}

/**
 * latch's code uses a few things from @oclif/core (Args, Command, Errors, Flags, ux; run, flush, handle
 * and settings for bin/run.js). Add a name here when latch's code imports a new one. oclif's index loads everything else too on every start (ux with its spinners, semver for
 * a Node version check, the parser and constraint namespaces, ...). In the bundle, `@oclif/core` is an
 * index of just those, from oclif's own exported subpaths.
 */
const oclifIndexOfWhatLatchUses = {
  name: 'oclif-index-of-what-latch-uses',
  setup(build) {
    build.onResolve({filter: /^@oclif\/core$/}, (args) => (args.pluginData?.real ? undefined : {namespace: 'oclif-index', path: '@oclif/core'}))
    build.onLoad({filter: /.*/, namespace: 'oclif-index'}, () => ({
      contents: [
        "export * as Args from '@oclif/core/args'",
        "export {Command} from '@oclif/core/command'",
        "export * as Errors from '@oclif/core/errors'",
        "export {execute} from '@oclif/core/execute'",
        "export * as Flags from '@oclif/core/flags'",
        "export {flush} from '@oclif/core/flush'",
        "export {handle} from '@oclif/core/handle'",
        "export {run} from '@oclif/core/run'",
        "export {settings} from '@oclif/core/settings'",
        "export {ux} from '@oclif/core/ux'",
      ].join('\n'),
      loader: 'js',
      pluginData: {real: true},
      resolveDir: root,
    }))
  },
}

/**
 * V8 compiles a function when it is first called, unless it is wrapped in parentheses (its hint for a
 * function that runs at once), and Node's compile cache (Node 22.1+) keeps what was compiled with a module's
 * top level: so each CommonJS module of oclif in the bundle, which runs exactly once when loaded, was compiled
 * from source on every start. Wrapped, their bodies come from the compile cache too (a median 2-3 ms of CPU of an
 * oclif start such as `latch login --help` on Node 24 and 26; ~3 ms more on Node 20, which has no cache).
 * esbuild's unminified output puts each module as `var require_x = __commonJS({\n  "path"(exports, module) {`
 * ... `\n  }\n});` (its body indented further); esbuild's minifier keeps the parentheses.
 */
async function compileModuleBodiesWithTheTopLevel(dir) {
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.js'))) {
    const path = join(dir, name)
    const source = readFileSync(path, 'utf8')
    let wrapped = 0
    const code = source.replaceAll(/(__commonJS\(\{\n {2}"[^"\n]+")(\([\w, ]*\) \{\n[\s\S]*?\n {2}\})(\n\}\);)/g, (_match, head, body, tail) => {
      wrapped++
      return `${head}: (function${body})${tail}`
    })
    if (wrapped !== source.split('__commonJS({').length - 1) throw new Error(`${path}: wrapped ${wrapped} CommonJS modules, not all; has esbuild's output changed?`)
    writeFileSync(path, (await transform(code, {minifyWhitespace: true})).code)
  }
}

/**
 * undici (src/transport.ts loads it only with a proxy variable or a CA file) is bundled on its own into
 * dist/undici.cjs, and both bundles import that file: one file instead of ~100 takes about 40% off its
 * import (~550 -> ~330 ms on a busy Node 20). CommonJS, so that its requires of Node's builtins work in
 * the fast path's bundle too, which has no `require`.
 */
const undiciAsOneFile = {
  name: 'undici-as-one-file',
  setup(build) {
    build.onResolve({filter: /^undici$/}, () => ({external: true, path: '../undici.cjs'}))
  },
}

/**
 * esbuild puts each module that both the fast path and one of its on-demand imports (refresh, the
 * API-key exchange, memberships, ...) use into a chunk of its own, one per combination of users: `latch
 * token` then read 12 files on every start (~1 ms each on Node 24+). This joins the chunks the entry
 * imports statically into the entry itself (esbuild again, one file, everything else external), and
 * points the on-demand files at the entry for them: the same one copy of each module, in one file.
 */
async function joinStaticChunks(dir, entryName) {
  const importsOf = (name) => [...readFileSync(join(dir, name), 'utf8').matchAll(/(?:from|import)\s*"\.\/(chunk-[\w-]+\.js)"/g)].map((match) => match[1])
  const joined = new Set()
  const pending = importsOf(entryName)
  while (pending.length > 0) {
    const name = pending.pop()
    if (joined.has(name)) continue
    joined.add(name)
    pending.push(...importsOf(name))
  }

  if (joined.size === 0) return
  // One name exported by two chunks would be ambiguous in the joined file's `export *`.
  const exported = new Map()
  for (const name of [entryName, ...joined]) {
    const list = /export\s*\{([^}]*)\}\s*;?\s*$/.exec(readFileSync(join(dir, name), 'utf8'))?.[1] ?? ''
    for (const item of list.split(',').map((part) => part.trim().split(/\s+as\s+/).pop()).filter(Boolean)) {
      if (exported.has(item)) throw new Error(`${dir}: ${item} is exported by ${exported.get(item)} and ${name}; cannot join them`)
      exported.set(item, name)
    }
  }

  const joinEntry = join(dir, 'joined-entry.js')
  writeFileSync(joinEntry, [entryName, ...joined].map((name) => `export * from './${name}'`).join('\n'))
  const keep = new Set([entryName, ...joined].map((name) => join(dir, name)))
  const {outputFiles} = await build({
    bundle: true,
    entryPoints: [joinEntry],
    format: 'esm',
    logLevel: 'warning',
    minifySyntax: true,
    minifyWhitespace: true,
    platform: 'node',
    plugins: [
      {
        name: 'only-the-joined-chunks',
        setup(build) {
          build.onResolve({filter: /.*/}, (args) => {
            if (args.kind === 'entry-point') return undefined
            const path = args.path.startsWith('.') ? join(args.resolveDir, args.path) : undefined
            if (path && keep.has(path) && args.kind !== 'dynamic-import') return {path}
            return {external: true, path: args.path}
          })
        },
      },
    ],
    target: 'node20',
    write: false,
  })
  rmSync(joinEntry)
  for (const name of joined) rmSync(join(dir, name))
  writeFileSync(join(dir, entryName), outputFiles[0].text)
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.js') && file !== entryName)) {
    const path = join(dir, name)
    const source = readFileSync(path, 'utf8')
    const pointed = source.replaceAll(/((?:from|import)\s*")\.\/(chunk-[\w-]+\.js)(")/g, (match, head, chunk, tail) =>
      joined.has(chunk) ? `${head}./${entryName}${tail}` : match,
    )
    if (pointed !== source) writeFileSync(path, pointed)
  }
}

const common = {
  // CommonJS inside an ES module bundle (oclif's dependencies) needs a real `require` for Node's builtins.
  banner: {js: "import {createRequire as __latchCreateRequire} from 'node:module';const require = __latchCreateRequire(import.meta.url);"},
  bundle: true,
  entryNames: '[name]',
  // oclif loads typescript and ts-node only in development; never bundle them. chalk (a few kB, used by
  // the login screen) is bundled too: as a package of its own it would be one more import on every start.
  external: [...Object.keys(pjson.dependencies).filter((name) => name !== '@oclif/core' && name !== 'chalk'), 'typescript', 'ts-node', 'tsx'],
  format: 'esm',
  logLevel: 'warning',
  minifySyntax: true,
  minifyWhitespace: true,
  outdir,
  platform: 'node',
  plugins: [debugOnlyWithDebug, globsOnlyWhenUsed, helpTemplatesOnlyWithTags, oclifRequiresOnFirstUse, oclifIndexOfWhatLatchUses, undiciAsOneFile, wslUtilsOnlyOnWsl],
  target: 'node20',
}
try {
  // The fast path (`token`, `whoami`) is one file of its own in dist/fast/, not chunks shared with oclif's: on Node 24+,
  // where Node starts in ~25 ms, each extra module a start loads shows. Its dynamic imports still split.
  const fastdir = join(root, 'dist', 'fast')
  rmSync(fastdir, {force: true, recursive: true})
  await build({...common, banner: undefined, entryPoints: {'fast-path': join(root, 'dist', 'fast-path.js')}, outdir: fastdir, splitting: true})
  await joinStaticChunks(fastdir, 'fast-path.js')
  await build({...common, entryPoints: {cli: cliEntry, commands: entry}, minifyWhitespace: false, splitting: true})
  await compileModuleBodiesWithTheTopLevel(outdir)
  await build({
    bundle: true,
    entryPoints: [join(root, 'node_modules', 'undici', 'index.js')],
    format: 'cjs',
    logLevel: 'warning',
    minifySyntax: true,
    outfile: join(root, 'dist', 'undici.cjs'),
    platform: 'node',
    target: 'node20',
  })
} finally {
  rmSync(entry, {force: true})
  rmSync(cliEntry, {force: true})
}
