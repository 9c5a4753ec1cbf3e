/**
 * fetch for openid-client with a ceiling on the response size: a broken or hostile server could
 * otherwise make latch buffer (and parse) any amount of data. Redirects stay as openid-client sets
 * them (never followed), so a token is never re-sent to another host.
 */

/** Far above any real metadata, device or token response (a few KB). */
export const MAX_RESPONSE_BYTES = 1024 * 1024

export class ResponseTooLarge extends Error {
  constructor() {
    super(`response larger than ${MAX_RESPONSE_BYTES} bytes`)
    this.name = 'ResponseTooLarge'
  }
}

export async function limitedFetch(url: string, options: RequestInit): Promise<Response> {
  const response = await fetch(url, options)
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => {})
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
