#!/usr/bin/env node
// `npm run bench`: how fast latch starts, how much memory it takes, how quickly a device login ends
// once it is approved, and how big the install is. Every command is timed next to `node -e 0` on the
// same Node, interleaved pair by pair, so the ratios hold on any machine. Start-up is measured on every
// Node line present: the Node running this script, and the npm `node` packages installed under
// .bench/node24 and .bench/node26 (or .ci/node24, .ci/node26), e.g.
//
//   npm install --prefix .bench/node26 --no-save --no-package-lock node@26
//   npm run bench -- --runs 15 --warmup 3
//
// Each row is checked against its target for that line (the table in docs/performance.md); a miss is
// reported, and fails the run only with --check. Writes docs/performance.md (or --out FILE; --no-write
// to skip). Needs only Node and npm: max RSS comes from a tiny preload (`node -r`) that records
// process.resourceUsage().maxRSS at exit, the same way for latch and for `node -e 0`.
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, release, tmpdir, totalmem} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'bin', 'run.js')
const {values: options} = parseArgs({
  options: {
    check: {default: false, type: 'boolean'},
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
  `process.on('exit', () => { const u = process.resourceUsage(); require('node:fs').writeFileSync(process.env.LATCH_BENCH_RSS, \`\${u.maxRSS} \${(u.userCPUTime + u.systemCPUTime) / 1000}\`) })\n`,
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

/** The Node lines to measure: this one, then each npm-installed `node` package found. */
function runtimes() {
  const found = [{exec: process.execPath, version: process.version}]
  for (const dir of ['.bench/node24', '.bench/node26', '.ci/node24', '.ci/node26']) {
    const exec = join(root, dir, 'node_modules', '.bin', 'node')
    if (!existsSync(exec)) continue
    const version = spawnSync(exec, ['--version'], {encoding: 'utf8'}).stdout.trim()
    if (version && !found.some((runtime) => major(runtime.version) === major(version))) found.push({exec, version})
  }

  return found.sort((a, b) => major(a.version) - major(b.version))
}

function major(version) {
  return Number(/^v(\d+)/.exec(version)?.[1])
}

/**
 * Targets, as ratios to `node -e 0` on the same Node. Node 24+ starts in ~25 ms, so latch's own loading
 * is most of the time there and the targets are tighter than on Node 20, which spends most of its
 * start-up outside latch (issue 13).
 */
function targetsFor(version) {
  return major(version) >= 22
    ? {help: 2.2, tokenRss: 1.2, token: 1.4, version: 1.2, whoami: 2}
    : {help: 2.5, tokenRss: 1.5, token: 1.5, version: 1.5, whoami: 2.5}
}

const commands = [
  {args: ['--version'], key: 'version', name: 'latch --version'},
  {args: ['token'], key: 'token', missing: !hasToken, name: 'latch token', rssKey: 'tokenRss'},
  {args: ['whoami'], key: 'whoami', name: 'latch whoami'},
  {args: ['--help'], key: 'help', name: 'latch --help'},
  // No target: the same help as oclif renders it on a terminal (FORCE_COLOR keeps bin/run.js from printing
  // the text rendered at build time, scripts/root-help.js), to show what a person at a terminal waits.
  {args: ['--help'], env: {FORCE_COLOR: '1'}, key: 'helpOclif', name: 'latch --help (FORCE_COLOR=1)'},
]
const baseline = {args: ['-e', '0'], name: 'node -e 0'}

/** One run: wall time in ms, and max RSS in KiB. */
function runOnce(exec, command) {
  const rssFile = join(work, 'rss')
  rmSync(rssFile, {force: true})
  const args = command === baseline ? ['-r', rssPreload, ...baseline.args] : ['-r', rssPreload, bin, ...command.args]
  const started = performance.now()
  const result = spawnSync(exec, args, {encoding: 'utf8', env: {...env, ...command.env, LATCH_BENCH_RSS: rssFile}, stdio: ['ignore', 'pipe', 'pipe']})
  const ms = performance.now() - started
  if (result.status !== 0) throw new Error(`${command.name} exited ${result.status}: ${result.stderr}`)
  const [rss, cpu] = readFileSync(rssFile, 'utf8').split(' ').map(Number)
  return {cpu, ms, rss}
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Every start-up row on one Node line. */
function measure(runtime) {
  const targets = targetsFor(runtime.version)
  const rows = []
  for (const command of commands) {
    const target = targets[command.key]
    const rssTarget = command.rssKey ? targets[command.rssKey] : undefined
    if (command.missing) {
      console.error(`${command.name}: not in this build, skipped`)
      rows.push({...command, rssTarget, target})
      continue
    }

    for (let i = 0; i < WARMUP; i++) {
      runOnce(runtime.exec, baseline)
      runOnce(runtime.exec, command)
    }

    const pairs = []
    for (let i = 0; i < RUNS; i++) {
      // Alternate which goes first, so neither always runs on a cache the other just warmed.
      const [first, second] = i % 2 ? [command, baseline] : [baseline, command]
      const a = runOnce(runtime.exec, first)
      const b = runOnce(runtime.exec, second)
      pairs.push(first === baseline ? {cli: b, node: a} : {cli: a, node: b})
    }

    const row = {
      ...command,
      cli: pairs.map((pair) => pair.cli.ms),
      cliRss: median(pairs.map((pair) => pair.cli.rss)),
      // CPU time (user + system, all threads) moves less than wall time when other work shares the machine.
      cpuRatio: median(pairs.map((pair) => pair.cli.cpu / pair.node.cpu)),
      node: pairs.map((pair) => pair.node.ms),
      nodeRss: median(pairs.map((pair) => pair.node.rss)),
      ratio: median(pairs.map((pair) => pair.cli.ms / pair.node.ms)),
      rssTarget,
      target,
    }
    row.rssRatio = row.cliRss / row.nodeRss
    row.met = (target === undefined || row.ratio <= target) && (rssTarget === undefined || row.rssRatio <= rssTarget)
    rows.push(row)
    console.error(
      `node ${runtime.version.padEnd(9)} ${command.name.padEnd(16)} ${median(row.cli).toFixed(0).padStart(4)} ms (node ${median(row.node).toFixed(0)} ms)  ratio ${row.ratio.toFixed(2)}x (target ${target === undefined ? 'none' : `${target}x`})  cpu ratio ${row.cpuRatio.toFixed(2)}x  rss ${(row.cliRss / 1024).toFixed(1)} MiB (node ${(row.nodeRss / 1024).toFixed(1)} MiB, ${row.rssRatio.toFixed(2)}x${rssTarget ? `, target ${rssTarget}x` : ''})${row.met ? '' : '  MISSED'}`,
    )
  }

  return {...runtime, rows}
}

const lines = runtimes()
if (lines.length === 1) console.error('only this Node line found: install node@24 and node@26 under .bench/ to measure them too (see the top of this file)')
// Other work on the machine stretches wall times (and the ratios less): the report says how busy it was.
const loadBefore = loadavg()[0]
const startup = lines.map((runtime) => measure(runtime))
const loadAfter = loadavg()[0]

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
const targetText = (target) => (target === undefined ? 'none' : `<= ${target}x`)
const fmtRow = (row) =>
  row.missing
    ? `| \`${row.name}\` | not in this build | | | | ${targetText(row.target)} | | | | |`
    : `| \`${row.name}\` | ${fmt(median(row.cli))} ms | ${fmt(Math.min(...row.cli))}-${fmt(Math.max(...row.cli))} ms | ${fmt(median(row.node))} ms | ${row.ratio.toFixed(2)}x | ${targetText(row.target)} | ${row.cpuRatio.toFixed(2)}x | ${(row.cliRss / 1024).toFixed(1)} MiB | ${row.rssRatio.toFixed(2)}x${row.rssTarget ? ` (<= ${row.rssTarget}x)` : ''} | ${row.target === undefined ? '' : row.met ? 'yes' : '**no**'} |`
const summary = (key, runtime) => {
  const row = runtime.rows.find((r) => r.key === key)
  return row && !row.missing ? `${row.ratio.toFixed(2)}x` : 'n/a'
}

const report = [
  '# Performance',
  '',
  `Measured by \`npm run bench\` (scripts/bench.js) on ${new Date().toISOString().slice(0, 10)}: ${machine}; Node ${startup.map((runtime) => runtime.version).join(', ')}.`,
  `Each command ran ${RUNS} times after ${WARMUP} warm-up runs, interleaved with \`node -e 0\` on the same Node; the ratio is the median of the per-pair ratios.`,
  'Max RSS and CPU time (user + system) are `process.resourceUsage()` recorded at exit by a preload (`node -r`), for latch and',
  'for `node -e 0` alike. The targets are on wall time; the CPU time ratio is shown because it moves less when other work',
  `shares the machine. Load average (1 min) when the start-up runs began and ended: ${loadBefore.toFixed(1)} and ${loadAfter.toFixed(1)}, on ${cpus().length} CPUs.`,
  "Node 20 runs this machine's system binary; Node 24 and 26 are the npm `node` packages. The targets on Node 24 and 26 are",
  "tighter because those start in about 25 ms, so latch's own loading is most of what is measured there.",
  '',
  '## Start-up, ratio to `node -e 0`',
  '',
  `| command | ${startup.map((runtime) => `Node ${major(runtime.version)}`).join(' | ')} | target on 24 and 26 |`,
  `|---|${startup.map(() => '---|').join('')}---|`,
  ...commands.map((command) => `| \`${command.name}\` | ${startup.map((runtime) => summary(command.key, runtime)).join(' | ')} | ${targetText(targetsFor('v26')[command.key])} |`),
  `| peak RSS of \`latch token\` vs node | ${startup.map((runtime) => {
    const row = runtime.rows.find((r) => r.key === 'token')
    return row && !row.missing ? `${row.rssRatio.toFixed(2)}x` : 'n/a'
  }).join(' | ')} | <= ${targetsFor('v26').tokenRss}x |`,
  '',
  ...startup.flatMap((runtime) => [
    `### Node ${runtime.version}`,
    '',
    '| command | median | min-max | `node -e 0` median | ratio | target | CPU time ratio | max RSS | RSS ratio | met |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...runtime.rows.map((row) => fmtRow(row)),
    '',
  ]),
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
  '## Where the time went (Node 26, issue 13)',
  '',
  'Before this work (issue 13, same machine): `--version` 1.28x / 1.33x, `token` 1.62x / 1.77x, `whoami` 2.90x / 2.81x,',
  '`--help` 2.98x / 2.55x, peak RSS of `token` 1.23x / 1.30x, on Node 24 / 26. After merging the other issue 12-13 work',
  '(issuer binding, debug trace, User-Agent, oclif plugins, chalk), before the second round: `token` 1.61x / 1.69x,',
  '`whoami` 2.08x / 1.71x, `--help` 3.07x / 3.19x, peak RSS of `token` 1.21x / 1.25x. Before the third round (`--help`',
  'alone missed): `--help` 2.30x / 2.31x. After merging issues 14-18 (plugin, managed tokens and keys, orgs, profiles,',
  'proxies), before the fourth round: `token` 1.38x / 1.49x, `whoami` 2.16x / 2.12x.',
  '',
  "Files latch loads, on Node 26 (a `module.registerHooks` load hook): `--version` 1 (bin/run.js, 9 kB); `token` and `whoami` 2",
  '(bin/run.js and dist/fast/fast-path.js, 79 kB); `--help` to a pipe 1 (bin/run.js; it reads dist/fast/root-help.json, 2 kB, and the',
  "package.json of the three plugins); `--help` as oclif renders it (a terminal, FORCE_COLOR) 5 (bin/run.js and dist/bundle/,",
  '409 kB); and no module from node_modules.',
  '',
  'Found with `node --cpu-prof` over repeated starts, a module-load hook and `process.moduleLoadList`, on Node 26.10 (where',
  '`node -e 0` takes ~25 ms); "CPU" is user + system time, median of 15-25 interleaved runs:',
  '',
  '- `latch whoami`: ~25 ms in undici and worker_threads, loaded because `import(\'node:http\')` builds an ES module',
  "  facade whose WebSocket getter loads undici (Node 24+). Now node:http(s) comes through `require`.",
  '- `latch token`: ~5 ms for fs.promises, streams and readline, loaded by the facade of `import ... from \'node:fs\'`;',
  '  ~5 ms creating `process.stdout` for a pipe and ~5 ms for `process.stderr`/`process.stdin` it did not use;',
  '  node:crypto (~5 ms) for a temp-file name it never made; the fast path split over chunks shared with oclif.',
  '- `latch token` after the merge: chalk (with node:tty, node:os and node:process through ES imports) came with',
  "  context.note's line wrapping from src/ui/style.ts, and fs.promises again through an ES import of node:fs in the errno",
  "  words and the store's asynchronous directory check. Wrapping now lives in src/ui/wrap.ts without chalk, and both read",
  '  synchronously: 39.6 -> 29.1 ms of CPU and 51.5 -> 46.1 MiB on Node 26 (test/e2e/startup-path.test.ts checks that',
  '  `token` loads no tty, streams, net or fs.promises, and `whoami` no tty or fs.promises).',
  '- `latch token` and `whoami` after merging issues 14-18: the fast path had become 12 files again (80 kB): the new',
  '  on-demand modules (API-key exchange, memberships, managed credentials) share code with it, and esbuild makes a chunk',
  '  for each combination of users. The build now joins the chunks the fast path imports statically into',
  '  dist/fast/fast-path.js and points the on-demand files at it (scripts/bundle.js): 2 files. A note such as "Using the',
  '  token from LATCH_TOKEN." to a stderr pipe or file goes straight to fd 2 instead of creating `process.stderr` (net and',
  '  the streams; on a terminal it still goes through `process.stderr`, wrapped), and the platform client is made on first',
  '  use. `token` with LATCH_TOKEN, stderr a pipe: 38.4 -> 32.5 ms of CPU and 49.5 -> 46.1 MiB on Node 26',
  '  (`node -e 0`: ~24 ms). What is left of `whoami` is mostly node:http with net and the streams (~15 ms of CPU) and the',
  "  request itself. Wrapping the fast path's functions in parentheses for the compile cache, as in the oclif bundle,",
  '  changed nothing measurable (44.7 -> 43.8 ms of CPU, within the noise) and was left out.',
  '- `latch --version`: ~6 ms of CPU for the ES facades of five builtins in bin/run.js, and `process.stdout`.',
  "- `latch --help`: oclif's own loading and help rendering (~55 ms of CPU). Cut: wsl-utils with five packages (~10 ms),",
  "  oclif's full index (~5 ms). After the merge: oclif's plugin loader compiled minimatch patterns for the three plugin",
  '  names, and loaded tinyglobby, on every start (~6 ms); its help compiled every summary and description with ejs',
  '  (~3 ms); child_process, readline, perf_hooks, the spinner, lilconfig and fs.promises loaded for rare uses (~7 ms); the `debug` package loaded for',
  "  oclif's loggers with DEBUG unset (~3-5 ms). The plugins themselves then cost nothing measurable (CPU 68.2 ms with",
  "  them, 68.4 ms with `oclif.plugins` emptied). Synchronous reads of oclif's JSON files alone changed nothing measurable;",
  '  they count once fs.promises need not load at all. What is left is oclif evaluating its modules (errors, config, help,',
  '  ux: ~30 ms of CPU) and rendering.',
  "- `latch --help`, third round: what was left is oclif itself, so the root help to a pipe no longer needs it. The build",
  "  renders it once with oclif's Help class (scripts/root-help.js) and bin/run.js prints that text where oclif would",
  '  print the same: CPU 66 -> 30 ms on Node 26 (`node -e 0`: 25 ms). On a terminal oclif still renders it, for the',
  "  terminal's width and colours: the `FORCE_COLOR=1` row above measures that path. For it, oclif's CommonJS module",
  "  bodies now come from Node's compile cache too: V8 compiles a function on its first call unless it is wrapped in",
  '  parentheses, and the cache keeps only what was compiled with the top level (cache 60 -> 316 kB; a median 2-3 ms of',
  '  CPU less per oclif start on Node 24 and 26 over 31-41 paired runs, about 3 ms more on Node 20, which has no cache).',
  '- `latch token` and `whoami` after merging issues 15-18 (tokens and keys, organizations, network, profiles): 12 files,',
  '  80 kB, where they loaded 6, 58 kB. context.ts now imports the transport and the platform client for every command,',
  '  and modules that load on demand (API key exchange, memberships, managed credentials) share code with the fast path,',
  '  which esbuild then splits into more chunks: a median 3-5 ms more CPU for `token` on Node 26 (31 paired runs, same',
  "  machine and load). Bundling those on-demand modules into the fast path instead cost more (it then loads",
  '  proper-lockfile and the rest): not done.',
  '',
  '## What makes it fast',
  '',
  '- `bin/run.js` prints `--version` itself (from package.json and the platform, as oclif would), and hands a bare',
  '  `token` or `whoami` (with or without `--json`) to src/fast-path.ts, which runs the same src/auth functions without',
  '  loading oclif; anything else goes through oclif. test/e2e/fast-path.test.ts checks the output is what oclif prints.',
  "- The root help (`latch`, `latch --help`, `-h`, `latch help`) is rendered by oclif's own Help class at build time",
  '  (scripts/root-help.js, from the manifest: a new command or topic shows at the next build), as oclif prints it to a',
  '  pipe (80 columns, no colour), with the VERSION line filled in at run time. bin/run.js prints it when stdout is a',
  '  pipe or a file and oclif would print the same text: not with FORCE_COLOR, OCLIF_COLUMNS, DEBUG or LATCH_DEBUG set,',
  "  not with user plugins in oclif's data dir, not when latch's package.json or a plugin's installed version differs",
  '  from the build. Anything else (a terminal, `latch help login`, `latch login --help`) goes through oclif.',
  '  test/e2e/fast-path.test.ts checks it is byte for byte what oclif prints to a pipe, and that a terminal (tmux) and',
  '  each of those cases get what oclif prints there.',
  '- The platform client talks over node:http(s), not fetch: on Node 20 the first fetch loads undici and compiles its',
  '  WebAssembly parser (about 130 ms and 40 MB, more than the rest of `whoami`).',
  '- Nothing on those paths imports openid-client, the credentials lock or oidc-provider: each is imported where it is',
  '  used (test/e2e/startup-path.test.ts checks it).',
  '- `npm run build` bundles oclif and the commands with esbuild into dist/bundle/ (scripts/bundle.js): ~160 small',
  '  CommonJS files become a few, which takes about 40 ms off every start through oclif (`--help`, `login`, ...). A host',
  '  CLI that mounts these commands as a plugin loads dist/commands as usual.',
  '- On Node 22.1+ `module.enableCompileCache()` keeps compiled code between runs (Node 20 has no such cache), in',
  '  `$XDG_CACHE_HOME/latch/compile-cache` (else `~/.cache/latch/compile-cache`), made 0700 and used only when it is this',
  "  user's and nobody else can write it; Node's default place is in the shared temp directory. A cache that cannot be made",
  '  means no cache, never a failed command (test/e2e/startup-path.test.ts).',
  '- The fast path is its own bundle: one file (dist/fast/fast-path.js) and the modules it imports on demand (refresh,',
  '  the lock, the API-key exchange, ...), instead of chunks shared with oclif.',
  '- On the fast path node:fs and node:http(s) are loaded with `require`, not `import`: an ES import of a builtin builds',
  '  a facade of all its exports, which for node:fs loads fs.promises with the stream and readline modules, and for',
  '  node:http (Node 24+) loads undici through its WebSocket getter: together about 25 ms of `latch whoami` on Node 26.',
  '  The credentials file is read with synchronous calls; fs.promises and node:crypto load only when writing.',
  '  `process.stderr` and `process.stdin` are created on first use; a note to a stderr pipe or file is written to fd 2.',
  '- The settings file (config.json) is read as plain JSON; conf, with its JSON-schema validator, loads only for',
  '  `latch config set` and `unset`. chalk is bundled (a few kB) rather than imported as a package.',
  "- In the oclif bundle, oclif's WSL check answers at once where neither the kernel release nor /proc/version names",
  '  Microsoft, instead of loading wsl-utils and its five dependencies on every start.',
  "- In the oclif bundle, `@oclif/core` is an index of the six things latch uses (Args, Command, Errors, Flags, execute",
  "  and settings) instead of oclif's full index, which also loads ux with its spinners, semver and more on every start.",
  "- In the oclif bundle, oclif's plugin loader compares plugin names without glob characters as plain strings (minimatch",
  '  loads only for a real glob), tinyglobby loads on first use, help strings without `<%` skip ejs (its output for them',
  '  is the string itself), child_process, readline, perf_hooks, the spinner, lilconfig and fs.promises load on first use',
  "  (oclif's JSON files are read synchronously), and without DEBUG oclif gets",
  '  loggers that do nothing instead of loading `debug` (scripts/bundle.js; test/e2e/startup-path.test.ts checks that',
  '  `DEBUG=oclif:*` still traces).',
  "- The line wrapping of notes and error lines (src/ui/wrap.ts) needs no chalk; chalk loads with the login screen's colours.",
  "- In the oclif bundle, each CommonJS module body is wrapped in parentheses, so that V8 compiles it with the top level",
  "  and Node's compile cache (22.1+) keeps it, instead of compiling it from source on every start (scripts/bundle.js).",
  '',
].join('\n')
if (options['no-write']) process.stdout.write(report)
else {
  writeFileSync(options.out, report)
  console.error(`wrote ${options.out}`)
}

const missed = startup.flatMap((runtime) => runtime.rows.filter((row) => !row.missing && !row.met).map((row) => `${row.name} on Node ${runtime.version}`))
if (missed.length > 0) console.error(`targets missed: ${missed.join(', ')}`)
else console.error('every target met')
process.exit(missed.length > 0 && options.check ? 1 : 0)
