/**
 * The device screen and its parts, on fake streams: what a terminal gets (cursor hidden then shown,
 * one status line redrawn in place) and what a log gets (plain lines, nothing else).
 */
import {describe, expect, it} from '@jest/globals'
import {PassThrough} from 'node:stream'

import {LatchError, ErrorKind} from '../../src/errors.js'
import {bigText, bigTextWidth} from '../../src/ui/big-text.js'
import {decideBrowser, detectWsl} from '../../src/ui/browser.js'
import {clipboardTools} from '../../src/ui/clipboard.js'
import {createDeviceScreen, formatCountdown, isInteractive} from '../../src/ui/device-screen.js'
import {errorLines} from '../../src/ui/error-report.js'
import {halfBlock} from '../../src/ui/half-block.js'
import {terminalQr} from '../../src/ui/qr.js'
import {painter, stripAnsi, useColor, visibleWidth, wrapText} from '../../src/ui/style.js'
import {decodeScreen} from '../helpers/screen-image.js'

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

/** What the terminal shows of each line written: the text after the last carriage return, without escapes. */
function shownLines(text: string): string[] {
  return stripAnsi(text)
    .split('\n')
    .map((line) => line.slice(line.lastIndexOf('\r') + 1))
}

describe('the device screen on a terminal', () => {
  it('hides the cursor while waiting, redraws one status line, and takes it away when approved', async () => {
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
    // The status line is erased and nothing is said: the command's success line says it, once.
    expect(text().endsWith('\r\u001B[J\u001B[?25h')).toBe(true)
    expect(text().slice(text().indexOf('\u001B[?25l'))).not.toContain('\n')
    expect(text().match(/\u001B\[\?25h/g)).toHaveLength(1)
  })

  it('says nothing of a failure itself: the error the command prints is the one statement of it', async () => {
    for (const error of [new LatchError(ErrorKind.LoginExpired, 'Login expired'), new LatchError(ErrorKind.LoginDenied, 'Login denied'), new Error('boom')]) {
      const {stream, text} = fakeStream(true)
      const screen = createDeviceScreen({bin: 'acme', env: {NO_COLOR: '1'}, stream})
      await screen.show(CODE)
      const before = text().length
      screen.fail(error)
      screen.stop()
      expect(text().slice(before)).toBe('\r\u001B[J\u001B[?25h')
    }
  })

  it('takes the status line away at once on abort, before the command prints its error', async () => {
    const {stream, text} = fakeStream(true)
    const controller = new AbortController()
    const screen = createDeviceScreen({bin: 'latch', env: {}, signal: controller.signal, stream})
    await screen.show(CODE)
    const before = text().length
    controller.abort('SIGINT')
    expect(text().slice(before)).toBe('\r\u001B[J\u001B[?25h')
    screen.fail(new Error('later'))
    screen.stop()
    expect(text().match(/\u001B\[\?25h/g)).toHaveLength(1)
  })

  it('prints notes above the status line, wrapped to the width', async () => {
    const {stream, text} = fakeStream(true)
    Object.assign(stream, {columns: 30})
    const screen = createDeviceScreen({bin: 'latch', env: {NO_COLOR: '1'}, stream})
    await screen.show(CODE)
    screen.note('Could not open a browser (spawn failed); open the URL above yourself.')
    screen.stop()
    expect(text()).toMatch(/\r\u001B\[JCould not open a browser\n\(spawn failed\); open the URL\nabove yourself\.\n.*The code expires in/)
  })

  it('redraws the status line for the new width when the window is resized, erasing the rows the old one reflowed onto', async () => {
    const {stream, text} = fakeStream(true)
    const screen = createDeviceScreen({bin: 'latch', env: {}, stream, tickMs: 60_000})
    await screen.show(CODE)
    const wide = stripAnsi(text().split('\u001B[?25l')[1])
    expect(wide.length).toBeGreaterThan(80)
    Object.assign(stream, {columns: 40})
    const before = text().length
    stream.emit('resize')
    // 85 columns of status line reflowed onto 3 rows of 40: up 2 rows, erase to the end of the screen.
    const redrawn = text().slice(before)
    expect(redrawn.startsWith(`\r\u001B[${Math.ceil(wide.length / 40) - 1}A\u001B[J`)).toBe(true)
    expect(stripAnsi(redrawn.slice(redrawn.indexOf('\u001B[J') + 3)).length).toBeLessThan(40)
    screen.stop()
    expect(text().endsWith('\r\u001B[J\u001B[?25h')).toBe(true)
    expect(stream.listenerCount('resize')).toBe(0)
  })

  it('keeps the indent of the QR caption with colour on', async () => {
    const {stream, text} = fakeStream(true)
    const screen = createDeviceScreen({bin: 'latch', env: {}, stream})
    await screen.show(CODE)
    screen.stop()
    expect(stripAnsi(text())).toContain('\n  Scan the code to open the URL on another device.\n')
  })

  for (const columns of [60, 80, 200]) {
    it(`at ${columns} columns no line is wider than the terminal, and every word is whole`, async () => {
      for (const env of [{}, {NO_COLOR: '1'}]) {
        const {stream, text} = fakeStream(true)
        Object.assign(stream, {columns})
        const screen = createDeviceScreen({bin: 'latch', env, stream})
        await screen.show(CODE)
        screen.note('Could not open a browser (no display); open the URL above yourself.')
        screen.stop()
        const lines = shownLines(text())
        for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns)
        const words = lines.join(' ').split(/\s+/)
        for (const word of ['https://auth.example.com/device?user_code=BCDF-GHJK', 'https://auth.example.com/device', 'approve', 'enter', 'code).', 'yourself.']) {
          expect(words).toContain(word)
        }
      }
    })
  }
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

  it('renders a QR code that a camera reads on a light and on a dark theme, with and without colour, side by side or stacked', async () => {
    const urls = ['http://127.0.0.1:4848/device?user_code=BCDF-GHJK', 'https://auth.example.com/oauth2/device/verify?user_code=WXYZ-QRST']
    for (const url of urls) {
      for (const color of [true, false]) {
        for (const columns of [58, 200]) {
          const qr = await terminalQr(url, color, {columns})
          expect(qr.width).toBeLessThanOrEqual(color ? 200 : columns)
          const screen = `${qr.lines.map((line) => `  ${line}`).join('\n')}\n  Scan to open the URL.\n`
          expect(decodeScreen(screen, 'light')).toBe(url)
          expect(decodeScreen(screen, 'dark')).toBe(url)
        }
      }
    }
  })

  it('draws the QR code and the big letters with the same half blocks', async () => {
    expect([halfBlock(true, true), halfBlock(true, false), halfBlock(false, true), halfBlock(false, false)]).toEqual(['█', '▀', '▄', ' '])
    const qr = await terminalQr('x', false)
    expect(qr.lines.join('')).toMatch(/^[ █▀▄]+$/)
  })

  it('wraps text at spaces only, keeping escapes out of the count', () => {
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four'])
    expect(wrapText('Hint: a b c', 8, '      ')).toEqual(['Hint: a', '      b', '      c'])
    expect(wrapText('  \u001B[2mdim words here\u001B[22m', 12, '  ')).toEqual(['  \u001B[2mdim words', '  here\u001B[22m'])
    expect(wrapText('see https://example.com/a/very/long/path now', 10)).toEqual(['see', 'https://example.com/a/very/long/path', 'now'])
    expect(visibleWidth('\u001B[1m✓ ok\u001B[22m')).toBe(4)
  })

  it('wraps error lines on a terminal only', () => {
    const described = {code: 'cancelled', exit: 130, hint: 'nothing was saved; your previous credentials are unchanged', message: 'Login cancelled'}
    expect(errorLines(described, undefined, {}, 40)).toBe('Error: Login cancelled\nHint: nothing was saved; your previous\n      credentials are unchanged\n')
    expect(errorLines(described, undefined, {}, undefined)).toBe('Error: Login cancelled\nHint: nothing was saved; your previous credentials are unchanged\n')
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

  it('paints with chalk at the 16 basic colours, whatever chalk itself would detect', () => {
    const paint = painter(true)
    expect(paint('x', 'red', 'bold')).toBe('\u001B[1m\u001B[31mx\u001B[39m\u001B[22m')
    expect(paint('x', 'cyan')).toBe('\u001B[36mx\u001B[39m')
    expect(paint('x', 'inverse')).toBe('\u001B[7mx\u001B[27m')
    // chalk reopens a colour that an inner span closed, so the rest of the line keeps it.
    expect(paint(`a${paint('b', 'green')}c`, 'red')).toBe('\u001B[31ma\u001B[32mb\u001B[39m\u001B[31mc\u001B[39m')
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
    const noWsl = () => undefined
    expect(decideBrowser('auto', {}, 'linux', desktop, noWsl)).toEqual({open: false, reason: 'no display'})
    expect(decideBrowser('auto', {CI: 'true', DISPLAY: ':0'}, 'linux', desktop).open).toBe(false)
    expect(decideBrowser('auto', {DISPLAY: ':0', SSH_CONNECTION: '1 2 3 4'}, 'linux', desktop).open).toBe(false)
    expect(decideBrowser('always', {CI: 'true'}, 'linux', container)).toEqual({open: true})
    expect(decideBrowser('never', {DISPLAY: ':0'}, 'linux', desktop).open).toBe(false)
  })
})

describe('the browser decision on WSL', () => {
  const desktop = () => false
  const interop = () => ({interop: true})
  const noInterop = () => ({interop: false})

  it('opens the Windows browser through interop, with no display of its own', () => {
    expect(decideBrowser('auto', {WSL_DISTRO_NAME: 'Debian'}, 'linux', desktop, interop)).toEqual({open: true, reason: 'WSL: through the Windows browser'})
    // WSLg's DISPLAY changes nothing: the Windows browser is still the one to open.
    expect(decideBrowser('auto', {DISPLAY: ':0', WSL_DISTRO_NAME: 'Debian'}, 'linux', desktop, interop).open).toBe(true)
  })

  it('without interop, does not try, and says why next to the URL', () => {
    expect(decideBrowser('auto', {WSL_DISTRO_NAME: 'Debian'}, 'linux', desktop, noInterop)).toEqual({
      open: false,
      reason: 'WSL without Windows interop (the Windows browser cannot be started from here)',
      tell: true,
    })
  })

  it('SSH and CI win over WSL; --browser and --no-browser win over everything', () => {
    expect(decideBrowser('auto', {SSH_CONNECTION: '1 2 3 4', WSL_DISTRO_NAME: 'Debian'}, 'linux', desktop, interop)).toEqual({open: false, reason: 'connected over SSH'})
    expect(decideBrowser('auto', {CI: 'true'}, 'linux', desktop, interop)).toEqual({open: false, reason: 'running in CI'})
    expect(decideBrowser('always', {}, 'linux', desktop, noInterop)).toEqual({open: true})
    expect(decideBrowser('never', {}, 'linux', desktop, interop).open).toBe(false)
  })

  it('detects WSL from WSL_DISTRO_NAME and interop from WSL_INTEROP; not on other platforms', () => {
    expect(detectWsl({WSL_DISTRO_NAME: 'Ubuntu', WSL_INTEROP: '/run/WSL/1_interop'}, 'linux')).toEqual({interop: true})
    expect(detectWsl({WSL_DISTRO_NAME: 'Ubuntu'}, 'darwin')).toBeUndefined()
    expect(detectWsl({WSL_DISTRO_NAME: 'Ubuntu'}, 'win32')).toBeUndefined()
    // This machine is not WSL: no variable, and its kernel does not name Microsoft.
    expect(detectWsl({}, 'linux')).toBeUndefined()
  })
})
