/**
 * A QR code for the terminal: qrcode (npm) encodes, and we draw two modules per character cell with
 * half blocks (see half-block.ts), quiet zone included.
 *
 * A scanner wants dark modules on a light ground, and the terminal's own colours may be either way
 * round. With colour, every cell of the code and of its 4-module quiet zone is painted black on white,
 * so the theme does not matter. Without colour (NO_COLOR), the foreground may be dark (light theme) or
 * light (dark theme), and no single drawing reads as dark-on-light both ways. So two codes are drawn
 * side by side (or one above the other when the terminal is narrow): one with the dark modules in the
 * foreground, for light themes, and one with the light modules and the quiet zone in the foreground,
 * for dark themes. Whatever the theme, one of the two is dark on light, quiet zone and all.
 */
import {halfBlock} from './half-block.js'

/** Modules of quiet zone around the painted code: what ISO/IEC 18004 asks for. */
const PAINTED_QUIET_ZONE = 4
/** Around each of the two unpainted codes: less than 4 so that the pair fits 80 columns; scanners read it. */
const PAIRED_QUIET_ZONE = 2

export interface TerminalQr {
  lines: string[]
  /** Columns the code takes. */
  width: number
}

export interface TerminalQrOptions {
  /** Columns available: without colour, the pair of codes is stacked when side by side would not fit. */
  columns?: number
}

export async function terminalQr(text: string, color: boolean, options: TerminalQrOptions = {}): Promise<TerminalQr> {
  const {default: qrcode} = await import('qrcode')
  const {data, size} = qrcode.create(text, {errorCorrectionLevel: 'L'}).modules
  const dark = (y: number, x: number) => y >= 0 && y < size && x >= 0 && x < size && data[y * size + x] === 1

  if (color) {
    // `ink` is where the foreground shows: black on the explicit white background.
    const lines = draw(size, PAINTED_QUIET_ZONE, (y, x) => dark(y, x))
    return {lines: lines.map((line) => `\u001B[30;47m${line}\u001B[39;49m`), width: lines[0].length}
  }

  const forLightTheme = draw(size, PAIRED_QUIET_ZONE, (y, x) => dark(y, x))
  const forDarkTheme = draw(size, PAIRED_QUIET_ZONE, (y, x) => !dark(y, x))
  const single = forLightTheme[0].length
  if (options.columns === undefined || 2 * single <= options.columns) {
    return {lines: forLightTheme.map((line, row) => line + forDarkTheme[row]), width: 2 * single}
  }

  return {lines: [...forLightTheme, ...forDarkTheme], width: single}
}

/**
 * Rows of half blocks for a `size`-module code inside `quiet` modules of margin, `ink(y, x)` telling
 * where the foreground goes (coordinates in modules, outside the code for the quiet zone). An odd
 * number of module rows gets one more row of quiet zone at the bottom, so that every cell is defined.
 */
function draw(size: number, quiet: number, ink: (y: number, x: number) => boolean): string[] {
  const width = size + 2 * quiet
  const height = width + (width % 2)
  const lines: string[] = []
  for (let row = 0; row < height; row += 2) {
    let line = ''
    for (let column = 0; column < width; column++) {
      line += halfBlock(ink(row - quiet, column - quiet), ink(row + 1 - quiet, column - quiet))
    }

    lines.push(line)
  }

  return lines
}
