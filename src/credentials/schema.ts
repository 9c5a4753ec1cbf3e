/**
 * The shape of credentials.json, version 1, and its validation: a file is trusted only after every
 * field has been checked, so a hand-edited or foreign file is reported instead of half-used.
 */
export const CREDENTIALS_VERSION = 1

export interface StoredToken {
  access_token: string
  expires_at?: string
  /** When the server issued the access token (optional, added in place of a schema bump): sets the refresh margin. */
  issued_at?: string
  refresh_token?: string
  scopes: string[]
  type: 'oauth' | 'pat'
}

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
  version: typeof CREDENTIALS_VERSION
}

/** Returns the reason the value is not valid credentials, as a sentence about "it", or undefined when it is. */
export function credentialsProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object'
  if (value.version !== CREDENTIALS_VERSION) {
    return isNewerFormat(value)
      ? `it was written by a newer version of latch (format ${value.version}; this latch reads format ${CREDENTIALS_VERSION})`
      : `it has no format version this latch reads (found ${JSON.stringify(value.version) ?? 'none'}; this latch reads format ${CREDENTIALS_VERSION})`
  }

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

/** A file of a later format: upgrading latch is the fix, not deleting it. */
export function isNewerFormat(value: unknown): boolean {
  return isObject(value) && typeof value.version === 'number' && value.version > CREDENTIALS_VERSION
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}
