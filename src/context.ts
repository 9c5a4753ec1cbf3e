/**
 * Everything a command's logic touches outside itself (environment, terminal, credential store,
 * servers, browser) reaches it through one object, so tests and host CLIs can swap any part.
 */
import type {Configuration} from 'openid-client'

import {childEnv, credentialsPath, resolveConfig, resolveConfigDir, type ResolvedConfig, resolveProfile, secretEnvNames, settingsPath} from './config.js'
import {CredentialStore, UnreadableCredentials} from './credentials/store.js'
import {type CredentialsFile, profileOf, type StoredCredentials} from './credentials/schema.js'
import {PlatformClient} from './platform/client.js'
import {readSettingsFile} from './settings/file.js'
import {configureTransport} from './transport.js'
import {wrapFor} from './ui/wrap.js'

export interface Context {
  bin: string
  config: ResolvedConfig
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
  /** Resolves to why the browser could not be started, or undefined; a later failure goes to `onFailure`. */
  openBrowser(url: string, onFailure?: (message: string) => void): Promise<string | undefined>
  platform: PlatformClient
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

export interface ContextOptions {
  /** Carry on with no credentials when the file's content is unusable, and say so in `unreadableCredentials`. */
  allowUnreadableCredentials?: boolean
  bin: string
  /** The running CLI's version, for the User-Agent (the host CLI's when mounted). */
  version?: string
  env?: Record<string, string | undefined>
  flags?: {caFile?: string; issuer?: string; org?: string; profile?: string}
  /** Where the search for a pin file starts; defaults to process.cwd(). */
  cwd?: string
  stderr?: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
}

export async function createContext(options: ContextOptions): Promise<Context> {
  const env = options.env ?? process.env
  // process.stderr and process.stdin are made on first use (a few ms each on Node 24+, where they load
  // the tty or net modules): `latch token` with a stored token never touches either.
  const stderr = () => options.stderr ?? process.stderr
  const note = (message: string) => {
    const stream = stderr()
    stream.write(`${wrapFor(stream, message)}\n`)
  }

  const configDir = resolveConfigDir({bin: options.bin, env})
  const file = new CredentialStore(credentialsPath(configDir.value), note)
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
  const config = resolveConfig({bin: options.bin, credentials, env, flags: options.flags, profile, settings})
  const timeout = config.httpTimeout
  // Every request of this command: through the proxy variables' proxy, trusting the CA file.
  configureTransport({caFile: config.caFile?.value, env})
  const userAgent = userAgentOf(options.bin, options.version ?? 'unknown')

  const discovered = new Map<string, Promise<Configuration>>()
  return {
    bin: options.bin,
    config,
    credentials,
    credentialsFile,
    async copyToClipboard(text) {
      const {copyToClipboard} = await import('./ui/clipboard.js')
      return copyToClipboard(text, childEnv(env, options.bin))
    },
    discover(issuer = config.issuer.value) {
      let server = discovered.get(issuer)
      if (!server) {
        server = import('./oauth/server.js').then(({discoverServer}) => discoverServer({clientId: config.clientId.value, issuer, timeout, userAgent}))
        discovered.set(issuer, server)
      }

      return server
    },
    env,
    note,
    async openBrowser(url, onFailure) {
      const {openBrowser} = await import('./ui/browser.js')
      return openBrowser(url, config.browserCommand, secretEnvNames(options.bin), onFailure)
    },
    platform: new PlatformClient(config.apiUrl.value, timeout, undefined, userAgent),
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

/** `latch/0.1.0 (linux; node 20.20.2)`: who is asking, for server logs and the consent page. */
export function userAgentOf(bin: string, version: string): string {
  return `${bin}/${version} (${process.platform}; node ${process.versions.node})`
}
