/**
 * Everything a command's logic touches outside itself (environment, terminal, credential store,
 * servers, browser, clock, prompts) reaches it through one object, made in one place: createContext,
 * the factory. `ContextOptions.parts` replaces any of the services it makes (as cli/cli's Factory
 * does), and setContextFactory replaces the factory every command uses (BaseCommand.context), for
 * in-process tests and for host CLIs.
 */
import type {Configuration} from 'openid-client'

import {childEnv, credentialsPath, resolveConfig, resolveConfigDir, type ResolvedConfig, resolveProfile, secretEnvNames, settingsPath} from './config.js'
import {CredentialStore, UnreadableCredentials} from './credentials/store.js'
import {type CredentialsFile, profileOf, type StoredCredentials} from './credentials/schema.js'
import type {HostSettings} from './host.js'
import {PlatformClient} from './platform/client.js'
import {DEFAULT_LOGIN_SCOPES, PLATFORM_SCOPES} from './platform/scopes.js'
import {readSettingsFile} from './settings/file.js'
import {rebrand} from './ui/rebrand.js'
import {configureTransport} from './transport.js'
import {mayBeTerminal, writeDirect} from './ui/direct-write.js'
import {wrapFor} from './ui/wrap.js'

/** The host CLI's branding with latch's defaults filled in (see src/host.ts). */
export interface Brand {
  /** The product name for people (`Acme`), or undefined when the CLI sets none. */
  product?: string
  /** The scope catalogue `login --scopes` accepts, name -> description. */
  scopes: Record<string, string>
  tokenPrefixes: {pat: string; projectKey: string}
}

export interface Context {
  bin: string
  brand: Brand
  config: ResolvedConfig
  /** Asks a yes/no question on the terminal (default No); a closed prompt is the cancelled error. */
  confirm(message: string): Promise<boolean>
  /** Sent on every HTTP request: `latch/0.1.0 (linux; node 20.20.2)`, or the host CLI's bin and version. */
  userAgent: string
  /** Resolves to undefined once copied, or to why it could not be; never rejects. */
  copyToClipboard(text: string): Promise<string | undefined>
  /** The selected profile's login (config.profile), as read at start (undefined when there is none). */
  credentials?: StoredCredentials
  /** The whole credentials file, every profile, as read at start (undefined when there is none). */
  credentialsFile?: CredentialsFile
  /**
   * Discovers an authorization server once, on first use: the configured issuer, or `issuer` (logout
   * revokes at the issuer named in the stored credentials).
   */
  discover(issuer?: string): Promise<Configuration>
  env: Record<string, string | undefined>
  /** A message for people: stderr, never stdout. */
  note(message: string): void
  /** The clock, in milliseconds since the epoch: when a token is due for renewal. */
  now(): number
  /** Resolves to why the browser could not be started, or undefined; a later failure goes to `onFailure`. */
  openBrowser(url: string, onFailure?: (message: string) => void): Promise<string | undefined>
  platform: PlatformClient
  /** A secret from a hidden prompt, or from stdin when piped (`what` names it, `pipeExample` shows how to pipe it). */
  readSecret(what: string, pipeExample: string): Promise<string>
  stderr: NodeJS.WriteStream
  stdin: NodeJS.ReadStream
  /** Seconds to wait for piped input before giving up. */
  stdinTimeout: number
  /** The credentials file, for the selected profile (config.profile); `store.forProfile` reaches the others. */
  store: CredentialStore
  /** Seconds before any HTTP request gives up. */
  timeout: number
  /** Set instead of failing, when asked for (logout), if the credentials file's content is unusable. */
  unreadableCredentials?: UnreadableCredentials
}

/**
 * The services createContext makes, each replaceable: a test swaps the clock or the prompts, a host CLI
 * its own platform client. Each gets what the default is made from.
 */
export interface ContextParts {
  copyToClipboard?: Context['copyToClipboard']
  confirm?: Context['confirm']
  discover?: (issuer: string, config: ResolvedConfig, userAgent: string) => Promise<Configuration>
  now?: () => number
  openBrowser?: Context['openBrowser']
  platform?: (config: ResolvedConfig, userAgent: string) => PlatformClient
  readSecret?: Context['readSecret']
  store?: (path: string, note: (message: string) => void) => CredentialStore
}

export interface ContextOptions {
  /** Carry on with no credentials when the file's content is unusable, and say so in `unreadableCredentials`. */
  allowUnreadableCredentials?: boolean
  bin: string
  /** The CLI's `oclif.latch` settings (src/host.ts): its product name, defaults, scopes and token prefixes. */
  host?: HostSettings
  /** Services to use instead of the ones createContext makes. */
  parts?: ContextParts
  /** The running CLI's version, for the User-Agent (the host CLI's when mounted). */
  version?: string
  env?: Record<string, string | undefined>
  flags?: {caFile?: string; issuer?: string; org?: string; profile?: string}
  /** Where the search for a pin file starts; defaults to process.cwd(). */
  cwd?: string
  stderr?: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
  /**
   * Write notes straight to fd 2 when it is a pipe or a file, without creating process.stderr (about
   * 5 ms on Node 24+): for the fast path (src/fast-path.ts), which writes nothing else to stderr before
   * them. Through oclif, process.stderr is used, so that notes keep their order with oclif's writes.
   */
  notesToFd?: boolean
}

