#!/usr/bin/env node
// `npm run test:reliability`: runs test/reliability with every case logged, then prints the table of
// cases per category, passed, and the worst-case time to a clear error (docs/reliability.md).
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const dir = mkdtempSync(join(tmpdir(), 'latch-reliability-'))
const log = join(dir, 'cases.jsonl')
const jest = spawnSync(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', 'test/reliability', ...process.argv.slice(2)], {
  env: {...process.env, LATCH_RELIABILITY_LOG: log},
  stdio: 'inherit',
})
let lines = []
try {
  lines = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
} catch {}
rmSync(dir, {force: true, recursive: true})

const rows = new Map()
for (const {category, ms, name, passed} of lines) {
  const row = rows.get(category) ?? {cases: 0, passed: 0, worst: 0, worstName: ''}
  row.cases++
  if (passed) row.passed++
  if (ms > row.worst) Object.assign(row, {worst: ms, worstName: name})
  rows.set(category, row)
}
console.log('\n| category | cases | passed | worst time to a clear error |\n|---|---|---|---|')
for (const [category, row] of rows) console.log(`| ${category} | ${row.cases} | ${row.passed} | ${row.worst ? `${row.worst} ms (${row.worstName})` : 'n/a'} |`)
console.log('\nCases are logged once their assertions pass: a failing case shows up as a jest failure above.')
process.exit(jest.status ?? 1)
