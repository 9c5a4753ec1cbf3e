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

// Measuring and wrapping need no colour: they live in ./wrap.ts, without chalk, because the start-up
// path (context.note, error lines) wraps text but never paints it.
export {stripAnsi, visibleWidth, wrapFor, wrapText} from './wrap.js'
