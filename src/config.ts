/**
 * THE place that decides where every setting and credential comes from.
 * Order: command-line flag > environment variable > settings file (config.json, `latch config`) >
 * credentials file > built-in default.
 * The profile whose login is used: --profile > LATCH_PROFILE > a pin file in the working directory or
 * a parent > the one chosen with `latch switch` > `default` (see resolveProfile).
 * Every answer carries its source, so `whoami` can say why a credential is active.
 */
import {homedir} from 'node:os'
import {dirname, isAbsolute, join} from 'node:path'

import {DEFAULT_PROFILE, PROFILE_NAME_PATTERN, type StoredCredentials, type StoredToken} from './credentials/schema.js'

import {ErrorKind, LatchError} from './errors.js'
import {nodeFs} from './node-fs.js'
import {DEFAULT_LOGIN_SCOPES} from './platform/scopes.js'
import type {Settings} from './settings/keys.js'

export const DEFAULT_ISSUER = 'http://127.0.0.1:4848'
export const DEFAULT_CLIENT_ID = 'latch-cli'
export const CREDENTIALS_FILE = 'credentials.json'

export type Source = 'default' | 'env' | 'file' | 'flag'

export interface Resolved<T> {
  /** Where it came from, said the way a person would look for it: `LATCH_TOKEN`, `--issuer`, a file path. */
  origin: string
  source: Source
  value: T
}

/** The names of the environment variables, derived from the CLI's bin so a host CLI gets its own prefix. */
export interface EnvNames {
  accessKey: string
  /** An API key (`sk_live_`), exchanged for a short-lived access token (RFC 8693) before use. */
  apiKey: string
  apiUrl: string
  browser: string
  caFile: string
  clientId: string
  configDir: string
  httpTimeout: string
  issuer: string
  /** The organization commands act in (`latch orgs`). */
  org: string
  profile: string
  stdinTimeout: string
  token: string
}

export function envNames(bin: string): EnvNames {
  const prefix = `${bin.toUpperCase().replaceAll(/[^A-Z0-9]/g, '_')}_`
  return {
    accessKey: `${prefix}ACCESS_KEY`,
    apiKey: `${prefix}API_KEY`,
    apiUrl: `${prefix}API_URL`,
    browser: `${prefix}BROWSER`,
    caFile: `${prefix}CA_FILE`,
    clientId: `${prefix}CLIENT_ID`,
    configDir: `${prefix}CONFIG_DIR`,
    httpTimeout: `${prefix}HTTP_TIMEOUT`,
    issuer: `${prefix}ISSUER`,
    org: `${prefix}ORG`,
    profile: `${prefix}PROFILE`,
    stdinTimeout: `${prefix}STDIN_TIMEOUT`,
    token: `${prefix}TOKEN`,
  }
}

export interface ConfigInput {
  /** The running CLI's bin name (`latch`, or the host CLI's when mounted as a plugin). */
  bin: string
  env: Record<string, string | undefined>
  /** The user's home directory; defaults to os.homedir(). */
  home?: string
}

/** An environment variable counts only when it holds something: CI systems export unset secrets as "". */
function readEnv(env: ConfigInput['env'], name: string): string | undefined {
  const value = env[name]?.trim()
  return value ? value : undefined
}

export function resolveConfigDir(input: ConfigInput): Resolved<string> {
  const names = envNames(input.bin)
  const home = input.home ?? homedir()
  const fromEnv = readEnv(input.env, names.configDir)
  if (fromEnv) return {origin: names.configDir, source: 'env', value: absolutePath(fromEnv, names.configDir, home)}
  const xdg = readEnv(input.env, 'XDG_CONFIG_HOME')
  // The XDG Base Directory spec: a relative XDG_CONFIG_HOME is invalid and ignored (not an error).
  const base = xdg && isAbsolute(xdg) ? xdg : join(home, '.config')
  return {origin: 'default', source: 'default', value: join(base, input.bin)}
}

/**
 * A path setting as the shell would have meant it: a leading `~` (as in `'~/.latch'`, quoted so the shell
 * left it alone) is the home directory. A relative path would depend on the directory latch happens to be
 * started in, so it is refused rather than silently creating credentials there.
 */
