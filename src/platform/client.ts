/**
 * The platform API: who the token belongs to, and which project a key opens. Every response is
 * checked field by field before use, and every failure becomes one of the documented errors.
 */
import {ErrorKind, LatchError} from '../errors.js'
import {describeNetworkFailure, describeRetryAfter, findTlsFailure, oneLine, tlsHint} from '../network-errors.js'
import {proxyNote} from '../transport.js'
import {type HttpGet, type HttpGetResponse, httpGet, type HttpRequest, httpRequest} from './http-get.js'
import {PROTOCOL_SCOPES} from './scopes.js'

/** What kind of credential the server says a token is (`exchanged`: a short-lived token exchanged from an API key). */
export type TokenType = 'bot_key' | 'exchanged' | 'oauth' | 'pat'

/** Who acts: a person, or a bot of an organization. */
export interface Principal {
  id: string
  kind: 'bot' | 'user'
  name: string
}

/** An organization and the caller's role in it. */
export interface OrgMembership {
  id: string
  name: string
  role: 'admin' | 'bot' | 'member'
}

export interface Me {
  email?: string
  id: string
  name: string
  /** The organization the credential acts in (bound to it, or an OAuth login's first); absent from servers without organizations. */
  org?: OrgMembership
  /** Absent from servers without bots: the caller is then the user above. */
  principal?: Principal
  scopes: string[]
  /** `id`: the credential's own id (`pat_…`; for an exchanged token its API key's), from servers that say it. */
  token: {expires_at: null | string; id?: string; type: TokenType}
}

export interface Project {
  id: string
  name: string
}

/** A credential as the client needs it: the secret, and where it came from for messages. */
export interface Credential {
  origin: string
  secret: string
  /**
   * Where it came from, for the fix a hint names: `env` (fix that variable), `input` (a token or key
   * just pasted, piped or given as an argument: fix that), `file` or unset (sign in again).
   */
  source?: 'env' | 'file' | 'input'
  /** The scopes the credential is known to have, to build the `--scopes` fix for insufficient_scope. */
  scopes?: string[]
}

const MAX_BODY_BYTES = 1024 * 1024

