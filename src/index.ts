/**
 * latch as a library: `import {getAccessToken, whoami, resolveConfiguration} from 'latch'`, for a host
 * CLI's own commands and for scripts. The same code as the commands runs (the same credentials file,
 * the same lock around a refresh, the same precedence), and failures are the same LatchError with the
 * same `kind` and `exitCode`. See docs/library.md.
 *
 * Not loaded by latch's own commands or fast path: it exists for other programs.
 */
import {printToken, type TokenReport} from './auth/token.js'
import {whoami as whoamiOf, type WhoamiReport} from './auth/whoami.js'
import type {ActiveToken, Resolved, ResolvedConfig} from './config.js'
import {type ContextOptions, type ContextParts, makeContext} from './context.js'
import {isLatchError, LatchError} from './errors.js'
import {type HostSettings, hostSettingsOf} from './host.js'
import {rebrand} from './ui/rebrand.js'

export {whoamiExitCode, type WhoamiReport} from './auth/whoami.js'
export type {TokenReport} from './auth/token.js'
export {type ActiveToken, envNames, type EnvNames, type Resolved, type ResolvedConfig, type Source} from './config.js'
export {type Brand, type Context, type ContextFactory, type ContextOptions, type ContextParts, createContext, makeContext, setContextFactory} from './context.js'
export {ErrorKind, EXIT_CODES, isLatchError, LatchError} from './errors.js'
export {type HostSettings, hostSettingsOf} from './host.js'

export interface LatchOptions {
  /**
   * The CLI whose credentials and settings to use: its env prefix (`ACME_TOKEN`) and config directory
   * (`~/.config/acme`) come from it. Default `latch`.
   */
  bin?: string
  /** The environment to read (default process.env). */
  env?: Record<string, string | undefined>
  /** The CLI's package.json `oclif.latch` settings (default none: latch's own defaults). */
  host?: HostSettings
  /** As `--issuer` would: wins over the environment and the files. */
  issuer?: string
  /** Services to replace (see ContextParts in context.ts). */
  parts?: ContextParts
  /** Where notes for people go ("Using the token from ACME_TOKEN."; default process.stderr). */
  stderr?: NodeJS.WriteStream
  /** For the User-Agent header (default `unknown`). */
  version?: string
}

/** The options for the CLI a host's own oclif command runs in: `await getAccessToken(fromOclif(this.config))`. */
export function fromOclif(config: {bin: string; pjson: {oclif?: object}; version: string}): LatchOptions {
  return {bin: config.bin, host: hostSettingsOf(config.pjson), version: config.version}
}

function contextOptions(options: LatchOptions): ContextOptions {
  return {
    bin: options.bin ?? 'latch',
    env: options.env,
    flags: options.issuer === undefined ? {} : {issuer: options.issuer},
    host: options.host,
    parts: options.parts,
    stderr: options.stderr,
    version: options.version,
  }
}

/**
 * A valid access token, the same as `<bin> token --json`: the env var's when set, else the stored one,
 * renewed first (under the credentials lock, like the CLI) when it is about to expire.
 */
export async function getAccessToken(options: LatchOptions = {}): Promise<TokenReport> {
  return inCliWords(options, async () => printToken(await makeContext(contextOptions(options))))
}

/**
 * The same report as `<bin> whoami --json`. A failed project lookup is in `project_error` (whoamiExitCode
 * gives the exit code the CLI would end with); every other failure is thrown.
 */
export async function whoami(options: LatchOptions = {}): Promise<WhoamiReport> {
  return inCliWords(options, async () => whoamiOf(await makeContext(contextOptions(options))))
}

/**
 * The settings as the commands resolve them, each with where it comes from (`{value, source, origin}`).
 * The active token, API key and project key are named by where they come from, without their values:
 * a configuration gets logged, a secret must not be (getAccessToken is the way to the token).
 */
export type Configuration = Omit<ResolvedConfig, 'accessKey' | 'apiKey' | 'token'> & {
  accessKey?: Omit<Resolved<string>, 'value'>
  apiKey?: Omit<Resolved<string>, 'value'>
  token?: Omit<Resolved<ActiveToken>, 'value'> & {type: ActiveToken['type']}
}

export async function resolveConfiguration(options: LatchOptions = {}): Promise<Configuration> {
  const {accessKey, apiKey, token, ...config} = await inCliWords(options, async () => (await makeContext(contextOptions(options))).config)
  return {
    ...config,
    ...(accessKey ? {accessKey: {origin: accessKey.origin, source: accessKey.source}} : {}),
    ...(apiKey ? {apiKey: {origin: apiKey.origin, source: apiKey.source}} : {}),
    ...(token ? {token: {origin: token.origin, source: token.source, type: token.value.type}} : {}),
  }
}

/** A LatchError in the words of the CLI `options.bin` names (`acme login`, `ACME_TOKEN`), as the CLI would print it. */
async function inCliWords<T>(options: LatchOptions, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    const bin = options.bin ?? 'latch'
    if (bin === 'latch' || !isLatchError(error)) throw error
    throw new LatchError(error.kind, rebrand(error.message, bin), {cause: error.cause, hint: error.hint && rebrand(error.hint, bin)})
  }
}
