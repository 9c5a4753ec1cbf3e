/**
 * A GET over node:http(s), for the platform client. Not fetch: on Node 20 the first fetch loads undici
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
import {agentGet} from '../transport.js'

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

export const httpGet: HttpGet = async (url, options) => {
  const signal = AbortSignal.timeout(options.timeoutMs)
  const started = Date.now()
  let throughAgent
  try {
    throughAgent = await agentGet(url, {headers: options.headers, signal})
  } catch (error) {
    debugLog('latch:http', () => `GET ${redactUrl(url)} failed after ${Date.now() - started} ms: ${describeNetworkFailure(error) ?? redactText(String((error as Error)?.message ?? error))}`)
    throw error
  }

  if (throughAgent) {
    const {body, headers, statusCode: status} = throughAgent
    debugLog('latch:http', () => `GET ${redactUrl(url)} -> ${status} in ${Date.now() - started} ms (through undici's agent)`)
    return {
      body,
      discard: () => body.destroy(),
      header(name) {
        const value = headers[name.toLowerCase()]
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
      request(url, {headers: options.headers, method: 'GET', signal}, resolve).on('error', reject).end()
    })
  } catch (error) {
    debugLog('latch:http', () => `GET ${redactUrl(url)} failed after ${Date.now() - started} ms: ${describeNetworkFailure(error) ?? redactText(String((error as Error)?.message ?? error))}`)
    throw error
  }

  const status = response.statusCode ?? 0
  if (debugEnabled('latch:http')) {
    const challenge = response.headers['www-authenticate']
    debugLog('latch:http', () => `GET ${redactUrl(url)} -> ${status} in ${Date.now() - started} ms${challenge ? ` www-authenticate: ${redactText(String(challenge))}` : ''}`)
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
const STATUS_TEXT: Record<number, string> = {400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout'}
