import {Command, Errors} from '@oclif/core'

import {envNames} from './config.js'
import {type Context, createContext} from './context.js'
import {EXIT_CODES, isLatchError} from './errors.js'

/**
 * What every latch command shares: one way to print an error (one line, a hint, the documented exit
 * code, no stack trace unless DEBUG is set) and `--json` errors as a JSON document on stdout.
 */
export abstract class BaseCommand extends Command {
  static enableJsonFlag = true

  /** The outside world, as the command's logic sees it; see src/context.ts. */
  protected context(flags: {issuer?: string} = {}): Promise<Context> {
    return createContext({bin: this.config.bin, flags})
  }

  /**
   * Runs `work` with a signal that Ctrl-C (SIGINT) and SIGTERM abort. Whatever `work` is doing, the
   * command then ends with the cancelled error (exit 130 or 143) instead of Node's default kill.
   */
  protected async cancellable<T>(work: (signal: AbortSignal) => Promise<T>, onCancel: (signal: AbortSignal) => Error): Promise<T> {
    const controller = new AbortController()
    const onSigint = () => controller.abort('SIGINT')
    const onSigterm = () => controller.abort('SIGTERM')
    process.once('SIGINT', onSigint).once('SIGTERM', onSigterm)
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(onCancel(controller.signal)), {once: true})
    })
    try {
      return await Promise.race([work(controller.signal), aborted])
    } finally {
      process.off('SIGINT', onSigint).off('SIGTERM', onSigterm)
    }
  }

  private inOwnNames(described: DescribedError): DescribedError {
    const bin = this.config.bin
    return {...described, hint: described.hint && rebrand(described.hint, bin), message: redactSecrets(rebrand(described.message, bin))}
  }

  protected async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<never> {
    if (error instanceof Errors.ExitError) throw error

    const described = this.inOwnNames(describeError(error))
    if (this.jsonEnabled()) this.logJson({error: described})
    const lines = [`Error: ${described.message}`]
    if (described.hint) lines.push(`Hint: ${described.hint}`)
    if (process.env.DEBUG && error.stack) lines.push(error.stack)
    process.stderr.write(`${lines.join('\n')}\n`)
    this.exit(described.exit)
  }
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