export function absolutePath(raw: string, origin: string, home: string = homedir()): string {
  const expanded = raw === '~' ? home : raw.startsWith('~/') ? join(home, raw.slice(2)) : raw
  if (isAbsolute(expanded)) return expanded
  throw new LatchError(ErrorKind.Usage, `${origin} must be an absolute path, not ${JSON.stringify(raw)}`, {
    hint: `set ${origin} to a full path such as ${join(home, '.latch')} (a leading ~/ is expanded)`,
  })
}

/**
 * The environment variables that hold secrets latch reads. Programs latch starts (browser, clipboard)
 * get the environment without them: see childEnv.
 */
export function secretEnvNames(bin: string): string[] {
  const names = envNames(bin)
  return [names.token, names.accessKey, names.apiKey]
}

/** The environment for a child process: the parent's, minus every secret latch reads (secretEnvNames). */
export function childEnv(env: Record<string, string | undefined>, bin: string): Record<string, string> {
  const secrets = new Set(secretEnvNames(bin))
  const result: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) if (value !== undefined && !secrets.has(key)) result[key] = value
  return result
}

/**
 * Why a profile is the one in use: `flag` (--profile), `env` (LATCH_PROFILE), `pin` (a pin file, see
 * findPin), `switch` (the file's `active`, set by `latch switch`), `default`.
 */
export type ProfileReason = 'default' | 'env' | 'flag' | 'pin' | 'switch'

export interface ResolvedProfile extends Resolved<string> {
  reason: ProfileReason
}

export interface ProfileInput extends ConfigInput {
  /** The profile the credentials file names as active (`latch switch`), if any. */
  active?: string
  /** The directory the search for a pin file starts in; defaults to process.cwd(). */
  cwd?: string
  /** --profile. */
  flag?: string
  /** Told about a pin file that was skipped because another user owns it (see findPin). */
  onIgnoredPin?: (path: string, owner: number) => void
}

/** The pin file's name: `.latch-profile` (a host CLI's bin instead of latch). */
export function pinFileName(bin: string): string {
  return `.${bin}-profile`
}

/**
 * THE order that decides which profile a command uses: --profile > LATCH_PROFILE > the nearest pin
 * file from the working directory up > the profile `latch switch` chose > `default`. The pin file is
 * looked for only when neither the flag nor the variable is set. The name need not exist yet: `login`
 * creates it, other commands say that it has no login.
 */
export function resolveProfile(input: ProfileInput): ResolvedProfile {
  const names = envNames(input.bin)
  const flag = input.flag?.trim()
  if (flag) return {origin: '--profile', reason: 'flag', source: 'flag', value: checkProfileName(flag, '--profile')}
  const fromEnv = readEnv(input.env, names.profile)
  if (fromEnv) return {origin: names.profile, reason: 'env', source: 'env', value: checkProfileName(fromEnv, names.profile)}
  const pin = findPin(input.bin, input.cwd ?? process.cwd(), input.onIgnoredPin)
  if (pin) return {origin: pin.path, reason: 'pin', source: 'file', value: pin.profile}
  if (input.active !== undefined) {
    const path = credentialsPath(resolveConfigDir(input).value)
    return {origin: path, reason: 'switch', source: 'file', value: input.active}
  }

  return {origin: 'default', reason: 'default', source: 'default', value: DEFAULT_PROFILE}
}

/** Where the profile choice comes from, as a person would look for it. */
export function profileOrigin(profile: {origin: string; reason: ProfileReason}, bin: string): string {
  if (profile.reason === 'flag') return '--profile'
  if (profile.reason === 'env') return profile.origin
  if (profile.reason === 'pin') return `the pin file ${profile.origin}`
  if (profile.reason === 'switch') return `\`${bin} switch\`, saved in ${profile.origin}`
  return 'the default'
}

/** The largest pin file read: a name is at most 64 characters; the rest allows comments. */
const PIN_MAX_BYTES = 4096

