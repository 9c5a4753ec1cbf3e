import {Command, Errors} from '@oclif/core'

import {EXIT_CODES, isLatchError} from './errors.js'

/**
 * What every latch command shares: one way to print an error (one line, a hint, the documented exit
 * code, no stack trace unless DEBUG is set) and `--json` errors as a JSON document on stdout.
 */
export abstract class BaseCommand extends Command {
  static enableJsonFlag = true

  /** Messages for people go to stderr so that stdout holds only what scripts read. */
  protected note(message: string): void {
    process.stderr.write(`${message}\n`)
  }

  protected async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<never> {
    if (error instanceof Errors.ExitError) throw error

    const described = describeError(error)
    if (this.jsonEnabled()) this.logJson({error: described})
    const lines = [`Error: ${described.message}`]
    if (described.hint) lines.push(`Hint: ${described.hint}`)
    if (process.env.DEBUG && error.stack) lines.push(error.stack)
    process.stderr.write(`${lines.join('\n')}\n`)
    this.exit(described.exit)
  }
}

interface DescribedError {
  code: string
  exit: number
  hint?: string
  message: string
}

function describeError(error: Error & {oclif?: {exit?: number}}): DescribedError {
  if (isLatchError(error)) return error.toJSON().error
  // oclif's own parse errors (unknown flag, missing argument) are usage errors.
  if (error instanceof Errors.CLIError) {
    const exit = error.oclif?.exit ?? EXIT_CODES.usage
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
    message: firstLine(error.message || String(error)),
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? text
}
