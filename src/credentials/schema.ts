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
  token?: StoredToken
  user?: {id: string; name: string}
  version: typeof CREDENTIALS_VERSION
}

/** Returns the reason the value is not valid credentials, or undefined when it is. */
export function credentialsProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object'
  if (value.version !== CREDENTIALS_VERSION) return `its version ${JSON.stringify(value.version)} is not one this latch knows (${CREDENTIALS_VERSION})`
  if (!isText(value.issuer)) return '"issuer" is missing'
  if (!isText(value.created_at)) return '"created_at" is missing'
  if (value.access_key !== undefined && !isText(value.access_key)) return '"access_key" is not a string'
  if (value.api_url !== undefined && !(isText(value.api_url) && URL.canParse(value.api_url))) return '"api_url" is not a URL'
  if (value.user !== undefined && !(isObject(value.user) && isText(value.user.id) && typeof value.user.name === 'string'))
    return '"user" must have "id" and "name"'
  if (value.token !== undefined) {
    const token = value.token
    if (!isObject(token)) return '"token" is not an object'
    if (token.type !== 'oauth' && token.type !== 'pat') return '"token.type" must be "oauth" or "pat"'
    if (!isText(token.access_token)) return '"token.access_token" is missing'
    if (token.refresh_token !== undefined && !isText(token.refresh_token)) return '"token.refresh_token" is not a string'
    if (token.expires_at !== undefined && Number.isNaN(Date.parse(String(token.expires_at))))
      return '"token.expires_at" is not a date'
    if (token.issued_at !== undefined && Number.isNaN(Date.parse(String(token.issued_at))))
      return '"token.issued_at" is not a date'
    if (!Array.isArray(token.scopes) || !token.scopes.every((scope) => typeof scope === 'string'))
      return '"token.scopes" must be a list of strings'
  }

  return undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}