/**
 * The pin file that applies in `cwd`: `.latch-profile` in `cwd`, else in its parent, and so on up to
 * the root. Its first line that is neither blank nor a `#` comment is the profile's name.
 * A pin file owned by another user (not you, not root) is skipped, as git skips a repository another
 * user owns: on a shared machine, someone else's `/tmp/.latch-profile` must not choose which of your
 * accounts a command in `/tmp/x` uses. `onIgnored` is told about it.
 */
export function findPin(bin: string, cwd: string, onIgnored?: (path: string, owner: number) => void): undefined | {path: string; profile: string} {
  const name = pinFileName(bin)
  for (let directory = cwd; ; directory = dirname(directory)) {
    const path = join(directory, name)
    const found = readPinFile(path)
    if (found && 'owner' in found) onIgnored?.(path, found.owner)
    else if (found) return {path, profile: pinnedProfile(found.text, path)}
    if (dirname(directory) === directory) return undefined
  }
}

/** The profile a pin file's text names; `path` is for the error. */
export function pinnedProfile(text: string, path: string): string {
  const line = text
    .split(/\r?\n/)
    .map((entry) => entry.trim())
    .find((entry) => entry !== '' && !entry.startsWith('#'))
  if (line === undefined) {
    throw new LatchError(ErrorKind.Usage, `The pin file ${path} names no profile`, {hint: `write a profile name into it, or remove it (\`rm ${path}\`)`})
  }

  return checkProfileName(line, `the pin file ${path}`)
}

/**
 * The pin file's text, or undefined when there is none at `path` (a FIFO or a directory there is not
 * one), or its owner when that is another user.
 */
function readPinFile(path: string): undefined | {owner: number} | {text: string} {
  let fd: number
  try {
    fd = nodeFs.openSync(path, nodeFs.constants.O_RDONLY | nodeFs.constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') return undefined
    throw new LatchError(ErrorKind.Usage, `Cannot read the pin file ${path}: ${(error as Error).message}`, {hint: `fix or remove ${path}`})
  }

  try {
    const stats = nodeFs.fstatSync(fd)
    if (!stats.isFile()) return undefined
    const uid = process.getuid?.()
    if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) return {owner: stats.uid}
    const buffer = Buffer.alloc(PIN_MAX_BYTES)
    const length = nodeFs.readSync(fd, buffer, 0, PIN_MAX_BYTES, 0)
    return {text: buffer.subarray(0, length).toString('utf8')}
  } finally {
    nodeFs.closeSync(fd)
  }
}

/** A profile name as the user gave it (from `origin`), or the usage error saying what a name may be. */
export function checkProfileName(name: string, origin: string): string {
  if (PROFILE_NAME_PATTERN.test(name)) return name
  throw new LatchError(ErrorKind.Usage, `Invalid profile name from ${origin}: ${JSON.stringify(name.slice(0, 80))}`, {
    hint: 'a profile name is a letter or digit followed by up to 63 letters, digits, dots, underscores or hyphens, e.g. work',
  })
}

export function credentialsPath(configDir: string): string {
  return join(configDir, CREDENTIALS_FILE)
}

/** A token from LATCH_TOKEN has no stored metadata: its type is told by its shape. */
export interface ActiveToken {
  accessToken: string
  expiresAt?: string
  issuedAt?: string
  refreshToken?: string
  scopes?: string[]
  type: ActiveTokenType
}

/** A stored token is an OAuth token or a PAT; from LATCH_TOKEN it may also be a bot key (`sk_bot_`); `exchanged`: a short-lived access token latch got for the API key in LATCH_API_KEY. */
export type ActiveTokenType = 'bot_key' | 'exchanged' | 'oauth' | 'pat'

