/**
 * Everything a command's logic touches outside itself (environment, terminal, credential store,
 * servers, browser) reaches it through one object, so tests and host CLIs can swap any part.
 */
import type {Configuration} from 'openid-client'

import {credentialsPath, resolveConfig, resolveConfigDir, type ResolvedConfig, settingsPath} from './config.js'
import {CredentialStore} from './credentials/store.js'
import type {StoredCredentials} from './credentials/schema.js'
import {PlatformClient} from './platform/client.js'
import {readSettingsFile} from './settings/file.js'

export interface Context {
  bin: string
  config: ResolvedConfig
  /** Resolves to undefined once copied, or to why it could not be; never rejects. */
  copyToClipboard(text: string): Promise<string | undefined>
  /** The credentials file as read at start (undefined when there is none). */
  credentials?: StoredCredentials
  /** Discovers the authorization server once, on first use. */
  discover(): Promise<Configuration>
  env: Record<string, string | undefined>
  /** A message for people: stderr, never stdout. */
  note(message: string): void
  openBrowser(url: string): Promise<string | undefined>
  platform: PlatformClient
  stderr: NodeJS.WriteStream
  stdin: NodeJS.ReadStream
  /** Seconds to wait for piped input before giving up. */
  stdinTimeout: number
  store: CredentialStore
  /** Seconds before any HTTP request gives up. */
  timeout: number
}

export interface ContextOptions {
  bin: string
  env?: Record<string, string | undefined>
  flags?: {issuer?: string}
  stderr?: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
}

export async function createContext(options: ContextOptions): Promise<Context> {
  const env = options.env ?? process.env
  // process.stderr and process.stdin are made on first use (a few ms each on Node 24+, where they load
  // the tty or net modules): `latch token` with a stored token never touches either.
  const stderr = () => options.stderr ?? process.stderr
  const note = (message: string) => {
    stderr().write(`${message}\n`)
  }

  const configDir = resolveConfigDir({bin: options.bin, env})
  const store = new CredentialStore(credentialsPath(configDir.value), note)
  const credentials = await store.read()
  const settings = readSettingsFile(settingsPath(configDir.value), options.bin)
  const config = resolveConfig({bin: options.bin, credentials, env, flags: options.flags, settings})
  const timeout = config.httpTimeout

  let discovered: Promise<Configuration> | undefined
  return {
    bin: options.bin,
    config,
    credentials,
    async copyToClipboard(text) {
      const {copyToClipboard} = await import('./ui/clipboard.js')
      return copyToClipboard(text, env)
    },
    discover() {
      discovered ??= import('./oauth/server.js').then(({discoverServer}) =>
        discoverServer({clientId: config.clientId.value, issuer: config.issuer.value, timeout}),
      )
      return discovered
    },
    env,
    note,
    async openBrowser(url) {
      const {openBrowser} = await import('./ui/browser.js')
      return openBrowser(url, config.browserCommand)
    },
    platform: new PlatformClient(config.apiUrl.value, timeout),
    get stderr() {
      return stderr()
    },
    get stdin() {
      return options.stdin ?? process.stdin
    },
    stdinTimeout: config.stdinTimeout,
    store,
    timeout,
  }
}
