/**
 * A host CLI that mounts latch as an oclif plugin, installed the way a platform team would: `npm pack`
 * of this package (the compiled dist/: build first), the host fixture (test/fixtures/acme) copied to a
 * temp dir with latch's dependency pointed at the tarball, then `npm install`. The install is done
 * once per tarball content: it is kept under the system temp dir, keyed by the tarball's hash, and
 * reused by every later test file and run (a changed build makes a new one). A lock directory keeps
 * two jest workers from installing the same one at once.
 */
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const FIXTURE = join(ROOT, 'test', 'fixtures', 'acme')

export interface HostCli {
  /** The installed host project (package.json, bin/run.js, node_modules/latch from the tarball). */
  dir: string
  bin: string
  /** The tarball `npm pack` made, as installed. */
  tarball: string
}

/** Runs npm, failing with its output when it fails. */
function npm(args: string[], cwd: string): string {
  const result = spawnSync('npm', args, {cwd, encoding: 'utf8', env: {...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false'}, timeout: 300_000})
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

/** Packs this package (without running its build: dist/ is what the tests test) and installs the host fixture against it. */
export function installHostCli(): HostCli {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first')
  const packDir = mkdtempSync(join(tmpdir(), 'latch-pack-'))
  let tarball: string
  try {
    const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], ROOT)) as Array<{filename: string}>
    const made = join(packDir, packed.filename)
    const hash = createHash('sha256').update(readFileSync(made)).update(readFileSync(join(FIXTURE, 'package.json'))).digest('hex').slice(0, 16)
    const dir = join(tmpdir(), `latch-host-acme-${hash}`)
    tarball = join(dir, 'latch.tgz')
    if (!existsSync(join(dir, '.installed'))) {
      withLock(`${dir}.lock`, () => existsSync(join(dir, '.installed')) || install(dir, made))
      removeOldInstalls()
    }

    return {bin: join(dir, 'bin', 'run.js'), dir, tarball}
  } finally {
    rmSync(packDir, {force: true, recursive: true})
  }
}

/** Installs of earlier builds (~22 MB each), once a day has passed since they were made. */
function removeOldInstalls(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!/^latch-host-acme-[0-9a-f]{16}$/.test(name)) continue
    try {
      if (Date.now() - statSync(join(tmpdir(), name, '.installed')).mtimeMs > 86_400_000) rmSync(join(tmpdir(), name), {force: true, recursive: true})
    } catch {}
  }
}

function install(dir: string, made: string): void {
  const staging = `${dir}.staging`
  rmSync(staging, {force: true, recursive: true})
  cpSync(FIXTURE, staging, {recursive: true})
  cpSync(made, join(staging, 'latch.tgz'))
  const pjsonPath = join(staging, 'package.json')
  const pjson = JSON.parse(readFileSync(pjsonPath, 'utf8'))
  pjson.dependencies.latch = 'file:./latch.tgz'
  writeFileSync(pjsonPath, `${JSON.stringify(pjson, null, 2)}\n`)
  // From npm's cache when it holds the packages (it does after this repository's own install).
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev'], staging)
  writeFileSync(join(staging, '.installed'), new Date().toISOString())
  rmSync(dir, {force: true, recursive: true})
  renameSync(staging, dir)
}

/** mkdir as a lock across jest workers; a lock older than 10 minutes is from a killed run. */
function withLock(lock: string, work: () => unknown): void {
  const deadline = Date.now() + 600_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      try {
        if (Date.now() - statSync(lock).mtimeMs > 600_000) rmSync(lock, {force: true, recursive: true})
      } catch {}

      if (Date.now() > deadline) throw new Error(`${lock} was held for 10 minutes`)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500)
    }
  }

  try {
    work()
  } finally {
    rmSync(lock, {force: true, recursive: true})
  }
}

/**
 * A clean environment for the host CLI: nothing of the outer shell's LATCH_ or ACME_ settings, HOME in
 * `home`, and no NODE_ENV (jest sets it to test, which makes oclif look for TypeScript sources).
 */
export function hostEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(LATCH|ACME|SSH)_/.test(key) || key === 'DISPLAY' || key === 'XDG_CONFIG_HOME' || key === 'DEBUG' || key === 'NODE_ENV') continue
    base[key] = value
  }

  const merged: Record<string, string | undefined> = {...base, HOME: home, ...extra}
  return Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined))
}