export interface ResolvedConfig {
  accessKey?: Resolved<string>
  /**
   * The API key (LATCH_API_KEY) when it is the credential in use: set only when LATCH_TOKEN is not.
   * At most one of `token` and `apiKey` is set: the one that wins (LATCH_TOKEN > LATCH_API_KEY >
   * stored login). The key itself goes only to the token endpoint, exchanged for a short-lived token.
   */
  apiKey?: Resolved<string>
  apiUrl: Resolved<string>
  /** The command that opens URLs, when the user chose one. */
  browser?: Resolved<string>
  /** An extra certificate authority (PEM file) to trust, when one is given: see resolveCaFile. */
  caFile?: Resolved<string>
  /** The same, as a plain value. */
  browserCommand?: string
  clientId: Resolved<string>
  configDir: Resolved<string>
  credentialsPath: string
  env: EnvNames
  /** Seconds before any HTTP request gives up. */
  httpTimeout: number
  issuer: Resolved<string>
  /**
   * The organization to act in, when one is chosen (a name or id): `--org`, then LATCH_ORG, then the
   * default stored with the login (`latch orgs switch`), which counts only while that login's token is
   * the one in use. Undefined: the caller's first membership (see currentOrg).
   */
  org?: Resolved<string>
  /**
   * The server the stored credentials belong to (undefined without a credentials file): its issuer, and
   * the API its token and project key are sent to. `mismatch` is set when the configured issuer (a flag
   * or env var) names another server; stored credentials must then not be used (see storedFor).
   */
  stored?: {apiUrl: string; issuer: string; mismatch: boolean}
  /** The scopes `login` asks for without --scopes. */
  scopes: Resolved<string[]>
  /** The profile whose login `stored` and the stored token and key are, and why it is that one. */
  profile: ResolvedProfile
  /** Where the user's settings are (config.json, which may not exist). */
  settingsPath: string
  /**
   * Set when an env var wins over a credential that is also there, so commands can say so: `token`
   * when LATCH_TOKEN or LATCH_API_KEY hides the stored login, `apiKey` when LATCH_TOKEN hides LATCH_API_KEY.
   */
  shadowed: {accessKey: boolean; apiKey: boolean; token: boolean}
  /** Seconds to wait for a secret piped on stdin. */
  stdinTimeout: number
  token?: Resolved<ActiveToken>
}

const DEFAULT_HTTP_TIMEOUT_SECONDS = 30
const DEFAULT_STDIN_TIMEOUT_SECONDS = 10

/** The built-in defaults a host CLI may set (package.json oclif.latch, src/host.ts); latch's own otherwise. */
export interface ConfigDefaults {
  /** The API when neither env nor settings name one, used only with the default issuer (another issuer's API is its origin). */
  apiUrl?: string
  clientId?: string
  issuer?: string
  /** What a personal access token starts with, which tells it from an OAuth token. */
  patPrefix?: string
  scopes?: readonly string[]
}

export interface ResolveOptions extends ConfigInput {
  /** The selected profile's login (see resolveProfile). */
  credentials?: StoredCredentials
  defaults?: ConfigDefaults
  flags?: {caFile?: string; issuer?: string; org?: string}
  /** The profile `credentials` belong to; `default` when not given. */
  profile?: ResolvedProfile
  /** The settings file's content (src/settings/file.ts). */
  settings?: Settings
}

export const SETTINGS_FILE = 'config.json'

export function settingsPath(configDir: string): string {
  return join(configDir, SETTINGS_FILE)
}