export class PlatformClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutSeconds: number,
    /** How GET requests are made; a test can pass its own. */
    private readonly request: HttpGet = httpGet,
    private readonly userAgent?: string,
    /** How the other methods (POST, DELETE) are made. */
    private readonly sendRequest: HttpRequest = httpRequest,
  ) {}

  /**
   * A call to the organization, bot and token endpoints: JSON in and out. A 401 or a missing scope is
   * reported as for `me`; the server's other refusals (400, 403, 404, 409) become the matching error,
   * with the server's own description, unless `refused` says it better for this call.
   */
  async call(
    method: 'DELETE' | 'GET' | 'POST',
    path: string,
    token: Credential,
    options: {body?: unknown; refused?: (refusal: Refusal) => LatchError | undefined} = {},
  ): Promise<unknown> {
    return this.get(path, token, {}, {notFound: () => undefined}, {body: options.body, method, refused: options.refused ?? (() => undefined)})
  }

  /** The token's owner; undefined when the server has no platform API (404), so callers can fall back to userinfo. */
  async me(token: Credential): Promise<Me | undefined> {
    const body = await this.get('/v1/me', token, {}, {notFound: () => undefined})
    if (body === undefined) return undefined
    const me = body as Partial<Me>
    if (typeof me.id !== 'string' || !me.id || typeof me.name !== 'string' || !isStringList(me.scopes))
      throw this.malformed('/v1/me')
    const tokenInfo = (me.token ?? {}) as Partial<Me['token']>
    const principal = me.principal === undefined ? undefined : principalOf(me.principal)
    const org = me.org === undefined || me.org === null ? undefined : membershipOf(me.org)
    if (principal === null || org === null) throw this.malformed('/v1/me')
    return {
      email: typeof me.email === 'string' ? me.email : undefined,
      id: me.id,
      name: me.name,
      ...(org ? {org} : {}),
      ...(principal ? {principal} : {}),
      scopes: me.scopes,
      token: {
        expires_at: typeof tokenInfo.expires_at === 'string' ? tokenInfo.expires_at : null,
        ...(typeof tokenInfo.id === 'string' && /^[\w.-]{1,100}$/.test(tokenInfo.id) ? {id: tokenInfo.id} : {}),
        type: TOKEN_TYPES.has(tokenInfo.type as TokenType) ? (tokenInfo.type as TokenType) : 'oauth',
      },
    }
  }

  async currentProject(token: Credential, accessKey: Credential): Promise<Project> {
    const body = await this.get('/v1/projects/current', token, {'X-Access-Key': accessKey.secret}, {
      notFound: () => {
        throw new LatchError(ErrorKind.AccessKey, `Access key rejected: the server knows no project for the key from ${accessKey.origin}`, {
          hint:
            accessKey.source === 'env'
              ? `set ${accessKey.origin} to a current key (it wins over a key stored by \`latch link\`), or unset it`
              : accessKey.source === 'input'
                ? 'check that you copied the whole key and that it was not revoked; the project settings in the console show the current one'
                : 'check the key (it may have been revoked), then run `latch link` with a current one',
        })
      },
    })
    const project = body as Partial<Project>
    if (typeof project?.id !== 'string' || typeof project.name !== 'string') throw this.malformed('/v1/projects/current')
    return {id: project.id, name: project.name}
  }

  private async get(
    path: string,
    token: Credential,
    headers: Record<string, string>,
    handlers: {notFound: () => undefined},
    /** For `call`: the method, the body, and that error answers are read and reported (see refusal). */
    api?: {body?: unknown; method: 'DELETE' | 'GET' | 'POST'; refused: (refusal: Refusal) => LatchError | undefined},
  ): Promise<unknown> {
    const url = new URL(path, this.baseUrl).href
    let response: HttpGetResponse
    try {
      const options = {
        headers: {accept: 'application/json', authorization: `Bearer ${token.secret}`, ...(this.userAgent ? {'user-agent': this.userAgent} : {}), ...headers},
        timeoutMs: this.timeoutSeconds * 1000,
      }
      response = api
        ? await this.sendRequest(url, {...options, body: api.body === undefined ? undefined : JSON.stringify(api.body), method: api.method})
        : await this.request(url, options)
    } catch (error) {
      const tls = findTlsFailure(error)
      if (tls) throw new LatchError(ErrorKind.Tls, `Could not reach ${url}${proxyNote(url)}: ${tls.problem}`, {cause: error, hint: tlsHint(tls, url)})
      const reason = describeNetworkFailure(error)
      throw new LatchError(ErrorKind.Network, `Could not reach ${url}${proxyNote(url)}: ${reason === 'timed out' ? `no answer within ${this.timeoutSeconds} s` : (reason ?? oneLine(String(error)))}`, {
        cause: error,
        hint: 'check the URL and your network connection, then try again',
      })
    }

    if (response.status === 401) {
      response.discard()
      throw new LatchError(ErrorKind.TokenInvalid, `Token is invalid or expired (from ${token.origin})`, {hint: invalidTokenHint(token)})
    }

    if (response.status === 403) {
      const needed = scopeFromChallenge(response.header('www-authenticate'))
      // A refusal other than a missing scope is read below for `call` (its body says why).
      if (needed.length > 0 || !api) response.discard()
      if (needed.length > 0) throw insufficientScope(needed, token)
    }

    if (api && [400, 403, 404, 409].includes(response.status)) {
      const refusal = await readRefusal(response, url, this.timeoutSeconds)
      throw api.refused(refusal) ?? refusalError(refusal)
    }

    if (response.status === 404) {
      response.discard()
      return handlers.notFound()
    }

    if (response.status >= 300 && response.status < 400) {
      response.discard()
      const location = response.header('location') ?? 'elsewhere'
      throw new LatchError(ErrorKind.Network, `The platform API at ${url} redirected to ${oneLine(location, 120)}; latch does not follow redirects with your token`, {
        hint: 'set LATCH_API_URL to the final address if it is right',
      })
    }

    if (!response.ok) {
      const retry = describeRetryAfter(response.header('retry-after'))
      response.discard()
      throw new LatchError(ErrorKind.Network, `${`The platform API at ${url} answered ${response.status} ${oneLine(response.statusText, 60)}`.trim()}${retry}`, {
        hint: response.status >= 500 ? 'the server has a problem: try again in a moment' : 'check that LATCH_API_URL points at the platform API',
      })
    }

    return readJson(response, url, this.timeoutSeconds)
  }

  private malformed(path: string): LatchError {
    return new LatchError(ErrorKind.Network, `The platform API at ${new URL(path, this.baseUrl).href} sent a response latch cannot use`, {
      hint: 'check that LATCH_API_URL points at the platform API',
    })
  }
}

/** An error answer of the platform API: `{"error": CODE, "error_description": TEXT}`, as far as it was readable. */
export interface Refusal {
  code: string
  /** The server's description, one line, at most 200 characters: it goes into messages. */
  description: string
  /** The whole JSON object, for the extra fields some refusals carry (`missing_scopes`); empty when it was not one. */
  fields: Record<string, unknown>
  status: number
}

async function readRefusal(response: HttpGetResponse, url: string, timeoutSeconds: number): Promise<Refusal> {
  let body: unknown
  try {
    body = await readJson(response, url, timeoutSeconds)
  } catch {
    body = undefined
  }

  const fields = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as {error?: unknown; error_description?: unknown}
  return {
    code: typeof fields.error === 'string' ? oneLine(fields.error, 60) : '',
    description: typeof fields.error_description === 'string' ? oneLine(fields.error_description, 200) : '',
    fields,
    status: response.status,
  }
}

