#!/usr/bin/env node
// The README's main job: start the local emulator, sign in with the device flow against it, show whoami.
// The emulator approves as "alice" after one poll interval, so this runs unattended; credentials go to
// a throwaway config directory so your real ~/.config/latch is never touched.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const configDir = mkdtempSync(join(tmpdir(), 'latch-quickstart-'))

const emulator = spawn(process.execPath, [bin, 'emulator', '--port', '0', '--json', '--auto-approve', 'alice', '--interval', '1'], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
const stopEmulator = () => emulator.exitCode === null && emulator.kill('SIGTERM')
process.on('exit', () => {
  stopEmulator()
  rmSync(configDir, {force: true, recursive: true})
})

const ready = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('the emulator did not start within 15 s')), 15_000)
  emulator.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before it was ready`)))
  createInterface({input: emulator.stdout}).once('line', (line) => {
    clearTimeout(timer)
    resolve(JSON.parse(line))
  })
})
console.error(`Emulator ready at ${ready.issuer} (it approves as alice after about a second).\n`)

const env = {...process.env, LATCH_CONFIG_DIR: configDir, LATCH_ISSUER: ready.issuer}
for (const key of ['LATCH_TOKEN', 'LATCH_ACCESS_KEY', 'LATCH_API_URL']) delete env[key]
const run = (args) =>
  new Promise((resolve) => {
    console.error(`$ latch ${args.join(' ')}`)
    spawn(process.execPath, [bin, ...args], {env, stdio: 'inherit'}).on('exit', (code) => resolve(code ?? 1))
  })

let code = await run(['login', '--no-browser'])
if (code === 0) {
  console.error('')
  code = await run(['whoami'])
}

stopEmulator()
process.exitCode = code
