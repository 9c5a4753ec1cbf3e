/**
 * Whether stderr gets colour, and the few styles latch uses, painted by chalk. latch decides whether to
 * colour, once, from the environment, the way Node itself does (FORCE_COLOR first, then NO_COLOR, then
 * a terminal that is not `dumb`); chalk's own detection (which ignores NO_COLOR and turns colour on in
 * some CI systems' pipes) is not used: chalk paints at level 1 (the 16 basic colours) or not at all.
 */
import {Chalk} from 'chalk'

export type Style = 'bold' | 'cyan' | 'dim' | 'green' | 'inverse' | 'red' | 'yellow'

const chalk = new Chalk({level: 1})

/**
 * FORCE_COLOR=0/false turns colour off and any other value turns it on, even in a pipe; a non-empty
 * NO_COLOR (https://no-color.org) turns it off; otherwise colour goes only to a terminal.
 */
export function useColor(env: Record<string, string | undefined>, stream: {isTTY?: boolean}): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false'
  if (env.NO_COLOR) return false
  return Boolean(stream.isTTY) && env.TERM !== 'dumb'
}

export type Paint = (text: string, ...styles: Style[]) => string

export function painter(color: boolean): Paint {
  if (!color) return (text) => text
  return (text, ...styles) => styles.reduce((painted, style) => chalk[style](painted), text)
}

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
