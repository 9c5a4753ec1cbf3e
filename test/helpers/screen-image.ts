/**
 * A captured terminal screen (tmux `capture-pane -e`, escapes kept) drawn as pixels the way a
 * terminal with a light or a dark theme would show it, then read by jsQR as a phone camera would:
 * dark modules on a light ground only (`inversionAttempts: 'dontInvert'`). Default foreground and
 * background come from the theme; explicit SGR colours (30-37, 40-47, 90-97, 100-107, 38/48;5 and
 * 38/48;2) from the xterm palette, which themes do not swap. Text other than blocks is drawn as a thin
 * bar of foreground, about as much ink as a letter has.
 */
import {jsQR} from './tmux.js'

export type Theme = 'dark' | 'light'
type Rgb = [number, number, number]
type Colour = {index: number} | {rgb: Rgb} | undefined

const THEMES: Record<Theme, {background: Rgb; foreground: Rgb}> = {
  dark: {background: [24, 24, 24], foreground: [220, 220, 220]},
  light: {background: [250, 250, 250], foreground: [32, 32, 32]},
}

const BASIC: Rgb[] = [
  [0, 0, 0], [205, 0, 0], [0, 205, 0], [205, 205, 0], [0, 0, 238], [205, 0, 205], [0, 205, 205], [229, 229, 229],
  [127, 127, 127], [255, 0, 0], [0, 255, 0], [255, 255, 0], [92, 92, 255], [255, 0, 255], [0, 255, 255], [255, 255, 255],
]

function paletteColour(index: number): Rgb {
  if (index < 16) return BASIC[index]
  if (index >= 232) {
    const level = 8 + (index - 232) * 10
    return [level, level, level]
  }

  const cube = index - 16
  const level = (value: number) => (value === 0 ? 0 : 55 + value * 40)
  return [level(Math.floor(cube / 36)), level(Math.floor(cube / 6) % 6), level(cube % 6)]
}

interface Cell {
  background: Colour
  char: string
  foreground: Colour
  reverse: boolean
}

/** The screen as cells with their colours, from capture-pane text with SGR escapes. */
export function parseScreen(capture: string): Cell[][] {
  let foreground: Colour
  let background: Colour
  let reverse = false
  const rows: Cell[][] = []
  for (const line of capture.replace(/\n$/, '').split('\n')) {
    const row: Cell[] = []
    // eslint-disable-next-line no-control-regex
    const tokens = line.split(/(\u001B\[[\d;?]*[A-Za-z])/)
    for (const token of tokens) {
      if (token.startsWith('\u001B[')) {
        if (!token.endsWith('m')) continue
        const codes = token.slice(2, -1).split(';').map((code) => (code === '' ? 0 : Number(code)))
        for (let i = 0; i < codes.length; i++) {
          const code = codes[i]
          if (code === 0) {
            foreground = undefined
            background = undefined
            reverse = false
          } else if (code === 7) reverse = true
          else if (code === 27) reverse = false
          else if (code >= 30 && code <= 37) foreground = {index: code - 30}
          else if (code >= 90 && code <= 97) foreground = {index: code - 90 + 8}
          else if (code >= 40 && code <= 47) background = {index: code - 40}
          else if (code >= 100 && code <= 107) background = {index: code - 100 + 8}
          else if (code === 39) foreground = undefined
          else if (code === 49) background = undefined
          else if (code === 38 || code === 48) {
            let colour: Colour
            if (codes[i + 1] === 5) {
              colour = {index: codes[i + 2]}
              i += 2
            } else {
              colour = {rgb: [codes[i + 2], codes[i + 3], codes[i + 4]]}
              i += 4
            }

            if (code === 38) foreground = colour
            else background = colour
          }
        }

        continue
      }

      for (const char of token) row.push({background, char, foreground, reverse})
    }

    rows.push(row)
  }

  return rows
}

export interface ScreenImage {
  data: Uint8ClampedArray
  height: number
  width: number
}

/** Pixels of the screen in `theme`: each cell `scale` wide and `2 * scale` tall, a half block being a square. */
export function renderScreen(cells: Cell[][], theme: Theme, scale = 4): ScreenImage {
  const columns = Math.max(1, ...cells.map((row) => row.length))
  const margin = 4 * scale
  const width = columns * scale + 2 * margin
  const height = cells.length * 2 * scale + 2 * margin
  const {background: themeBackground, foreground: themeForeground} = THEMES[theme]
  const data = new Uint8ClampedArray(width * height * 4)
  const paint = (x: number, y: number, [r, g, b]: Rgb) => {
    const offset = (y * width + x) * 4
    data[offset] = r
    data[offset + 1] = g
    data[offset + 2] = b
    data[offset + 3] = 255
  }

  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) paint(x, y, themeBackground)
  const resolve = (colour: Colour, fallback: Rgb): Rgb => (colour === undefined ? fallback : 'rgb' in colour ? colour.rgb : paletteColour(colour.index))
  for (const [rowIndex, row] of cells.entries()) {
    for (const [columnIndex, cell] of row.entries()) {
      let fg = resolve(cell.foreground, themeForeground)
      let bg = resolve(cell.background, themeBackground)
      if (cell.reverse) [fg, bg] = [bg, fg]
      const inked = (upper: boolean, lower: boolean) => (pixelRow: number) => (pixelRow < scale ? upper : lower)
      const ink =
        cell.char === '█'
          ? inked(true, true)
          : cell.char === '▀'
            ? inked(true, false)
            : cell.char === '▄'
              ? inked(false, true)
              : cell.char === ' '
                ? inked(false, false)
                : (pixelRow: number) => pixelRow >= Math.floor(scale * 0.8) && pixelRow < Math.ceil(scale * 1.2)
      for (let dy = 0; dy < 2 * scale; dy++) {
        const colour = ink(dy) ? fg : bg
        for (let dx = 0; dx < scale; dx++) paint(margin + columnIndex * scale + dx, margin + rowIndex * 2 * scale + dy, colour)
      }
    }
  }

  return {data, height, width}
}

/** What a camera reads from the screen shown in `theme`, without trying the inverted image. */
export function decodeScreen(capture: string, theme: Theme): string | undefined {
  const {data, height, width} = renderScreen(parseScreen(capture), theme)
  return jsQR(data, width, height, {inversionAttempts: 'dontInvert'})?.data
}
