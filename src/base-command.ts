import {Command, Errors, Flags, ux} from '@oclif/core'

import {type Context, makeContext} from './context.js'
import {ErrorKind, LatchError} from './errors.js'
import {type HostSettings, hostSettingsOf} from './host.js'
import {closeTransport} from './transport.js'
import {describeError, errorLines} from './ui/error-report.js'
import {terminalSafeJson} from './ui/terminal-text.js'
import {closest} from './unknown-command.js'

/**
 * In help text (summary, description, flags, examples: oclif renders them as ejs templates), the
 * running CLI's env prefix: `LATCH_` for latch, `ACME_` in a host CLI called acme (as envNames says).
 * `${ENV_PREFIX}TOKEN` in a description reads LATCH_TOKEN or ACME_TOKEN; `<%= config.bin %>` names the CLI.
 */
export const ENV_PREFIX = "<%= config.bin.toUpperCase().replace(/[^A-Z0-9]/g, '_') %>_"

/** Each command's `--json`, saying what its JSON document holds (oclif's own says only "Format output as json."). */
export function jsonFlag(holds: string) {
  return Flags.boolean({description: `Print ${holds} as one JSON document on stdout; errors too.`, helpGroup: 'GLOBAL'})
}

/** `--org` for every command that acts in one organization; chosen over LATCH_ORG and the stored default (config.ts). */
export function orgFlag() {
  return Flags.string({
    description: `The organization to act in (name or id). Default: ${ENV_PREFIX}ORG, then the one \`orgs switch\` stored, then your first.`,
    helpValue: 'NAME',
  })
}

/** `--ca-file`, for the commands that talk to a server (see resolveCaFile in src/config.ts). */
export const caFileFlag = Flags.string({
  description: `PEM file of an extra certificate authority to trust, e.g. your organisation's TLS-inspecting proxy root (default: ${ENV_PREFIX}CA_FILE).`,
  helpGroup: 'NETWORK',
  helpValue: 'FILE',
})

/** `--profile NAME`, on every command that uses a stored login (see resolveProfile in src/config.ts). */
export function profileFlag(what = 'use') {
  return Flags.string({
    description: `The profile to ${what} (default: LATCH_PROFILE, then the .latch-profile pin file in this directory or a parent, then the one chosen with \`latch switch\`, then default).`,
    helpGroup: 'GLOBAL',
  })
}

/**
 * What every latch command shares: one way to print an error (see src/ui/error-report.ts) and `--json`
 * errors as a JSON document on stdout.
 */
export abstract class BaseCommand extends Command {
  static enableJsonFlag = true

  /**
   * The outside world, as the command's logic sees it: made by the context factory (createContext
   * unless a test or the host replaced it with setContextFactory; see src/context.ts), with the
   * running CLI's bin, version and package.json `oclif.latch` settings.
   */
  protected context(flags: {caFile?: string; issuer?: string; org?: string; profile?: string} = {}, options: {allowUnreadableCredentials?: boolean} = {}): Promise<Context> {
    return makeContext({...options, bin: this.config.bin, flags, host: this.hostSettings(), version: this.config.version})
  }

  /** The running CLI's `oclif.latch` section (the host's package.json when latch is its plugin); see src/host.ts. */
  protected hostSettings(): HostSettings {
    return hostSettingsOf(this.config.pjson)
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

  /** oclif's --json output, with the control characters JSON.stringify leaves raw escaped too (see terminal-text.ts). */
  logJson(json: unknown): void {
    ux.stdout(terminalSafeJson(ux.colorizeJson(json, {pretty: true, theme: this.config.theme?.json})))
  }

  /** After run() and catch(): undici's agents (a proxy or CA file) must not keep the process alive with idle connections. */
  protected async finally(error: Error | undefined): Promise<unknown> {
    await closeTransport()
    return super.finally(error)
  }

  protected async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<never> {
    if (error instanceof Errors.ExitError) throw error

    const described = describeError(this.withFlagSuggestion(error), this.config.bin)
    if (this.jsonEnabled()) this.logJson({error: described})
    process.stderr.write(errorLines(described, error))
    this.exit(described.exit)
  }

  /** `--scoeps` -> "did you mean --scopes?": oclif's parser says only that the flag does not exist. */
  private withFlagSuggestion(error: Error & {flags?: string[]}): Error {
    if (!(error.message.startsWith('Nonexistent flag') && Array.isArray(error.flags))) return error
    const names = Object.entries(this.ctor.flags ?? {}).flatMap(([name, flag]) => [name, ...((flag as {allowNo?: boolean}).allowNo ? [`no-${name}`] : [])])
    const guesses = error.flags.map((flag) => closest(flag.replace(/^-+/, '').split('=')[0], [...names, 'help']))
    const hint = `see \`${this.config.bin} ${this.id} --help\` for the flags it takes`
    if (error.flags.length !== 1 || !guesses[0]) return new LatchError(ErrorKind.Usage, error.message.split('\n')[0], {hint})
    return new LatchError(ErrorKind.Usage, `Unknown flag ${error.flags[0]}`, {hint: `did you mean --${guesses[0]}? ${hint.charAt(0).toUpperCase()}${hint.slice(1)}`})
  }
}
