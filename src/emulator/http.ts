/**
 * The small HTTP vocabulary the emulator's own endpoints share (platform API, control API, pages):
 * bounded body reading, JSON and HTML responses, and an error type that always becomes a 4xx JSON body.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

/** Larger than any legitimate request to the emulator; anything bigger is refused before it is buffered. */
export const BODY_LIMIT_BYTES = 64 * 1024

/** An error that maps to an HTTP status and an OAuth-style `{error, error_description}` body. */
export class HttpError extends Error {
  readonly status: number
  readonly code: string
  readonly headers: Record<string, string>
  readonly extra: Record<string, unknown>

  constructor(
    status: number,
    code: string,
    description: string,
    options: {extra?: Record<string, unknown>; headers?: Record<string, string>} = {},
  ) {
    super(description)
    this.status = status
    this.code = code
    this.headers = options.headers ?? {}
    this.extra = options.extra ?? {}
  }

  toBody(): Record<string, unknown> {
    return {error: this.code, error_description: this.message, ...this.extra}
  }
}

export async function readBody(req: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit)

  const chunks: Buffer[] = []
  let received = 0
  for await (const chunk of req) {
    received += (chunk as Buffer).length
    // Stop buffering at the limit; the rest of the upload is discarded when the response closes the socket.
    if (received > limit) throw tooLarge(limit)
    chunks.push(chunk as Buffer)
  }

  return Buffer.concat(chunks, received)
}

/** Reads a JSON object body (the caller checks the Content-Type). */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8')
  let parsed: unknown
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text)
  } catch {
    throw new HttpError(400, 'invalid_request', 'the request body is not valid JSON')
  }

  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, 'invalid_request', 'the request body must be a JSON object')
  }

  return parsed as Record<string, unknown>
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req)).toString('utf8'))
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, {
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(payload),
    'Content-Type': 'application/json; charset=utf-8',
    ...headers,
  })
  res.end(payload)
}

export function sendHttpError(res: ServerResponse, error: HttpError): void {
  // A body that was cut off at the limit leaves unread bytes behind: close rather than reuse the socket.
  const headers = error.status === 413 ? {...error.headers, Connection: 'close'} : error.headers
  sendJson(res, error.status, error.toBody(), headers)
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(html),
    'Content-Type': 'text/html; charset=utf-8',
  })
  res.end(html)
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, {'Content-Length': '0', Location: location})
  res.end()
}

/** Field validation shared by the JSON endpoints: each throws a 400 that names the field. */
export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field]
  if (typeof value !== 'string' || value.trim() === '') {
    throw new HttpError(400, 'invalid_request', `"${field}" must be a non-empty string`)
  }

  return value
}

export function optionalStringArray(body: Record<string, unknown>, field: string): string[] | undefined {
  const value = body[field]
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new HttpError(400, 'invalid_request', `"${field}" must be an array of strings`)
  }

  return value as string[]
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'invalid_request', `the request body is larger than ${limit} bytes`)
}
