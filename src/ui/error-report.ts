/**
 * How a failed command ends, in one place for oclif's path (BaseCommand.catch) and the fast path
 * (src/fast-path.ts): one line, a hint, the documented exit code, no stack trace unless DEBUG is set,
 * and with --json the same error as a JSON document on stdout. No oclif import: the fast path must not load it.
 */
import {envNames} from '../config.js'
import {EXIT_CODES, isLatchError} from '../errors.js'

export interface DescribedError {
  code: string
  exit: number
  hint?: string
  message: string
}

/** The error as a person (or a script, with --json) sees it, in the running CLI's own names. */
export function describeError(error: unknown, bin: string): DescribedError {
  const described = describe(error as Error & {oclif?: {exit?: number}})
  return {...described, hint: described.hint && rebrand(described.hint, bin), message: escapeControls(redactSecrets(rebrand(described.message, bin)))}
}

/** What goes to stderr: the message, the hint, and the stack when DEBUG is set. */
export function errorLines(described: DescribedError, error: unknown, env: Record<string, string | undefined> = process.env): string {
  const lines = [`Error: ${described.message}`]
  if (described.hint) lines.push(`Hint: ${described.hint}`)
  const stack = (error as Error | undefined)?.stack
  if (env.DEBUG && stack) lines.push(stack)
  return `${lines.join('\n')}\n`
}

/**
 * Messages are written with `latch` and `LATCH_`; a host CLI that mounts these commands shows its own
 * bin and prefix instead (see envNames in config.ts).
 */
function rebrand(text: string, bin: string): string {
  if (bin === 'latch') return text
  const prefix = envNames(bin).token.slice(0, -'TOKEN'.length)
  return text.replaceAll('`latch ', `\`${bin} `).replaceAll(/\bLATCH_/g, prefix)
}

/** A safety net for messages that quote input (oclif's "Unexpected argument: ..."): keys never reach the screen. */
function redactSecrets(text: string): string {
  return text.replaceAll(/\b(sk_[a-z]+_)[\w-]+/g, '$1<hidden>')
}

/** Input quoted in a message (an unknown flag, say) must not drive the terminal: control characters are shown escaped. */
function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replaceAll(/[\u0000-\u001F\u007F-\u009F]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

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
    hint: 'run again with DEBUG=latch for details, and report it if it persists',
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
