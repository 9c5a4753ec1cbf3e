import {Command, Errors} from '@oclif/core'

import {type Context, createContext} from './context.js'
import {describeError, errorLines} from './ui/error-report.js'

/**
 * What every latch command shares: one way to print an error (see src/ui/error-report.ts) and `--json`
 * errors as a JSON document on stdout.
 */
export abstract class BaseCommand extends Command {
  static enableJsonFlag = true

  /** The outside world, as the command's logic sees it; see src/context.ts. */
  protected context(flags: {issuer?: string} = {}, options: {allowUnreadableCredentials?: boolean} = {}): Promise<Context> {
    return createContext({...options, bin: this.config.bin, flags, version: this.config.version})
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

  protected async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<never> {
    if (error instanceof Errors.ExitError) throw error

    const described = describeError(error, this.config.bin)
    if (this.jsonEnabled()) this.logJson({error: described})
    process.stderr.write(errorLines(described, error))
    this.exit(described.exit)
  }
}
