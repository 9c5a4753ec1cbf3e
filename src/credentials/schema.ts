/**
 * The shape of credentials.json and its validation: a file is trusted only after every field has been
 * checked, so a hand-edited or foreign file is reported instead of half-used.
 *
 * Version 2 holds several profiles, each one complete login; version 1 (latch 0.1) held one login at
 * the top level. A version-1 file is read as the profile `default` and written back as version 2 on
 * the first write, with every field of the login kept as it was (fields this latch does not know too).
 */
export const CREDENTIALS_VERSION = 2
/** The format that held one login at the top level. */
export const SINGLE_LOGIN_VERSION = 1
/** The profile a fresh machine uses, and the one a version-1 file's login becomes. */
export const DEFAULT_PROFILE = 'default'
/** A profile name: a letter or digit, then letters, digits, `.`, `_` or `-`; 64 characters at most. */
export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9][\w.-]{0,63}$/

export interface StoredToken {
  access_token: string
  expires_at?: string
  /** When the server issued the access token (optional, added in place of a schema bump): sets the refresh margin. */
  issued_at?: string
  refresh_token?: string
  scopes: string[]
  type: 'oauth' | 'pat'
}

/** One login: what one profile holds (and what a version-1 file held at its top level). */
export interface StoredCredentials {
  access_key?: string
  /** The platform API the token and key are sent to; absent in older files: the issuer's origin. */
  api_url?: string
  created_at: string
  issuer: string
  /** The default organization of this login (`latch orgs switch`): a name or id. */
  org?: string
  token?: StoredToken
  user?: {id: string; name: string}
  /**
   * Only in a version-1 file, where the login was the whole file. The store never writes it inside a
   * profile; code written for version 1 may still set it.
   */
  version?: typeof SINGLE_LOGIN_VERSION
}

/** The whole file, as this latch writes it (a version-1 file is read into this shape). */
export interface CredentialsFile {
  /** The profile chosen with `latch switch`; absent: `default`. */
  active?: string
  profiles: Record<string, StoredCredentials>
  version: typeof CREDENTIALS_VERSION
}

/** Returns the reason the value is not a credentials file this latch reads, as a sentence about "it", or undefined when it is one. */
export function credentialsProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object'
  if (value.version === SINGLE_LOGIN_VERSION) return loginProblem(value)
  if (value.version !== CREDENTIALS_VERSION) {
    return isNewerFormat(value)
      ? `it was written by a newer version of latch (format ${value.version}; this latch reads formats ${SINGLE_LOGIN_VERSION} and ${CREDENTIALS_VERSION})`
      : `it has no format version this latch reads (found ${JSON.stringify(value.version) ?? 'none'}; this latch reads formats ${SINGLE_LOGIN_VERSION} and ${CREDENTIALS_VERSION})`
  }

  if (value.active !== undefined && !(typeof value.active === 'string' && PROFILE_NAME_PATTERN.test(value.active))) return 'its active profile (active) is not a profile name'
  if (!isObject(value.profiles)) return 'it has no profiles object'
  for (const [name, login] of Object.entries(value.profiles)) {
    if (!PROFILE_NAME_PATTERN.test(name)) return `it has a profile named ${JSON.stringify(name)}, which is not a profile name`
    const problem = loginProblem(login)
    if (problem) return `in its profile ${name}, ${problem}`
  }

  return undefined
}

/** What is wrong with one login, as a sentence about "it"; undefined when nothing is. */
function loginProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object'
  if (!isText(value.issuer)) return 'it has no issuer'
  if (!isText(value.created_at)) return 'it has no creation time (created_at)'
  if (value.access_key !== undefined && !isText(value.access_key)) return 'its project access key (access_key) is not text'
  if (value.api_url !== undefined && !(isText(value.api_url) && URL.canParse(value.api_url))) return 'its API URL (api_url) is not a URL'
  if (value.org !== undefined && !isText(value.org)) return 'its default organization (org) is not text'
  if (value.user !== undefined && !(isObject(value.user) && isText(value.user.id) && typeof value.user.name === 'string'))
    return 'its user has no id or no name'
  if (value.token !== undefined) {
    const token = value.token
    if (!isObject(token)) return 'its token is not an object'
    if (token.type !== 'oauth' && token.type !== 'pat') return 'its token type is neither "oauth" nor "pat"'
    if (!isText(token.access_token)) return 'its token has no access token'
    if (token.refresh_token !== undefined && !isText(token.refresh_token)) return 'its refresh token is not text'
    if (token.expires_at !== undefined && Number.isNaN(Date.parse(String(token.expires_at))))
      return 'its token expiry (expires_at) is not a date'
    if (token.issued_at !== undefined && Number.isNaN(Date.parse(String(token.issued_at))))
      return 'its token issue time (issued_at) is not a date'
    if (!Array.isArray(token.scopes) || !token.scopes.every((scope) => typeof scope === 'string'))
      return 'its token scopes are not a list of words'
  }

  return undefined
}

/**
 * A valid file (see credentialsProblem) in the version-2 shape. A version-1 file becomes the profile
 * `default`: the same object without its `version`, every other field and their order as they were.
 */
export function asProfiles(value: Record<string, unknown>): CredentialsFile {
  if (value.version !== SINGLE_LOGIN_VERSION) return value as unknown as CredentialsFile
  const {version: _version, ...login} = value
  return {version: CREDENTIALS_VERSION, profiles: {[DEFAULT_PROFILE]: login as unknown as StoredCredentials}}
}

/** The login stored under `name`, if any (never a property every object has, such as `constructor`). */
export function profileOf(file: CredentialsFile | undefined, name: string): StoredCredentials | undefined {
  return file && Object.hasOwn(file.profiles, name) ? file.profiles[name] : undefined
}

/** A file of a later format: upgrading latch is the fix, not deleting it. */
export function isNewerFormat(value: unknown): boolean {
  return isObject(value) && typeof value.version === 'number' && value.version > CREDENTIALS_VERSION
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}
