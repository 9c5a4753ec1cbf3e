#!/usr/bin/env node
// Part of `npm run build`: `oclif manifest`, without the "oclif update available" notice that oclif's
// update check prints. The newer oclif majors need Node 22, so on the Node 20 this project supports
// that notice is advice nobody can take, printed by every `npm install` of a fresh clone.
import {spawnSync} from 'node:child_process'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

const oclifRoot = dirname(createRequire(import.meta.url).resolve('oclif/package.json'))
const result = spawnSync(process.execPath, [join(oclifRoot, 'bin', 'run.js'), 'manifest'], {
  env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'},
  stdio: 'inherit',
})
process.exitCode = result.status ?? 1