/** The server's refusal as the documented error of its kind, when the command has nothing better to say. */
function refusalError(refusal: Refusal): LatchError {
  const said = refusal.description || refusal.code || `HTTP ${refusal.status}`
  switch (refusal.status) {
    case 400:
      return new LatchError(ErrorKind.Usage, `The platform refused the request: ${said}`, {hint: 'fix the value it names and try again'})
    case 403:
      return new LatchError(ErrorKind.Forbidden, `Not allowed: ${said}`, {hint: 'ask an admin of the organization, or use a credential that may do this'})
    case 404:
      return new LatchError(ErrorKind.NotFound, `Not found: ${said}`, {hint: 'check the name or id (`latch orgs list`, `latch bots list`)'})
    default:
      return new LatchError(ErrorKind.Conflict, `Already exists: ${said}`, {hint: 'choose another name'})
  }
}

/**
 * The fix names every scope the credential already has plus the missing ones: `latch login` keeps the
 * current scopes anyway (see scopesToKeep), and the full list stays right with --reset-scopes too.
 */
export function insufficientScope(needed: string[], token: Credential): LatchError {
  const wanted = [...new Set([...(token.scopes ?? []).filter((scope) => !PROTOCOL.has(scope)), ...needed])]
  return new LatchError(ErrorKind.InsufficientScope, `Insufficient scope: this needs ${needed.join(', ')}, which the token from ${token.origin} lacks`, {
    hint: isFromEnv(token)
      ? `set ${token.origin} to ${/API_KEY$/.test(token.origin) ? 'an API key' : 'a token'} that has ${needed.join(', ')}, or unset it and run \`latch login --scopes ${wanted.join(',')}\``
      : token.secret.startsWith('sk_pat_')
        ? `use a personal access token that has ${needed.join(', ')}, or run \`latch login --scopes ${wanted.join(',')}\``
        : `run \`latch login --scopes ${wanted.join(',')}\``,
  })
}

const PROTOCOL: ReadonlySet<string> = new Set(PROTOCOL_SCOPES)

/** The fix for a token the server does not accept, by where the token came from. */
export function invalidTokenHint(token: Credential): string {
  if (isFromEnv(token)) return `set ${token.origin} to a valid token, or unset it and run \`latch login\``
  if (token.source === 'input' && token.secret.startsWith('sk_pat_')) {
    return 'check that you copied the whole token and that it was not revoked or expired; if in doubt, create a new one in the console'
  }

  return 'run `latch login` to sign in again'
}

/** Callers say `source`; a credential without one is from the environment when its origin is a variable name. */
function isFromEnv(token: Credential): boolean {
  return token.source === 'env' || (token.source === undefined && /^[A-Z][A-Z0-9_]*_TOKEN$/.test(token.origin))
}

/** RFC 6750: `Bearer error="insufficient_scope", scope="a b"`. */
function scopeFromChallenge(header: null | string): string[] {
  if (!header || !/error="insufficient_scope"/.test(header)) return []
  const match = /scope="([^"]*)"/.exec(header)
  return match ? match[1].split(' ').filter(Boolean) : []
}

async function readJson(response: HttpGetResponse, url: string, timeoutSeconds: number): Promise<unknown> {
  const declared = Number(response.header('content-length') ?? 0)
  const tooLarge = () =>
    new LatchError(ErrorKind.Network, `The platform API at ${url} sent more than ${MAX_BODY_BYTES / 1024 / 1024} MB`, {
      hint: 'check that LATCH_API_URL points at the platform API',
    })
  if (declared > MAX_BODY_BYTES) {
    response.discard()
    throw tooLarge()
  }

  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for await (const chunk of response.body) {
      size += chunk.byteLength
      if (size > MAX_BODY_BYTES) throw tooLarge()
      chunks.push(chunk)
    }
  } catch (error) {
    if (error instanceof LatchError) throw error
    throw new LatchError(ErrorKind.Network, `The platform API at ${url} broke off its answer: ${response.timedOut() ? `no complete answer within ${timeoutSeconds} s` : (describeNetworkFailure(error) ?? 'connection closed')}`, {
      hint: 'try again in a moment',
    })
  }

  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new LatchError(ErrorKind.Network, `The platform API at ${url} sent something that is not JSON`, {
      hint: 'check that LATCH_API_URL points at the platform API',
    })
  }
}

const TOKEN_TYPES: ReadonlySet<TokenType> = new Set(['bot_key', 'exchanged', 'oauth', 'pat'])
const ROLES: ReadonlySet<string> = new Set(['admin', 'bot', 'member'])

/** `{kind, id, name}` checked field by field; null when it is not one. */
export function principalOf(value: unknown): null | Principal {
  const principal = value as Partial<Principal> | null
  if (typeof principal !== 'object' || principal === null) return null
  if ((principal.kind !== 'user' && principal.kind !== 'bot') || !isText(principal.id) || typeof principal.name !== 'string') return null
  return {id: principal.id, kind: principal.kind, name: principal.name}
}

/** `{id, name, role}` checked field by field; null when it is not one. */
export function membershipOf(value: unknown): null | OrgMembership {
  const org = value as Partial<OrgMembership> | null
  if (typeof org !== 'object' || org === null) return null
  if (!isText(org.id) || !isText(org.name) || !ROLES.has(org.role as string)) return null
  return {id: org.id, name: org.name, role: org.role as OrgMembership['role']}
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}
