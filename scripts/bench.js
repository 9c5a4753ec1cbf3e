#!/usr/bin/env node
// `npm run bench`: how fast latch starts, how much memory it takes, how quickly a device login ends
// once it is approved, and how big the install is. Every command is timed next to `node -e 0` in the
// same run, interleaved pair by pair, so the ratios hold on any machine. A benchmark, not a test: it
// reports and never fails on timing. Writes docs/performance.md (or --out FILE; --no-write to skip).
//
//   npm run bench -- --runs 15 --warmup 3
//
// Needs only Node and npm: max RSS comes from a tiny preload (`node -r`) that records
// process.resourceUsage().maxRSS at exit, the same way for latch and for `node -e 0`.
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, release, tmpdir, totalmem} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'bin', 'run.js')
const {values: options} = parseArgs({
  options: {
    'login-runs': {default: '3', type: 'string'},
    'no-write': {default: false, type: 'boolean'},
    out: {default: join(root, 'docs', 'performance.md'), type: 'string'},
    runs: {default: '15', type: 'string'},
    warmup: {default: '3', type: 'string'},
  },
})
const RUNS = Number(options.runs)
const WARMUP = Number(options.warmup)
const LOGIN_RUNS = Number(options['login-runs'])
/** The emulator's poll interval for the login measurement, in seconds. */
const INTERVAL = 1

const work = mkdtempSync(join(tmpdir(), 'latch-bench-'))
const rssPreload = join(work, 'rss.cjs')
writeFileSync(
  rssPreload,
  `process.on('exit', () => require('node:fs').writeFileSync(process.env.LATCH_BENCH_RSS, String(process.resourceUsage().maxRSS)))\n`,
)

const emulator = spawn(process.execPath, [bin, 'emulator', '--port', '0', '--json', '--interval', String(INTERVAL)], {
  stdio: ['ignore', 'pipe', 'pipe'],
})
let emulatorErrors = ''
emulator.stderr.on('data', (chunk) => (emulatorErrors += chunk))
process.on('exit', () => {
  if (emulator.exitCode === null) emulator.kill('SIGTERM')
  rmSync(work, {force: true, recursive: true})
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130))

const {issuer} = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`the emulator did not start within 20 s: ${emulatorErrors}`)), 20_000)
  emulator.once('exit', (code) => reject(new Error(`the emulator exited (${code}): ${emulatorErrors}`)))
  createInterface({input: emulator.stdout}).once('line', (line) => {
    clearTimeout(timer)
    resolve(JSON.parse(line))
  })
})

/** An environment with nothing of the outer shell's latch settings, pointed at the emulator and `configDir`. */
function envFor(configDir) {
  const env = {...process.env, LATCH_CONFIG_DIR: configDir, LATCH_ISSUER: issuer}
  for (const key of Object.keys(env)) if (key.startsWith('LATCH_') && !(key in {LATCH_CONFIG_DIR: 1, LATCH_ISSUER: 1})) delete env[key]
  delete env.DISPLAY
  return env
}

