#!/usr/bin/env node
// Part of `npm run build`, after the manifest and the bundle: renders the root help (`latch --help`,
// `-h`, `help`, or no arguments) once, with oclif's own Help class from the manifest, as oclif prints it
// to a pipe (80 columns, no colour), into dist/fast/root-help.json. bin/run.js prints that text for those
// argument lists when stdout is a pipe or a file and nothing that changes oclif's output is set, instead of
// loading oclif (most of the time of `latch --help` on Node 24+, docs/performance.md); it falls back to
// oclif for anything else. Nothing here is written by hand: a new command or topic shows up at the next build.
//
// The file holds what bin/run.js checks before using the text: the package.json fields the help is made
// of, the manifest's size, and the name and version of every plugin whose commands oclif listed (a plugin
// updated after the build means oclif renders the help again). The VERSION line depends on the Node
// running latch: it is a placeholder, filled in at run time the way oclif makes its user agent.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const out = join(root, 'dist', 'fast', 'root-help.json')
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const USER_AGENT = '<%= userAgent %>'

// Hooks that run around `--help` or the help command could print anything: then no text is saved.
const HOOKS_AROUND_HELP = ['init', 'prerun', 'postrun', 'finally', 'preparse', 'command_incomplete']

// oclif from node_modules, loading the root the standard way (its manifest), in a child whose stdout is a
// pipe, with an empty data dir (no user plugins) and without the variables that change its output.
const script = `
import {writeSync} from 'node:fs'
import {Config, flush, run, settings} from '@oclif/core'
settings.enableAutoTranspile = false
await run(['--help'], ${JSON.stringify(root)})
await flush()
const config = await Config.load(${JSON.stringify(root)})
const plugins = [...config.plugins.values()]
writeSync(3, JSON.stringify({
  hooks: plugins.flatMap((plugin) => Object.keys(plugin.hooks ?? {})),
  plugins: plugins.filter((plugin) => !plugin.isRoot).map((plugin) => ({name: plugin.name, type: plugin.type, version: plugin.version})),
  userAgent: config.userAgent,
}))
`
const empty = mkdtempSync(join(tmpdir(), 'latch-root-help-'))
try {
  const env = {...process.env, LATCH_CONFIG_DIR: join(empty, 'config'), LATCH_DATA_DIR: join(empty, 'data')}
  for (const name of ['DEBUG', 'FORCE_COLOR', 'LATCH_DEBUG', 'NODE_ENV', 'NO_COLOR', 'OCLIF_COLUMNS']) delete env[name]
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {cwd: root, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe', 'pipe']})
  if (child.status !== 0) throw new Error(`rendering the root help failed (${child.status}): ${child.stderr}`)
  const {hooks, plugins, userAgent} = JSON.parse(child.output[3])
  const text = child.stdout
  const around = hooks.filter((hook) => HOOKS_AROUND_HELP.includes(hook))
  const places = text.split(userAgent).length - 1
  rmSync(out, {force: true})
  // What oclif prints on stderr with the help (a warning), the saved text would leave out.
  if (child.stderr) console.warn(`root help not saved: oclif printed on stderr: ${child.stderr.trim()}`)
  else if (around.length > 0) console.warn(`root help not saved: oclif runs ${around.join(', ')} hooks around it`)
  else if (places !== 1 || text.includes(USER_AGENT)) console.warn(`root help not saved: its VERSION line (${userAgent}) shows ${places} times`)
  else if (plugins.some((plugin) => plugin.type !== 'core')) console.warn('root help not saved: a plugin that is not in package.json shows in it')
  else {
    writeFileSync(
      out,
      `${JSON.stringify({
        manifestSize: statSync(join(root, 'oclif.manifest.json')).size,
        pjson: JSON.stringify(helpFields(pjson)),
        plugins: plugins.map(({name, version}) => ({name, version})),
        text: text.replace(userAgent, USER_AGENT),
      })}\n`,
    )
  }
} finally {
  rmSync(empty, {force: true, recursive: true})
}

/** The package.json fields oclif makes the root help of (bin/run.js compares the same fields). */
function helpFields(pjson) {
  return {description: pjson.description, name: pjson.name, oclif: pjson.oclif, version: pjson.version}
}
