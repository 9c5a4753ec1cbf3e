/**
 * Requests over node:http(s) for the platform client (GET, and POST or DELETE with a JSON body). Not fetch: on Node 20 the first fetch loads undici
 * and compiles its WebAssembly parser, about 130 ms and 40 MB, more than all of `latch whoami`
 * otherwise costs. Redirects are never followed; `timeoutMs` covers the whole exchange, body included.
 * With a proxy variable or a CA file set, the request goes through undici's agent (src/transport.ts) instead.
 */
import type {IncomingMessage} from 'node:http'
import {createRequire} from 'node:module'

/**
 * node:http(s) through require, not import(): an ES import of a builtin builds a facade of all its
 * exports, and on Node 24+ one of node:http's (WebSocket) is a getter that loads undici and
 * worker_threads, about 25 ms of a 60 ms `latch whoami`.
 */
const requireBuiltin = createRequire(import.meta.url)

import {debugEnabled, debugLog, redactText, redactUrl} from '../debug-log.js'
import {describeNetworkFailure} from '../network-errors.js'
import {agentRequest, proxyNote} from '../transport.js'

export interface HttpGetResponse {
  /** The body, chunk by chunk; reading it after `discard()` yields nothing. */
  body: AsyncIterable<Uint8Array>
  /** Drops the body unread and closes the connection. */
  discard(): void
  /** Like Headers.get: null when absent. */
  header(name: string): null | string
  ok: boolean
  status: number
  statusText: string
  /** Whether `timeoutMs` ran out (the body then ends in an error that only looks like a reset). */
  timedOut(): boolean
}

export type HttpGet = (url: string, options: {headers: Record<string, string>; timeoutMs: number}) => Promise<HttpGetResponse>

/** A request with a method and an optional JSON body; the platform client's POST and DELETE. */
export type HttpRequest = (
  url: string,
  options: {body?: string; headers: Record<string, string>; method: 'DELETE' | 'GET' | 'POST'; timeoutMs: number},
) => Promise<HttpGetResponse>

export const httpGet: HttpGet = (url, options) => httpRequest(url, {...options, method: 'GET'})

export const httpRequest: HttpRequest = async (url, options) => {
  const {method} = options
  const signal = AbortSignal.timeout(options.timeoutMs)
  const started = Date.now()
  const headers = options.body === undefined ? options.headers : {...options.headers, 'content-length': String(Buffer.byteLength(options.body)), 'content-type': 'application/json'}
  let throughAgent
  try {
    throughAgent = await agentRequest(url, {body: options.body, headers, method, signal})
  } catch (error) {
    debugLog('latch:http', () => `${method} ${redactUrl(url)} failed after ${Date.now() - started} ms: ${describeNetworkFailure(error) ?? redactText(String((error as Error)?.message ?? error))}`)
    throw error
  }

  if (throughAgent) {
    const {body, headers: responseHeaders, statusCode: status} = throughAgent
    debugLog('latch:http', () => `${method} ${redactUrl(url)} -> ${status} in ${Date.now() - started} ms${proxyNote(url) || ' (through undici\'s agent)'}`)
    return {
      body,
      discard: () => body.destroy(),
      header(name) {
        const value = responseHeaders[name.toLowerCase()]
        return Array.isArray(value) ? value.join(', ') : (value ?? null)
      },
      ok: status >= 200 && status < 300,
      status,
      statusText: STATUS_TEXT[status] ?? '',
      timedOut: () => signal.aborted,
    }
  }

  const {request} = requireBuiltin(url.startsWith('https:') ? 'node:https' : 'node:http') as typeof import('node:http')
  let response: IncomingMessage
  try {
    response = await new Promise<IncomingMessage>((resolve, reject) => {
      request(url, {headers, method, signal}, resolve).on('error', reject).end(options.body)
    })
  } catch (error) {
    debugLog('latch:http', () => `${method} ${redactUrl(url)} failed after ${Date.now() - started} ms: ${describeNetworkFailure(error) ?? redactText(String((error as Error)?.message ?? error))}`)
    throw error
  }

  const status = response.statusCode ?? 0
  if (debugEnabled('latch:http')) {
    const challenge = response.headers['www-authenticate']
    debugLog('latch:http', () => `${method} ${redactUrl(url)} -> ${status} in ${Date.now() - started} ms${challenge ? ` www-authenticate: ${redactText(String(challenge))}` : ''}`)
  }

  return {
    body: response,
    discard: () => response.destroy(),
    header(name) {
      const value = response.headers[name.toLowerCase()]
      return Array.isArray(value) ? value.join(', ') : (value ?? null)
    },
    ok: status >= 200 && status < 300,
    status,
    statusText: response.statusMessage ?? '',
    timedOut: () => signal.aborted,
  }
}

/** undici's request gives no reason phrase: the standard one for the status. */
const STATUS_TEXT: Record<number, string> = {200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout'}
