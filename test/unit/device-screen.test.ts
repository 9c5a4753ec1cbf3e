/**
 * The device screen and its parts, on fake streams: what a terminal gets (cursor hidden then shown,
 * one status line redrawn in place) and what a log gets (plain lines, nothing else).
 */
import {describe, expect, it} from '@jest/globals'
import {PassThrough} from 'node:stream'

import {LatchError, ErrorKind} from '../../src/errors.js'
import {bigText, bigTextWidth} from '../../src/ui/big-text.js'
import {decideBrowser} from '../../src/ui/browser.js'
import {clipboardTools} from '../../src/ui/clipboard.js'
import {createDeviceScreen, formatCountdown, isInteractive} from '../../src/ui/device-screen.js'
import {terminalQr} from '../../src/ui/qr.js'
import {painter, stripAnsi, useColor} from '../../src/ui/style.js'
import {decodeTerminalQr} from '../helpers/tmux.js'

const CODE = {expiresIn: 900, userCode: 'BCDF-GHJK', verificationUri: 'https://auth.example.com/device', verificationUriComplete: 'https://auth.example.com/device?user_code=BCDF-GHJK'}

function fakeStream(tty: boolean): {stream: NodeJS.WriteStream; text: () => string} {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream
  Object.assign(stream, {columns: 100, isTTY: tty, rows: 50})
  let text = ''
  ;(stream as unknown as PassThrough).on('data', (chunk) => {
    text += chunk
  })
  return {stream, text: () => text}
}

