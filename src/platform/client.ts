/**
 * The platform API: who the token belongs to, and which project a key opens. Every response is
 * checked field by field before use, and every failure becomes one of the documented errors.
 */
import {ErrorKind, LatchError} from '../errors.js'
import {describeNetworkFailure, describeRetryAfter, findTlsFailure, oneLine, tlsHint} from '../network-errors.js'
import {proxyNote} from '../transport.js'
import {type HttpGet, type HttpGetResponse, httpGet} from './http-get.js'
import {PROTOCOL_SCOPES} from './scopes.js'

export interface Me {
  email?: string
  id: string
  name: string
  scopes: string[]
  token: {expires_at: null | string; type: 'oauth' | 'pat'}
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
  ) {}

  /** The token's owner; undefined when the server has no platform API (404), so callers can fall back to userinfo. */
  async me(token: Credential): Promise<Me | undefined> {
    const body = await this.get('/v1/me', token, {}, {notFound: () => undefined})
    if (body === undefined) return undefined
    const me = body as Partial<Me>
    if (typeof me.id !== 'string' || !me.id || typeof me.name !== 'string' || !isStringList(me.scopes))
      throw this.malformed('/v1/me')
    const tokenInfo = (me.token ?? {}) as Partial<Me['token']>
    return {
      email: typeof me.email === 'string' ? me.email : undefined,
      id: me.id,
      name: me.name,
      scopes: me.scopes,
      token: {
        expires_at: typeof tokenInfo.expires_at === 'string' ? tokenInfo.expires_at : null,
        type: tokenInfo.type === 'pat' ? 'pat' : 'oauth',
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
  ): Promise<unknown> {
    const url = new URL(path, this.baseUrl).href
    let response: HttpGetResponse
    try {
      response = await this.request(url, {
        headers: {accept: 'application/json', authorization: `Bearer ${token.secret}`, ...(this.userAgent ? {'user-agent': this.userAgent} : {}), ...headers},
        timeoutMs: this.timeoutSeconds * 1000,
      })
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
      response.discard()
      if (needed.length > 0) throw insufficientScope(needed, token)
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

/**
 * The fix names every scope the credential already has plus the missing ones: `latch login` keeps the
 * current scopes anyway (see scopesToKeep), and the full list stays right with --reset-scopes too.
 */
export function insufficientScope(needed: string[], token: Credential): LatchError {
  const wanted = [...new Set([...(token.scopes ?? []).filter((scope) => !PROTOCOL.has(scope)), ...needed])]
  return new LatchError(ErrorKind.InsufficientScope, `Insufficient scope: this needs ${needed.join(', ')}, which the token from ${token.origin} lacks`, {
    hint: isFromEnv(token)
      ? `set ${token.origin} to a token that has ${needed.join(', ')}, or unset it and run \`latch login --scopes ${wanted.join(',')}\``
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

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}
