#!/usr/bin/env node
// Part of `npm run build`: `oclif manifest`, without the "oclif update available" notice that oclif's
// update check prints. The newer oclif majors need Node 22, so on the Node 20 this project supports
// that notice is advice nobody can take, printed by every `npm install` of a fresh clone.
//
// Then the help text in the manifest is made to name the running CLI: `latch` becomes `<%= config.bin %>`
// and `LATCH_` the bin's env prefix, as templates oclif's help (and `oclif readme`) render with the CLI's
// config. latch's own help reads the same; a host CLI that mounts latch as a plugin (docs/plugin.md)
// shows `acme` and `ACME_` in every command's help, whoever wrote the command, and `.acme-profile` for the
// profile pin file. Names such as `DEBUG=latch:http`, `oclif.latch` or `~/.latch-...` are left alone (the
// rule of src/ui/rebrand.ts).
import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

const oclifRoot = dirname(createRequire(import.meta.url).resolve('oclif/package.json'))
const result = spawnSync(process.execPath, [join(oclifRoot, 'bin', 'run.js'), 'manifest'], {
  env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'},
  stdio: 'inherit',
})
process.exitCode = result.status ?? 1

const BIN = '<%= config.bin %>'
const PREFIX = "<%= config.bin.toUpperCase().replace(/[^A-Z0-9]/g, '_') %>_"
const inHostWords = (text) =>
  typeof text === 'string'
    ? text.replaceAll(/\bLATCH_/g, PREFIX).replaceAll('.latch-profile', `.${BIN}-profile`).replaceAll(/(?<![\w.\/-])latch(?![\w:\/-]|\.\w)/g, BIN)
    : text

if (result.status === 0) {
  const path = new URL('../oclif.manifest.json', import.meta.url)
  const manifest = JSON.parse(readFileSync(path, 'utf8'))
  for (const command of Object.values(manifest.commands)) {
    for (const key of ['summary', 'description', 'usage']) command[key] = Array.isArray(command[key]) ? command[key].map(inHostWords) : inHostWords(command[key])
    command.examples = command.examples?.map((example) => (typeof example === 'string' ? inHostWords(example) : {...example, command: inHostWords(example.command), description: inHostWords(example.description)}))
    for (const entry of [...Object.values(command.flags ?? {}), ...Object.values(command.args ?? {})]) {
      entry.summary = inHostWords(entry.summary)
      entry.description = inHostWords(entry.description)
    }
  }

  writeFileSync(path, JSON.stringify(manifest, null, 2))
}