describe('the device screen on a terminal', () => {
  it('hides the cursor while waiting, redraws one status line, and shows the cursor when approved', async () => {
    const {stream, text} = fakeStream(true)
    let now = 1_000_000
    const screen = createDeviceScreen({bin: 'latch', env: {}, now: () => now, stream, tickMs: 5})
    await screen.show(CODE)
    expect(text()).toContain('\u001B[?25l')
    expect(stripAnsi(text())).toContain('the code expires in 15:00')
    now += 61_000
    await new Promise((resolve) => {
      setTimeout(resolve, 30)
    })
    expect(stripAnsi(text())).toContain('the code expires in 13:59')
    // Redraws return to column 0 and never print a newline.
    const afterShow = text().slice(text().indexOf('\u001B[?25l'))
    expect(afterShow).not.toContain('\n')
    screen.approved()
    screen.stop()
    expect(text().endsWith('\u001B[?25h')).toBe(true)
    expect(stripAnsi(text())).toContain('✓ Approved in the browser.\n')
    expect(text().match(/\u001B\[\?25h/g)).toHaveLength(1)
  })

  it('says the code expired and how to get a new one', async () => {
    const {stream, text} = fakeStream(true)
    const screen = createDeviceScreen({bin: 'acme', env: {NO_COLOR: '1'}, stream})
    await screen.show(CODE)
    screen.fail(new LatchError(ErrorKind.LoginExpired, 'Login expired'))
    screen.stop()
    expect(text()).toContain('✗ The code expired before it was approved. Run `acme login` again for a new code.\n\u001B[?25h')
  })

  it('clears the status line on abort, before the command prints its error', async () => {
    const {stream, text} = fakeStream(true)
    const controller = new AbortController()
    const screen = createDeviceScreen({bin: 'latch', env: {}, signal: controller.signal, stream})
    await screen.show(CODE)
    controller.abort('SIGINT')
    expect(stripAnsi(text())).toMatch(/Cancelled\. Nothing was saved\.\n$/)
    expect(text()).toContain('\u001B[?25h')
    screen.fail(new Error('later'))
    screen.stop()
    expect(text().match(/\u001B\[\?25h/g)).toHaveLength(1)
  })

  it('stop() while still waiting (an unexpected exit) erases the status line and gives the cursor back', async () => {
    const {stream, text} = fakeStream(true)
    const screen = createDeviceScreen({bin: 'latch', env: {}, stream})
    await screen.show(CODE)
    screen.stop()
    expect(text().endsWith('\r\u001B[2K\u001B[?25h')).toBe(true)
    screen.stop()
    expect(text().match(/\u001B\[\?25h/g)).toHaveLength(1)
  })

  it('prints notes above the status line', async () => {
    const {stream, text} = fakeStream(true)
    const screen = createDeviceScreen({bin: 'latch', env: {}, stream})
    await screen.show(CODE)
    screen.note('Copied the code to the clipboard.')
    screen.stop()
    expect(text()).toMatch(/\r\u001B\[2KCopied the code to the clipboard\.\n.*Waiting for approval/)
  })
})

describe('the device screen without a terminal', () => {
  it('writes exactly the plain lines, with no escape sequences', async () => {
    const {stream, text} = fakeStream(false)
    const screen = createDeviceScreen({bin: 'latch', env: {}, stream})
    await screen.show(CODE)
    screen.approved()
    screen.fail(new Error('x'))
    screen.stop()
    expect(text()).toBe(
      'Your device code is: BCDF-GHJK\nOpen https://auth.example.com/device?user_code=BCDF-GHJK to approve this login (or go to https://auth.example.com/device and enter the code).\nWaiting for approval (the code expires in 15 minutes)...\n',
    )
  })

  it('is plain for --json and TERM=dumb even on a terminal', () => {
    const {stream} = fakeStream(true)
    expect(isInteractive({env: {}, stream})).toBe(true)
    expect(isInteractive({env: {}, json: true, stream})).toBe(false)
    expect(isInteractive({env: {TERM: 'dumb'}, stream})).toBe(false)
  })
})

describe('parts', () => {
  it('formats the countdown', () => {
    expect(formatCountdown(900_000)).toBe('15:00')
    expect(formatCountdown(9_001)).toBe('0:10')
    expect(formatCountdown(-5)).toBe('0:00')
  })

  it('draws the code in three rows of half blocks, and refuses characters it has no glyph for', () => {
    const lines = bigText('BCDF-GHJK')!
    expect(lines).toHaveLength(3)
    for (const line of lines) expect([...line]).toHaveLength(bigTextWidth('BCDF-GHJK'))
    expect(bigText('AB?')).toBeUndefined()
  })

  it('renders a QR code that decodes back to the URL, with and without colour', async () => {
    const url = 'http://127.0.0.1:4848/device?user_code=BCDF-GHJK'
    expect(decodeTerminalQr((await terminalQr(url, true)).lines.map(stripAnsi).join('\n'))).toBe(url)
    expect(decodeTerminalQr((await terminalQr(url, false)).lines.join('\n'))).toBe(url)
  })

  it('decides colour like Node: FORCE_COLOR, then NO_COLOR, then a terminal', () => {
    expect(useColor({}, {isTTY: true})).toBe(true)
    expect(useColor({}, {isTTY: false})).toBe(false)
    expect(useColor({NO_COLOR: '1'}, {isTTY: true})).toBe(false)
    expect(useColor({FORCE_COLOR: '0'}, {isTTY: true})).toBe(false)
    expect(useColor({FORCE_COLOR: '1'}, {isTTY: false})).toBe(true)
    expect(useColor({TERM: 'dumb'}, {isTTY: true})).toBe(false)
    expect(painter(false)('x', 'bold')).toBe('x')
    expect(painter(true)('x', 'bold')).toBe('\u001B[1mx\u001B[22m')
  })

  it('picks a clipboard tool for the session', () => {
    expect(clipboardTools({}, 'darwin')).toEqual([{args: [], command: 'pbcopy'}])
    expect(clipboardTools({}, 'win32')).toEqual([{args: [], command: 'clip'}])
    expect(clipboardTools({WAYLAND_DISPLAY: 'wayland-0'}, 'linux').map((tool) => tool.command)).toEqual(['wl-copy'])
    expect(clipboardTools({DISPLAY: ':0'}, 'linux').map((tool) => tool.command)).toEqual(['xclip', 'xsel'])
    expect(clipboardTools({}, 'linux')).toEqual([])
  })

  it('opens a browser only where a local GUI is likely', () => {
    const desktop = () => false
    const container = () => true
    expect(decideBrowser('auto', {DISPLAY: ':0'}, 'linux', desktop)).toEqual({open: true})
    expect(decideBrowser('auto', {}, 'linux', desktop)).toEqual({open: false, reason: 'no display'})
    expect(decideBrowser('auto', {}, 'linux', container)).toEqual({open: false, reason: 'in a container without a display'})
    expect(decideBrowser('auto', {}, 'darwin', container)).toEqual({open: false, reason: 'in a container without a display'})
    expect(decideBrowser('auto', {DISPLAY: ':0'}, 'linux', container)).toEqual({open: true})
    expect(decideBrowser('auto', {WSL_DISTRO_NAME: 'Debian'}, 'linux', desktop)).toEqual({open: true})
    expect(decideBrowser('auto', {CI: 'true', DISPLAY: ':0'}, 'linux', desktop).open).toBe(false)
    expect(decideBrowser('auto', {DISPLAY: ':0', SSH_CONNECTION: '1 2 3 4'}, 'linux', desktop).open).toBe(false)
    expect(decideBrowser('always', {CI: 'true'}, 'linux', container)).toEqual({open: true})
    expect(decideBrowser('never', {DISPLAY: ':0'}, 'linux', desktop).open).toBe(false)
  })
})
