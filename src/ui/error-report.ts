/**
 * How a failed command ends, in one place for oclif's path (BaseCommand.catch) and the fast path
 * (src/fast-path.ts): one line, a hint, the documented exit code, no stack trace unless DEBUG is set,
 * and with --json the same error as a JSON document on stdout. No oclif import: the fast path must not load it.
 */
import {EXIT_CODES, isLatchError} from '../errors.js'
import {rebrand} from './rebrand.js'
import {wrapText} from './wrap.js'
import {safeText} from './terminal-text.js'

export interface DescribedError {
  code: string
  exit: number
  hint?: string
  message: string
}

/** The error as a person (or a script, with --json) sees it, in the running CLI's own names. */
export function describeError(error: unknown, bin: string): DescribedError {
  const described = describe(error as Error & {oclif?: {exit?: number}})
  return {
    ...described,
    hint: described.hint && safeText(rebrand(described.hint, bin), MAX_LINE),
    message: safeText(redactSecrets(rebrand(described.message, bin)), MAX_LINE),
  }
}

/**
 * What goes to stderr: the message, the hint, and the stack when DEBUG is set. On a terminal
 * (`columns` given) the message and the hint are wrapped at spaces to its width, never mid-word.
 */
export function errorLines(
  described: DescribedError,
  error: unknown,
  env: Record<string, string | undefined> = process.env,
  columns: number | undefined = process.stderr.isTTY ? process.stderr.columns : undefined,
): string {
  const wrap = (text: string, indent: string) => (columns ? wrapText(text, columns, indent).join('\n') : text)
  const lines = [wrap(`Error: ${described.message}`, '       ')]
  if (described.hint) lines.push(wrap(`Hint: ${described.hint}`, '      '))
  const stack = (error as Error | undefined)?.stack
  if (env.DEBUG && stack) lines.push(stack)
  return `${lines.join('\n')}\n`
}

/** A safety net for messages that quote input (oclif's "Unexpected argument: ..."): keys never reach the screen. */
function redactSecrets(text: string): string {
  return text.replaceAll(/\b(sk_[a-z]+_)[\w-]+/g, '$1<hidden>')
}

/**
 * Messages and hints quote input and server text (an unknown flag, a scope from a server's challenge):
 * they go through the terminal-safety function like every other server string. Longer than any
 * message latch writes, so only a server's flood is cut.
 */
const MAX_LINE = 2000

function describe(error: Error & {oclif?: {exit?: number}}): DescribedError {
  if (isLatchError(error)) return error.toJSON().error
  // oclif's own parse errors (unknown flag, missing argument) are usage errors. They are told by the
  // `oclif` field every oclif CLIError carries, so that this module need not import oclif.
  if (error && typeof error.oclif === 'object') {
    const exit = error.oclif.exit ?? EXIT_CODES.usage
    return {
      code: exit === EXIT_CODES.usage ? 'usage' : 'general',
      exit,
      hint: exit === EXIT_CODES.usage ? 'see --help for the flags and arguments this command takes' : undefined,
      message: firstLine(error.message),
    }
  }

  return {
    code: 'general',
    exit: EXIT_CODES.general,
    hint: 'run again with DEBUG=latch:* for details, and report it if it persists',
    message: firstLine(error?.message || String(error)),
  }
}

/**
 * One line from a possibly multi-line message. oclif's constraint errors open with a line that says
 * nothing ("The following error occurred:"); the line after it is the one that does.
 */
function firstLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('See more help with'))
  if (lines.length === 0) return text
  // oclif's "Parsing --port" / "Expected an integer but received: abc": the flag and what is wrong with it.
  if (/^Parsing --[\w-]+$/.test(lines[0]) && lines.length > 1) return `${lines[0].slice('Parsing '.length)}: ${lines[1]}`
  return lines[0].endsWith(':') && lines.length > 1 ? lines[1] : lines[0]
}
