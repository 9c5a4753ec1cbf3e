/**
 * fetch for openid-client with a ceiling on the response size: a broken or hostile server could
 * otherwise make latch buffer (and parse) any amount of data. Redirects stay as openid-client sets
 * them (never followed), so a token is never re-sent to another host. Requests go through
 * src/transport.ts (proxy variables, CA file).
 */

import {debugEnabled, debugLog, redactText, redactUrl} from '../debug-log.js'
import {describeNetworkFailure} from '../network-errors.js'
import {proxyNote, transportFetch} from '../transport.js'

/** Far above any real metadata, device or token response (a few KB). */
export const MAX_RESPONSE_BYTES = 1024 * 1024

export class ResponseTooLarge extends Error {
  constructor() {
    super(`response larger than ${MAX_RESPONSE_BYTES} bytes`)
    this.name = 'ResponseTooLarge'
  }
}

export async function limitedFetch(url: string, options: RequestInit): Promise<Response> {
  if (!debugEnabled('latch:http')) return limit(await transportFetch(url, options))
  return tracedFetch(url, options)
}

/**
 * The same request, traced on `latch:http`: method, URL (query values redacted), the grant type,
 * status, time and the OAuth error fields. Never headers or bodies: they hold the secrets.
 */
async function tracedFetch(url: string, options: RequestInit): Promise<Response> {
  const started = Date.now()
  const method = options.method ?? 'GET'
  const grant = options.body instanceof URLSearchParams ? options.body.get('grant_type') : undefined
  const request = `${method} ${redactUrl(url)}${grant ? ` (grant_type=${redactText(grant, 80)})` : ''}`
  let response: Response
  try {
    response = limit(await transportFetch(url, options))
  } catch (error) {
    debugLog('latch:http', () => `${request} failed after ${Date.now() - started} ms: ${describeNetworkFailure(error) ?? redactText(String((error as Error)?.message ?? error))}`)
    throw error
  }

  debugLog('latch:http', () => `${request} -> ${response.status} in ${Date.now() - started} ms${proxyNote(url)}`)
  if (response.status >= 400) {
    const fields = await errorFields(response.clone())
    if (fields) debugLog('latch:http', () => `  ${fields}`)
  }

  return response
}

/** `error=... error_description="..."` from an OAuth error body, or a WWW-Authenticate challenge. */
async function errorFields(response: Response): Promise<string | undefined> {
  const parts: string[] = []
  const challenge = response.headers.get('www-authenticate')
  if (challenge) parts.push(`www-authenticate: ${redactText(challenge)}`)
  try {
    const body = (await response.json()) as {error?: unknown; error_description?: unknown}
    if (typeof body?.error === 'string') parts.push(`error=${redactText(body.error, 80)}`)
    if (typeof body?.error_description === 'string') parts.push(`error_description="${redactText(body.error_description)}"`)
  } catch {
    parts.push('(the body is not a JSON error)')
  }

  return parts.length > 0 ? parts.join(' ') : undefined
}

function limit(response: Response): Response {
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > MAX_RESPONSE_BYTES) {
    void response.body?.cancel().catch(() => {})
    throw new ResponseTooLarge()
  }

  if (!response.body) return response
  let size = 0
  const limited = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength
        if (size > MAX_RESPONSE_BYTES) controller.error(new ResponseTooLarge())
        else controller.enqueue(chunk)
      },
    }),
  )
  return new Response(limited, {headers: response.headers, status: response.status, statusText: response.statusText})
}