async function control(path, body) {
  const response = await fetch(`${issuer}/_emulator${path}`, {
    body: body && JSON.stringify(body),
    headers: {'content-type': 'application/json'},
    method: body ? 'POST' : 'GET',
  })
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

// A stored token: a personal access token, signed in with `login --token` on stdin.
const configDir = join(work, 'config')
const env = envFor(configDir)
const {token: pat} = await control('/pats', {name: 'bench', scopes: ['inference', 'projects.read', 'account.read'], user: 'alice'})
const login = spawnSync(process.execPath, [bin, 'login', '--token'], {encoding: 'utf8', env, input: `${pat}\n`})
if (login.status !== 0) throw new Error(`login --token failed: ${login.stderr}`)

const hasToken = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')).commands.token !== undefined
const commands = [
  {args: ['--version'], name: 'latch --version', target: 1.5},
  {args: ['token'], missing: !hasToken, name: 'latch token', target: 1.5},
  {args: ['whoami'], name: 'latch whoami', target: 2.5},
  {args: ['--help'], name: 'latch --help', target: 2.5},
]
const baseline = {args: ['-e', '0'], name: 'node -e 0'}

/** One run: wall time in ms, and max RSS in KiB. */
function runOnce(command) {
  const rssFile = join(work, 'rss')
  rmSync(rssFile, {force: true})
  const args = command === baseline ? ['-r', rssPreload, ...baseline.args] : ['-r', rssPreload, bin, ...command.args]
  const started = performance.now()
  const result = spawnSync(process.execPath, args, {encoding: 'utf8', env: {...env, LATCH_BENCH_RSS: rssFile}, stdio: ['ignore', 'pipe', 'pipe']})
  const ms = performance.now() - started
  if (result.status !== 0) throw new Error(`${command.name} exited ${result.status}: ${result.stderr}`)
  return {ms, rss: Number(readFileSync(rssFile, 'utf8'))}
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const startup = []
for (const command of commands) {
  if (command.missing) {
    console.error(`${command.name}: not in this build, skipped`)
    startup.push({...command})
    continue
  }

  for (let i = 0; i < WARMUP; i++) {
    runOnce(baseline)
    runOnce(command)
  }

  const pairs = []
  for (let i = 0; i < RUNS; i++) {
    // Alternate which goes first, so neither always runs on a cache the other just warmed.
    const [first, second] = i % 2 ? [command, baseline] : [baseline, command]
    const a = runOnce(first)
    const b = runOnce(second)
    pairs.push(first === baseline ? {cli: b, node: a} : {cli: a, node: b})
  }

  const row = {
    ...command,
    cli: pairs.map((pair) => pair.cli.ms),
    cliRss: median(pairs.map((pair) => pair.cli.rss)),
    node: pairs.map((pair) => pair.node.ms),
    nodeRss: median(pairs.map((pair) => pair.node.rss)),
    ratio: median(pairs.map((pair) => pair.cli.ms / pair.node.ms)),
  }
  startup.push(row)
  console.error(
    `${command.name.padEnd(16)} ${median(row.cli).toFixed(0).padStart(4)} ms (node ${median(row.node).toFixed(0)} ms)  ratio ${row.ratio.toFixed(2)}x  rss ${(row.cliRss / 1024).toFixed(1)} MiB (node ${(row.nodeRss / 1024).toFixed(1)} MiB)`,
  )
}

// The device login: from the approval (the control API's answer) to "Authenticated successfully".
async function timedLogin() {
  const loginDir = join(work, `login-${Math.random().toString(36).slice(2)}`)
  const child = spawn(process.execPath, [bin, 'login', '--no-browser'], {env: envFor(loginDir), stdio: ['ignore', 'pipe', 'pipe']})
  let stderr = ''
  let approvedAt
  const seen = new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      if (/Authenticated successfully/.test(stderr)) resolve(performance.now())
    })
    child.on('close', (code) => reject(new Error(`login ended (${code}) without success: ${stderr}`)))
  })
  const userCode = await new Promise((resolve, reject) => {
    const check = () => {
      const match = /Your device code is: ([A-Z0-9-]+)/.exec(stderr)
      if (match) resolve(match[1])
    }

    child.stderr.on('data', check)
    child.on('close', () => reject(new Error(`login ended before showing a code: ${stderr}`)))
  })
  // Approve somewhere inside a poll interval, as a person would.
  await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * INTERVAL * 1000))
  const before = (await control('/requests')).length
  await control('/device/approve', {user: 'alice', user_code: userCode})
  approvedAt = performance.now()
  const approvedWall = Date.now()
  const authenticatedAt = await seen
  await new Promise((resolve) => child.once('close', resolve))
  const log = (await control('/requests')).slice(before)
  const polls = log.filter((entry) => entry.grant_type === 'urn:ietf:params:oauth:grant-type:device_code')
  const pollsAfter = polls.filter((entry) => Date.parse(entry.at) >= approvedWall - 5).length
  const success = log.findIndex((entry) => entry.grant_type === 'urn:ietf:params:oauth:grant-type:device_code' && entry.status === 200)
  const afterToken = log.slice(success + 1).filter((entry) => !entry.path.startsWith('/_emulator'))
  return {afterToken: afterToken.map((entry) => `${entry.method} ${entry.path}`), latency: authenticatedAt - approvedAt, pollsAfter}
}

const logins = []
for (let i = 0; i < LOGIN_RUNS; i++) logins.push(await timedLogin())
if (logins.length > 0) {
  console.error(
    `login: approval -> "Authenticated successfully" median ${median(logins.map((l) => l.latency)).toFixed(0)} ms (interval ${INTERVAL * 1000} ms), polls after approval max ${Math.max(...logins.map((l) => l.pollsAfter))}, requests after the token: ${[...new Set(logins.flatMap((l) => l.afterToken))].join(', ') || 'none'}`,
  )
}

// Install footprint: what `npm pack` would publish, and the runtime packages a user installs.
function npm(args) {
  const result = spawnSync('npm', args, {cwd: root, encoding: 'utf8', env: {...process.env, npm_config_loglevel: 'silent'}})
  return result.stdout
}

