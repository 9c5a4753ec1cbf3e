#!/usr/bin/env node
// Part of `npm run build`, after tsc and `oclif manifest`: bundles what latch's own bin/run.js loads
// (dist/ and @oclif/core with its dependencies) into dist/bundle/, so that a start reads a handful of
// files instead of ~190 small ones; measured in docs/performance.md. Dynamic imports stay separate
// chunks, loaded only when used, and the other dependencies (openid-client, oidc-provider, ...) stay
// in node_modules. The commands come from the manifest, so a new command needs nothing here.
// A host CLI that mounts latch's commands as a plugin never sees the bundle: it loads dist/commands.
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {build} from 'esbuild'

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
try {
  await build({
    // CommonJS inside an ES module bundle (oclif's dependencies) needs a real `require` for Node's builtins.
    banner: {js: "import {createRequire as __latchCreateRequire} from 'node:module';const require = __latchCreateRequire(import.meta.url);"},
    bundle: true,
    entryNames: '[name]',
    entryPoints: {cli: cliEntry, commands: entry, 'fast-path': join(root, 'dist', 'fast-path.js')},
    // oclif loads typescript and ts-node only in development; never bundle them.
    external: [...Object.keys(pjson.dependencies).filter((name) => name !== '@oclif/core'), 'typescript', 'ts-node', 'tsx'],
    format: 'esm',
    logLevel: 'warning',
    minifySyntax: true,
    minifyWhitespace: true,
    outdir,
    platform: 'node',
    splitting: true,
    target: 'node20',
  })
} finally {
  rmSync(entry, {force: true})
  rmSync(cliEntry, {force: true})
}