export function resolveConfig(options: ResolveOptions): ResolvedConfig {
  const names = envNames(options.bin)
  const configDir = resolveConfigDir(options)
  const path = credentialsPath(configDir.value)
  const stored = options.credentials
  const settings = options.settings ?? {}
  const settingsFile = settingsPath(configDir.value)
  const defaults = options.defaults ?? {}

  const issuer = firstOf<string>(
    [
      ['flag', '--issuer', options.flags?.issuer?.trim() || undefined],
      ['env', names.issuer, readEnv(options.env, names.issuer)],
      ['file', settingsFile, settings.issuer],
      ['file', path, stored?.issuer],
    ],
    {origin: 'default', source: 'default', value: defaults.issuer ?? DEFAULT_ISSUER},
  )
  issuer.value = validateServerUrl(issuer.value, issuer.origin)

  const clientId = firstOf<string>(
    [
      ['env', names.clientId, readEnv(options.env, names.clientId)],
      ['file', settingsFile, settings['client-id']],
    ],
    {origin: 'default', source: 'default', value: defaults.clientId ?? DEFAULT_CLIENT_ID},
  )
  if (!/^[\x21-\x7E]+$/.test(clientId.value)) {
    throw new LatchError(ErrorKind.Usage, `Invalid client id from ${clientId.origin}: it must be printable ASCII without spaces`, {
      hint: 'use the client id your administrator gave you',
    })
  }

  // Whose the stored credentials are: the issuer in the file, and the API URL saved with it (files from
  // before `api_url` existed: derived from that issuer, as it was when they were written).
  const storedIssuer = stored ? normalIssuer(stored.issuer) : undefined
  const storedApi = stored ? (stored.api_url ? validateServerUrl(stored.api_url, path) : storedIssuer && new URL(storedIssuer).origin) : undefined
  const mismatch = storedIssuer !== undefined && !sameIssuer(storedIssuer, issuer.value)

  // The API: the user's own choice (env, then settings), else the one saved with the credentials of this
  // issuer, else the issuer's origin, from wherever the issuer came from.
  // (A saved API that is just the issuer's origin is reported as coming from the issuer, as it did.)
  // A host CLI's default API goes with its default issuer only: a server named by a flag, env var or
  // file has its API at its own origin.
  const issuerOrigin = new URL(issuer.value).origin
  const fromIssuer: Resolved<string> =
    storedApi && !mismatch && storedApi !== issuerOrigin
      ? {origin: path, source: 'file', value: storedApi}
      : defaults.apiUrl && issuer.source === 'default'
        ? {origin: 'default', source: 'default', value: validateServerUrl(defaults.apiUrl, 'the default API URL')}
        : {origin: issuer.origin, source: issuer.source, value: issuerOrigin}
  const apiUrlSet = firstOf<string>(
    [
      ['env', names.apiUrl, readEnv(options.env, names.apiUrl)],
      ['file', settingsFile, settings['api-url']],
    ],
    fromIssuer,
  )
  const apiUrl: Resolved<string> = apiUrlSet === fromIssuer ? fromIssuer : {...apiUrlSet, value: validateServerUrl(apiUrlSet.value, apiUrlSet.origin)}

  const browserSet = firstOf<string | undefined>(
    [
      ['env', names.browser, readEnv(options.env, names.browser)],
      ['file', settingsFile, settings.browser?.trim() || undefined],
    ],
    {origin: 'default', source: 'default', value: undefined},
  )
  const browser = browserSet.value === undefined ? undefined : (browserSet as Resolved<string>)

  const scopes = firstOf<string[]>([['file', settingsFile, settings.scopes]], {origin: 'default', source: 'default', value: [...(defaults.scopes ?? DEFAULT_LOGIN_SCOPES)]})

  // The credential in use: LATCH_TOKEN > LATCH_API_KEY > the stored login.
  const envToken = printableSecret(readEnv(options.env, names.token), names.token)
  const envApiKey = printableSecret(readEnv(options.env, names.apiKey), names.apiKey)
  const apiKey: Resolved<string> | undefined = !envToken && envApiKey ? {origin: names.apiKey, source: 'env', value: envApiKey} : undefined
  const token: Resolved<ActiveToken> | undefined = envToken
    ? {origin: names.token, source: 'env', value: {accessToken: envToken, type: tokenTypeOf(envToken, defaults.patPrefix)}}
    : apiKey
      ? undefined
      : stored?.token
        ? {origin: path, source: 'file', value: fromStoredToken(stored.token)}
        : undefined

  // A stored default belongs to the stored login: a token from LATCH_TOKEN (a PAT or bot key bound to
  // one organization, or someone else's login) is not that login, so the default does not follow it.
  const orgSet = firstOf<string>(
    [
      ['flag', '--org', options.flags?.org?.trim() || undefined],
      ['env', names.org, readEnv(options.env, names.org)],
      ['file', path, token?.source === 'file' && !mismatch ? stored?.org : undefined],
    ],
    {origin: 'default', source: 'default', value: ''},
  )
  const org = orgSet.value ? orgSet : undefined

  const envKey = printableSecret(readEnv(options.env, names.accessKey), names.accessKey)
  const accessKey: Resolved<string> | undefined = envKey
    ? {origin: names.accessKey, source: 'env', value: envKey}
    : stored?.access_key
      ? {origin: path, source: 'file', value: stored.access_key}
      : undefined

  return {
    accessKey,
    apiKey,
    apiUrl,
    browser,
    browserCommand: browser?.value,
    caFile: resolveCaFile(options),
    clientId,
    configDir,
    credentialsPath: path,
    env: names,
    httpTimeout: seconds(options.env, names.httpTimeout, DEFAULT_HTTP_TIMEOUT_SECONDS),
    issuer,
    org,
    profile: options.profile ?? {origin: 'default', reason: 'default', source: 'default', value: DEFAULT_PROFILE},
    scopes,
    settingsPath: settingsFile,
    shadowed: {accessKey: Boolean(envKey && stored?.access_key), apiKey: Boolean(envToken && envApiKey), token: Boolean((envToken || envApiKey) && stored?.token)},
    stored: storedIssuer && storedApi ? {apiUrl: storedApi, issuer: storedIssuer, mismatch} : undefined,
    stdinTimeout: seconds(options.env, names.stdinTimeout, DEFAULT_STDIN_TIMEOUT_SECONDS),
    token,
  }
}