export async function createContext(options: ContextOptions): Promise<Context> {
  const env = options.env ?? process.env
  // process.stderr and process.stdin are made on first use (a few ms each on Node 24+, where they load
  // the tty or net modules): `latch token` with a stored token never touches either.
  const stderr = () => options.stderr ?? process.stderr
  // Notes go straight to fd 2 when asked and it is no terminal (no wrapping there): see notesToFd.
  const direct = options.notesToFd && !options.stderr && !mayBeTerminal(2)
  const note = (message: string) => {
    if (direct) return writeDirect(2, `${rebrand(message, options.bin)}\n`, stderr)
    const stream = stderr()
    stream.write(`${wrapFor(stream, rebrand(message, options.bin))}\n`)
  }

  const host = options.host ?? {}
  const parts = options.parts ?? {}
  const brand: Brand = {
    product: host.product,
    scopes: host.scopes ?? PLATFORM_SCOPES,
    tokenPrefixes: {pat: host.tokenPrefixes?.pat ?? 'sk_pat_', projectKey: host.tokenPrefixes?.projectKey ?? 'sk_proj_'},
  }
  const configDir = resolveConfigDir({bin: options.bin, env})
  const path = credentialsPath(configDir.value)
  const file = parts.store ? parts.store(path, note) : new CredentialStore(path, note)
  let credentialsFile: CredentialsFile | undefined
  let unreadableCredentials: UnreadableCredentials | undefined
  try {
    credentialsFile = await file.readFile()
  } catch (error) {
    if (!(options.allowUnreadableCredentials && error instanceof UnreadableCredentials)) throw error
    unreadableCredentials = error
  }

  const onIgnoredPin = (path: string, owner: number) => note(`Ignoring the pin file ${path}: it belongs to another user (uid ${owner}).`)
  const profile = resolveProfile({active: credentialsFile?.active, bin: options.bin, cwd: options.cwd, env, flag: options.flags?.profile, onIgnoredPin})
  const store = file.forProfile(profile.value)
  const credentials = profileOf(credentialsFile, profile.value)
  const settings = readSettingsFile(settingsPath(configDir.value), options.bin)
  const defaults = {
    apiUrl: host.apiUrl,
    clientId: host.clientId,
    issuer: host.issuer,
    patPrefix: brand.tokenPrefixes.pat,
    scopes: host.defaultScopes ?? (host.scopes ? Object.keys(host.scopes) : DEFAULT_LOGIN_SCOPES),
  }
  const config = resolveConfig({bin: options.bin, credentials, defaults, env, flags: options.flags, profile, settings})
  const timeout = config.httpTimeout
  // Every request of this command: through the proxy variables' proxy, trusting the CA file.
  configureTransport({caFile: config.caFile?.value, env})
  const userAgent = userAgentOf(options.bin, options.version ?? 'unknown')

  const discovered = new Map<string, Promise<Configuration>>()
  let platform: PlatformClient | undefined
  const streams = {
    get stderr() {
      return stderr()
    },
    get stdin() {
      return options.stdin ?? process.stdin
    },
    stdinTimeout: config.stdinTimeout,
  }
  return {
    bin: options.bin,
    brand,
    config,
    async confirm(message) {
      if (parts.confirm) return parts.confirm(message)
      const {confirm} = await import('./ui/confirm.js')
      return confirm(message, streams)
    },
    credentials,
    credentialsFile,
    async copyToClipboard(text) {
      if (parts.copyToClipboard) return parts.copyToClipboard(text)
      const {copyToClipboard} = await import('./ui/clipboard.js')
      return copyToClipboard(text, childEnv(env, options.bin))
    },
    discover(issuer = config.issuer.value) {
      let server = discovered.get(issuer)
      if (!server) {
        server = parts.discover
          ? parts.discover(issuer, config, userAgent)
          : import('./oauth/server.js').then(({discoverServer}) => discoverServer({clientId: config.clientId.value, issuer, timeout, userAgent}))
        discovered.set(issuer, server)
      }

      return server
    },
    env,
    note,
    now: parts.now ?? Date.now,
    async openBrowser(url, onFailure) {
      if (parts.openBrowser) return parts.openBrowser(url, onFailure)
      const {openBrowser} = await import('./ui/browser.js')
      return openBrowser(url, config.browserCommand, secretEnvNames(options.bin), onFailure)
    },
    // Made on first use: `latch token` and the commands that make no platform request never need one.
    get platform() {
      platform ??= parts.platform ? parts.platform(config, userAgent) : new PlatformClient(config.apiUrl.value, timeout, undefined, userAgent)
      return platform
    },
    async readSecret(what, pipeExample) {
      if (parts.readSecret) return parts.readSecret(what, pipeExample)
      const {readSecret} = await import('./ui/secret-input.js')
      return readSecret(streams, what, pipeExample)
    },
    get stderr() {
      return stderr()
    },
    get stdin() {
      return options.stdin ?? process.stdin
    },
    stdinTimeout: config.stdinTimeout,
    store,
    timeout,
    unreadableCredentials,
    userAgent,
  }
}

/** Makes the context of every command (BaseCommand.context); replaced with setContextFactory. */
export type ContextFactory = (options: ContextOptions) => Promise<Context>

let factory: ContextFactory = createContext

/**
 * Makes every later command's context with `replacement` (called with the options the command would
 * have passed to createContext), or with createContext again when given undefined. Returns the
 * factory it replaced. A test wraps createContext to change a part; a host CLI can do the same from
 * its own `init` hook.
 */
export function setContextFactory(replacement: ContextFactory | undefined): ContextFactory {
  const previous = factory
  factory = replacement ?? createContext
  return previous
}

/** The context a command runs with: from the factory in use (createContext unless replaced). */
export function makeContext(options: ContextOptions): Promise<Context> {
  return factory(options)
}

/** `latch/0.1.0 (linux; node 20.20.2)`: who is asking, for server logs and the consent page. */
export function userAgentOf(bin: string, version: string): string {
  return `${bin}/${version} (${process.platform}; node ${process.versions.node})`
}
