/**
 * A real browser: Debian's chromium, driven by playwright-core, opens the URL latch printed, signs in
 * on the emulator's pages and approves or denies, and latch (running in a real terminal) finishes.
 * Also: the QR code on latch's screen, photographed by chromium, decodes back to that URL; and
 * LATCH_BROWSER / --browser choose and force the browser without ever delaying the polling.
 *
 * Screenshots go to a temporary folder; with UPDATE_SCREENSHOTS=1 they replace docs/images/*.png.
 */
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from '@jest/globals'
import {chmod, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {PNG} from 'pngjs'

import {hasChromium, launchChromium, type LaunchedBrowser, terminalHtml} from '../helpers/chromium.js'
import {DEVICE_CODE, makeSandbox, type Sandbox, startCli} from '../helpers/cli.js'
import {type RunningEmulator, startEmulator} from '../helpers/emulator.js'
import {commandExists, describeWithTools, jsQR, pause, Terminal} from '../helpers/tmux.js'
import {readLogin} from '../helpers/files.js'

const IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url))

let emulator: RunningEmulator
let sandbox: Sandbox
let terminal: Terminal | undefined
let shots: string

beforeAll(async () => {
  emulator = await startEmulator(['--interval', '0.2'])
  shots = process.env.UPDATE_SCREENSHOTS === '1' ? IMAGES : await mkdtemp(join(tmpdir(), 'latch-shots-'))
  await mkdir(shots, {recursive: true})
})
afterAll(async () => {
  await emulator?.stop()
  if (shots && shots !== IMAGES) await rm(shots, {force: true, recursive: true})
})
beforeEach(async () => {
  sandbox = await makeSandbox(emulator.issuer)
})
afterEach(async () => {
  await terminal?.stop()
  terminal = undefined
  await sandbox.cleanup()
})

const OPEN_URL = /Open (\S+) to approve this login/

/** Waits for a file to appear and hold something. */
async function readWhenWritten(path: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => '')
    if (text.trim()) return text.trim()
    if (Date.now() > deadline) throw new Error(`${path} was not written within ${timeoutMs} ms`)
    await pause(100)
  }
}

describeWithTools({chromium: hasChromium(), tmux: commandExists('tmux')}, 'in a real browser (chromium)', () => {
  let chromium: LaunchedBrowser

  beforeAll(async () => {
    chromium = await launchChromium()
  })
  afterAll(async () => {
    await chromium?.close()
  })
  beforeEach(async () => {
    // Each test is a person arriving fresh: no emulator session from the test before.
    await chromium.browser.clearCookies()
    chromium.browser.setDefaultTimeout(10_000)
  })

  it('opens the printed URL, signs in, approves, and latch finishes signed in; the QR photographed decodes to the URL', async () => {
    terminal = await Terminal.start({args: ['login', '--no-browser'], env: sandbox.env({CI: undefined, FORCE_COLOR: undefined, NO_COLOR: undefined, NODE_ENV: undefined}), height: 44, width: 92})
    const screen = await terminal.waitFor(/the code expires in/)
    const [, url] = screen.match(OPEN_URL)!
    const [, userCode] = screen.match(DEVICE_CODE)!
    expect(url).toBe(`${emulator.issuer}/device?user_code=${userCode}`)

    // latch's screen, colours and all, as a picture; then the QR code read from the picture.
    const shown = await chromium.browser.newPage()
    await shown.setViewportSize({height: 900, width: 1000})
    await shown.setContent(terminalHtml(await terminal.capture({colors: true}), `latch login`))
    const picture = await shown.locator('.window').screenshot({path: join(shots, 'login-terminal.png')})
    const png = PNG.sync.read(picture)
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(url)
    await shown.close()

    const page = await chromium.browser.newPage()
    await page.setViewportSize({height: 900, width: 720})
    await page.goto(url)
    expect((await page.locator('.code').textContent())?.trim()).toBe(userCode)
    await page.getByRole('button', {exact: true, name: 'Continue'}).click()
    await page.getByRole('button', {name: /Alice Example/}).click()
    await page.getByRole('heading', {name: /Authorize/}).waitFor()
    await page.screenshot({fullPage: true, path: join(shots, 'consent-page.png')})
    await page.getByRole('button', {name: 'Approve'}).click()
    await page.getByRole('heading', {name: 'Device signed in'}).waitFor()
    await page.close()

    expect(await terminal.exitCode()).toBe(0)
    const done = await terminal.capture()
    expect(done).toContain('Authenticated successfully as Alice Example (usr_alice).')
    expect((await readLogin(sandbox.credentialsPath)).user.id).toBe('usr_alice')
  })

  it('a person who types the code and denies: latch exits 8 and saves nothing', async () => {
    const login = startCli(['login', '--no-browser'], {env: sandbox.env()})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    const page = await chromium.browser.newPage()
    await page.goto(`${emulator.issuer}/device`)
    await page.locator('input[name="user_code"]').fill(userCode)
    await page.getByRole('button', {exact: true, name: 'Continue'}).click()
    await page.getByRole('button', {exact: true, name: 'Continue'}).click()
    await page.getByRole('button', {name: /Bob/}).click()
    await page.getByRole('button', {name: 'Deny'}).click()
    await page.getByText(/denied/i).first().waitFor()
    await page.close()

    const result = await login.done
    expect(result.code).toBe(8)
    expect(result.stderr).toContain('Error: Login denied')
    await expect(readFile(sandbox.credentialsPath)).rejects.toThrow()
  })

  it('LATCH_BROWSER names the browser; latch polls while it is still running and finishes when approved', async () => {
    // A "browser" that records its argv and then stays open, like a real one.
    const fake = join(sandbox.home, 'fake-browser')
    const record = join(sandbox.home, 'opened')
    await writeFile(fake, `#!/bin/sh\necho $$ > '${record}.pid'\necho "$@" > '${record}'\nexec sleep 30\n`)
    await chmod(fake, 0o755)
    const login = startCli(['login', '--browser'], {env: sandbox.env({LATCH_BROWSER: fake})})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    const opened = await readWhenWritten(record)
    expect(opened).toBe(`${emulator.issuer}/device?user_code=${userCode}`)

    const page = await chromium.browser.newPage()
    await page.goto(opened)
    await page.getByRole('button', {exact: true, name: 'Continue'}).click()
    await page.getByRole('button', {name: /Alice Example/}).click()
    await page.getByRole('button', {name: 'Approve'}).click()
    await page.getByRole('heading', {name: 'Device signed in'}).waitFor()
    await page.close()

    const result = await login.done
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('Authenticated successfully as Alice Example')
    process.kill(Number(await readFile(`${record}.pid`, 'utf8')), 'SIGTERM')
  })
})

describe('a browser that cannot start', () => {
  it('is one line of note; the code and URL are printed and the login still completes', async () => {
    const login = startCli(['login', '--browser'], {env: sandbox.env({LATCH_BROWSER: join(sandbox.home, 'no-such-browser')})})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await login.waitFor(/Could not open a browser/)
    await emulator.approve(userCode)
    const result = await login.done

    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`Open ${emulator.issuer}/device?user_code=${userCode}`)
    expect(result.stderr.match(/Could not open a browser[^\n]*open the URL above yourself\.\n/g)).toHaveLength(1)
  })
})
