/**
 * Measuring and wrapping text for a terminal. No chalk here: this is on the start-up path of every
 * command (context.note, error lines), which wraps text but never paints it (docs/performance.md).
 */

/** Removes SGR and cursor sequences: for measuring what a line takes on screen. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replaceAll(/\u001B\[[\d;?]*[A-Za-z]/g, '')
}

/** Columns a string takes on screen: escape sequences take none. */
export function visibleWidth(text: string): number {
  return [...stripAnsi(text)].length
}

/**
 * `text` in lines of at most `columns` columns, broken at spaces only, so that no word is ever split
 * across lines; the terminal then has nothing left to wrap. A word longer than a whole line (a long
 * URL) gets a line of its own and the terminal wraps that, so that it still copies whole. Leading
 * spaces are kept on the first line; the lines after it start with `indent`. Escape sequences (colour)
 * take no room. Newlines in `text` start new lines.
 */
export function wrapText(text: string, columns: number, indent = ''): string[] {
  const lines: string[] = []
  for (const paragraph of text.split('\n')) {
    const lead = /^ */.exec(paragraph)![0]
    const words = paragraph.slice(lead.length).split(/ +/).filter(Boolean)
    let line = lead
    let width = lead.length
    let empty = true
    for (const word of words) {
      const wordWidth = visibleWidth(word)
      if (empty) {
        line += word
        width += wordWidth
      } else if (width + 1 + wordWidth > columns) {
        lines.push(line)
        line = indent + word
        width = indent.length + wordWidth
      } else {
        line += ` ${word}`
        width += 1 + wordWidth
      }

      empty = false
    }

    lines.push(line)
  }

  return lines
}

/** `text` wrapped (wrapText) to the width of `stream` when it is a terminal; unchanged for pipes and files. */
export function wrapFor(stream: {columns?: number; isTTY?: boolean}, text: string, indent = ''): string {
  return stream.isTTY && stream.columns ? wrapText(text, stream.columns, indent).join('\n') : text
}
