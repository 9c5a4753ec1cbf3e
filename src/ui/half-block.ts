/**
 * Two pixels stacked in one character cell: a terminal cell is about twice as tall as it is wide, so
 * half blocks draw square pixels. `upper` and `lower` are true where the terminal's foreground shows.
 * The big letters of the device code and the QR code are both drawn with it.
 */
export function halfBlock(upper: boolean, lower: boolean): string {
  if (upper && lower) return '█'
  if (upper) return '▀'
  if (lower) return '▄'
  return ' '
}