const [pack] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts']) || '[{}]')
const bundleBytes = (pack.files ?? []).filter((file) => file.path.startsWith('dist/bundle/')).reduce((sum, file) => sum + file.size, 0)
const runtimePackages = new Set(
  npm(['ls', '--omit=dev', '--all', '--parseable'])
    .split('\n')
    .filter((line) => line.includes('node_modules')),
).size

// The report.
const cpu = cpus()
const machine = `${cpu[0]?.model.trim() ?? 'unknown CPU'} (${cpu.length} CPUs), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`.replace('Linux', process.platform === 'linux' ? 'Linux' : process.platform)
const fmt = (ms) => ms.toFixed(0)
const lines = [
  '# Performance',
  '',
  `Measured by \`npm run bench\` (scripts/bench.js) on ${new Date().toISOString().slice(0, 10)}: ${machine}; Node ${process.version}.`,
  `Each command ran ${RUNS} times after ${WARMUP} warm-up runs, interleaved with \`node -e 0\`; the ratio is the median of the per-pair ratios.`,
  'Max RSS is `process.resourceUsage().maxRSS` recorded at exit by a preload (`node -r`), for latch and for `node -e 0` alike.',
  '',
  '| command | median | min-max | `node -e 0` median | ratio | target | max RSS | RSS ratio |',
  '|---|---|---|---|---|---|---|---|',
  ...startup.map((row) =>
    row.missing
      ? `| \`${row.name}\` | not in this build | | | | <= ${row.target}x | | |`
      : `| \`${row.name}\` | ${fmt(median(row.cli))} ms | ${fmt(Math.min(...row.cli))}-${fmt(Math.max(...row.cli))} ms | ${fmt(median(row.node))} ms | ${row.ratio.toFixed(2)}x | <= ${row.target}x | ${(row.cliRss / 1024).toFixed(1)} MiB | ${(row.cliRss / row.nodeRss).toFixed(2)}x${row.name === 'latch whoami' ? ' (target <= 1.5x)' : ''} |`,
  ),
  '',
  '`latch token` and `latch whoami` use a stored personal access token; `whoami` asks the emulator on 127.0.0.1.',
  '',
  '## Device login',
  '',
  logins.length > 0
    ? `Over ${logins.length} logins against the emulator with a ${INTERVAL} s poll interval, approved at a random moment inside an interval: ` +
      `from the approval to "Authenticated successfully" took ${logins.map((l) => fmt(l.latency)).join(', ')} ms (target: at most ${INTERVAL * 1000 + 100} ms); ` +
      `at most ${Math.max(...logins.map((l) => l.pollsAfter))} poll after the approval; requests after the token response: ${[...new Set(logins.flatMap((l) => l.afterToken))].join(', ') || 'none'}.`
    : 'Not measured (--login-runs 0).',
  '',
  '## Install footprint',
  '',
  `- Packed (\`npm pack --dry-run\`): ${((pack.size ?? 0) / 1024).toFixed(1)} kB, ${((pack.unpackedSize ?? 0) / 1024).toFixed(1)} kB unpacked, ${pack.entryCount ?? '?'} files.`,
  `- Of that, dist/bundle/ (oclif and latch bundled for latch's own bin, see below): ${(bundleBytes / 1024).toFixed(1)} kB unpacked.`,
  `- Installed runtime packages (\`npm ls --omit=dev --all --parseable\`): ${runtimePackages}.`,
  '',
  '## What makes it fast',
  '',
  '- `bin/run.js` prints `--version` itself (from package.json and the platform, as oclif would), and hands a bare',
  '  `token` or `whoami` (with or without `--json`) to src/fast-path.ts, which runs the same src/auth functions without',
  '  loading oclif; anything else goes through oclif. test/e2e/fast-path.test.ts checks the output is what oclif prints.',
  '- The platform client talks over node:http(s), not fetch: on Node 20 the first fetch loads undici and compiles its',
  '  WebAssembly parser (about 130 ms and 40 MB, more than the rest of `whoami`).',
  '- Nothing on those paths imports openid-client, the credentials lock or oidc-provider: each is imported where it is',
  '  used (test/e2e/startup-path.test.ts checks it).',
  '- `npm run build` bundles oclif and the commands with esbuild into dist/bundle/ (scripts/bundle.js): ~160 small',
  '  CommonJS files become a few, which takes about 40 ms off every start through oclif (`--help`, `login`, ...). A host',
  '  CLI that mounts these commands as a plugin loads dist/commands as usual.',
  '- On Node 22.1+ `module.enableCompileCache()` keeps compiled code between runs (a no-op on Node 20).',
  '',
]
const report = lines.join('\n')
if (options['no-write']) process.stdout.write(report)
else {
  writeFileSync(options.out, report)
  console.error(`wrote ${options.out}`)
}

process.exit(0)
