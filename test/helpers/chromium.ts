/**
 * Debian's chromium, driven by playwright-core (never a downloaded browser), with the flags this
 * machine needs: no sandbox as root, no background networking (the network is closed), a fresh
 * profile per launch. Also: a tmux screen (with its colours) rendered as an HTML page, to screenshot.
 */
import {existsSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type BrowserContext, chromium} from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH)
}

export interface LaunchedBrowser {
  /** A persistent context on a fresh, empty profile: open pages with `browser.newPage()`. */
  browser: BrowserContext
  close(): Promise<void>
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'latch-chromium-'))
  // Playwright passes the profile as --user-data-dir itself.
  const browser = await chromium.launchPersistentContext(profile, {
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    executablePath: CHROMIUM_PATH,
    headless: true,
  })
  return {
    browser,
    async close() {
      await browser.close()
      await rm(profile, {force: true, recursive: true})
    },
  }
}

const PALETTE = ['#1e1e1e', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#dcdfe4']
const BRIGHT = ['#5c6370', '#ff7b86', '#b5e890', '#ffd68a', '#7cc5ff', '#de9bf0', '#7fd6e0', '#ffffff']
const FOREGROUND = '#dcdfe4'
const BACKGROUND = '#1e1e1e'

/** An HTML page showing `screen` (capture-pane -e output) as a terminal would: SGR colours, bold, dim, inverse. */
export function terminalHtml(screen: string, title = 'latch login'): string {
  let fg: string | undefined
  let bg: string | undefined
  let bold = false
  let dim = false
  let inverse = false
  let html = ''
  const style = () => {
    let color = fg ?? FOREGROUND
    let background = bg
    if (inverse) [color, background] = [background ?? BACKGROUND, color]
    return `color:${color};${background ? `background:${background};` : ''}${bold ? 'font-weight:bold;' : ''}${dim ? 'opacity:0.6;' : ''}`
  }

  // eslint-disable-next-line no-control-regex
  for (const part of screen.split(/(\u001B\[[\d;]*m)/)) {
    const sgr = part.match(/^\u001B\[([\d;]*)m$/)
    if (!sgr) {
      if (part) html += `<span style="${style()}">${escapeHtml(part)}</span>`
      continue
    }

    const codes = sgr[1] === '' ? [0] : sgr[1].split(';').map(Number)
    for (let index = 0; index < codes.length; index++) {
      const code = codes[index]
      if (code === 0) [fg, bg, bold, dim, inverse] = [undefined, undefined, false, false, false]
      else if (code === 1) bold = true
      else if (code === 2) dim = true
      else if (code === 22) [bold, dim] = [false, false]
      else if (code === 7) inverse = true
      else if (code === 27) inverse = false
      else if (code >= 30 && code <= 37) fg = PALETTE[code - 30]
      else if (code === 39) fg = undefined
      else if (code >= 40 && code <= 47) bg = code === 47 ? '#ffffff' : PALETTE[code - 40]
      else if (code === 49) bg = undefined
      else if (code >= 90 && code <= 97) fg = BRIGHT[code - 90]
      else if (code === 38 || code === 48) {
        // 256-colour and truecolour: skip their arguments, keep the default colour.
        index += codes[index + 1] === 5 ? 2 : 4
      }
    }
  }

  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>
body{margin:0;background:#2b2b2b;font-family:'DejaVu Sans Mono','Liberation Mono',monospace}
.window{display:inline-block;margin:16px;border-radius:8px;overflow:hidden;box-shadow:0 4px 16px #0008}
.bar{background:#3a3a3a;color:#bbb;font:13px sans-serif;padding:6px 12px}
pre{margin:0;padding:12px 16px;background:${BACKGROUND};color:${FOREGROUND};font-size:15px;line-height:1.16;font-family:inherit}
</style></head><body><div class="window"><div class="bar">${escapeHtml(title)}</div><pre>${html}</pre></div></body></html>`
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