/**
 * The extra certificate authority latch trusts besides Node's own (and NODE_EXTRA_CA_CERTS): --ca-file,
 * else LATCH_CA_FILE. It must be an absolute path to a readable PEM file holding a certificate; a
 * mistake is a usage error here, before any request, rather than a TLS failure later.
 */
export function resolveCaFile(options: Pick<ResolveOptions, 'bin' | 'env' | 'flags' | 'home'>): Resolved<string> | undefined {
  const name = envNames(options.bin).caFile
  const set = firstOf<string>(
    [
      ['flag', '--ca-file', options.flags?.caFile?.trim() || undefined],
      ['env', name, readEnv(options.env, name)],
    ],
    {origin: 'default', source: 'default', value: ''},
  )
  if (!set.value) return undefined
  const path = absolutePath(set.value, set.origin, options.home)
  let text: string
  try {
    text = nodeFs.readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new LatchError(ErrorKind.Usage, `Cannot read the CA file ${path} (from ${set.origin}): ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable')}`, {
      hint: 'point it at the PEM file of your organisation\'s root certificate (ask IT, or export it from your browser)',
    })
  }

  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new LatchError(ErrorKind.Usage, `The CA file ${path} (from ${set.origin}) holds no PEM certificate`, {
      hint: 'it must contain a -----BEGIN CERTIFICATE----- block; convert a DER (.cer/.crt) file with `openssl x509 -inform der -in root.cer -out root.pem`',
    })
  }

  return {...set, value: path}
}

/**
 * Stored credentials are sent only to the server that issued them. Called before a command uses (or
 * adds to) anything from the credentials file: when a flag or env var names another issuer, it stops
 * with the issuer_mismatch error instead of sending the stored token or key there.
 */
export function checkStoredIssuer(config: ResolvedConfig, bin: string): void {
  const {issuer, stored} = config
  if (!stored?.mismatch) return
  const unset =
    issuer.source === 'flag'
      ? `drop ${issuer.origin}`
      : issuer.origin === config.settingsPath
        ? `run \`${bin} config unset issuer\``
        : `unset ${issuer.origin}`
  throw new LatchError(
    ErrorKind.IssuerMismatch,
    `The stored credentials belong to ${stored.issuer}, but ${issuer.origin} names ${issuer.value}; they are never sent to another server`,
    {hint: `run \`${bin} login --issuer ${issuer.value}\` to sign in there, or ${unset} to use ${stored.issuer}`},
  )
}

/** Whether two issuer URLs name the same server: a trailing slash, a default port or letter case make no difference. */
export function sameIssuer(a: string, b: string): boolean {
  return normalIssuer(a) === normalIssuer(b)
}

function normalIssuer(raw: string): string {
  try {
    return new URL(raw).href.replace(/\/$/, '')
  } catch {
    return raw
  }
}

/**
 * A secret goes into an HTTP header: control characters, spaces or non-ASCII there mean a broken copy
 * (or an attempt at header injection). Said without echoing the value, which is secret.
 */
function printableSecret(value: string | undefined, name: string): string | undefined {
  if (value === undefined || /^[\x21-\x7E]+$/.test(value)) return value
  throw new LatchError(ErrorKind.Usage, `${name} contains spaces, control characters or non-ASCII characters, which no token has`, {
    hint: `set ${name} to the token exactly as the console shows it`,
  })
}

