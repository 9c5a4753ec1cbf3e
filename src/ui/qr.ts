/**
 * A QR code for the terminal: qrcode (npm) encodes, and we draw two modules per character cell with
 * half blocks, inside a quiet zone. With colour the code is black on an explicit white background, so
 * it scans on dark and light themes alike; without colour the light modules are drawn as blocks,
 * which suits the usual light-on-dark terminal (phone scanners also read the inverted code).
 */
const QUIET_ZONE = 2

export interface TerminalQr {
  lines: string[]
  /** Columns the code takes. */
  width: number
}

export async function terminalQr(text: string, color: boolean): Promise<TerminalQr> {
  const {default: qrcode} = await import('qrcode')
  const {data, size} = qrcode.create(text, {errorCorrectionLevel: 'L'}).modules
  const full = size + 2 * QUIET_ZONE
  const dark = (row: number, column: number) => {
    const y = row - QUIET_ZONE
    const x = column - QUIET_ZONE
    return y >= 0 && y < size && x >= 0 && x < size && data[y * size + x] === 1
  }

  // The cell is "ink" where the terminal draws its foreground: dark modules with colour, light ones without.
  const ink = (row: number, column: number) => (row < full ? dark(row, column) === color : false)
  const lines: string[] = []
  for (let row = 0; row < full; row += 2) {
    let line = ''
    for (let column = 0; column < full; column++) line += halfBlock(ink(row, column), ink(row + 1, column))
    lines.push(color ? `\u001B[30;47m${line}\u001B[0m` : line)
  }

  return {lines, width: full}
}

function halfBlock(upper: boolean, lower: boolean): string {
  if (upper && lower) return '█'
  if (upper) return '▀'
  if (lower) return '▄'
  return ' '
}