function seconds(env: ConfigInput['env'], name: string, fallback: number): number {
  const raw = readEnv(env, name)
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!(Number.isFinite(value) && value > 0 && value <= 3600)) {
    throw new LatchError(ErrorKind.Usage, `${name} must be a number of seconds between 0 and 3600`, {hint: `unset ${name} or set it to e.g. 30`})
  }

  return value
}

function firstOf<T>(candidates: Array<[Source, string, T | undefined]>, fallback: Resolved<T>): Resolved<T> {
  for (const [source, origin, value] of candidates) {
    if (value !== undefined) return {origin, source, value}
  }

  return fallback
}

/** The stored token as commands see it. */
export function fromStoredToken(token: StoredToken): ActiveToken {
  return {
    accessToken: token.access_token,
    expiresAt: token.expires_at,
    issuedAt: token.issued_at,
    refreshToken: token.refresh_token,
    scopes: token.scopes,
    type: token.type,
  }
}

export const PAT_PATTERN = /^sk_pat_[0-9a-f]{64}$/
/** A bot's key: valid as LATCH_TOKEN, it acts as the bot in the bot's organization. */
export const BOT_KEY_PATTERN = /^sk_bot_[0-9a-f]{64}$/

/** `patPrefix`: what the CLI's personal access tokens start with (package.json oclif.latch, src/host.ts). */
export function tokenTypeOf(token: string, patPrefix = 'sk_pat_'): ActiveTokenType {
  if (token.startsWith(patPrefix)) return 'pat'
  return token.startsWith('sk_bot_') ? 'bot_key' : 'oauth'
}

/** An organization the caller belongs to, as `GET /v1/orgs` lists it. */
export interface Membership {
  id: string
  name: string
  role: string
}

/**
 * The organization a command acts in: the chosen one (`config.org`: flag, env, stored default) matched
 * by name or id among the caller's memberships, else the only or first membership. Undefined `found`:
 * the chosen one is not among them (the server then answers 404 or 403 for it).
 */
export function currentOrg<M extends Membership>(chosen: Resolved<string> | undefined, memberships: M[]): Resolved<M | undefined> & {wanted?: string} {
  if (chosen) {
    const found = memberships.find((org) => org.name === chosen.value || org.id === chosen.value)
    return {origin: chosen.origin, source: chosen.source, value: found, wanted: chosen.value}
  }

  return {origin: memberships.length === 1 ? 'your only organization' : 'your first organization', source: 'default', value: memberships[0]}
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]'])

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname)
}

/**
 * THE rule for every URL latch talks to or shows (issuer, API, endpoints learned from discovery,
 * verification URL): https, or plain http only to this machine. Returns the message saying why `url`
 * (which came from `origin`) breaks it, or undefined.
 */
export function unsafeUrlMessage(url: URL, origin: string): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `Invalid server URL from ${origin}: ${url.protocol} is not http(s)`
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return `Refusing plain http to ${url.host} (from ${origin}): only loopback may use http`
  return undefined
}

/**
 * A server URL must be absolute http(s); plain http only to this machine, because a token sent over
 * http to another host can be read by anyone on the path.
 */
export function validateServerUrl(raw: string, origin: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new LatchError(ErrorKind.Usage, `Invalid server URL from ${origin}: not an absolute URL`, {
      hint: 'use a full URL such as https://auth.example.com',
    })
  }

  const problem = unsafeUrlMessage(url, origin)
  if (problem) {
    throw new LatchError(ErrorKind.Usage, problem, {
      hint: url.protocol === 'http:' ? `use https://${url.host}${url.pathname === '/' ? '' : url.pathname}` : 'use a full URL such as https://auth.example.com',
    })
  }

  if (url.username || url.password) {
    throw new LatchError(ErrorKind.Usage, `Invalid server URL from ${origin}: it must not contain credentials`, {
      hint: 'remove the user:password@ part',
    })
  }

  // The issuer identifier is compared exactly by openid-client: keep the path, drop a trailing slash.
  return url.href.replace(/\/$/, '')
}
