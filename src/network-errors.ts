/**
 * A failed request, in words a person can act on, without any OAuth library: the platform client
 * uses it on the start-up path of `whoami`, where loading openid-client would cost more than the request.
 */

/** The root cause of a failed fetch, in words: "connection refused", "host not found", ... */
export function describeNetworkFailure(error: unknown): string | undefined {
  for (let current = error; current; current = (current as {cause?: unknown}).cause) {
    const code = (current as NodeJS.ErrnoException).code
    // fetch refuses some ports outright (the Fetch standard's "bad port" list, e.g. 1, 9, 25).
    if (current instanceof Error && current.message === 'bad port') return 'fetch refuses to connect to this port (a blocked port)'
    // An https:// URL that reaches a plain-http server: its first answer bytes are not a TLS record.
    if (
      code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
      code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
      (code === 'EPROTO' && current instanceof Error && /wrong version number|packet length too long/.test(current.message))
    ) {
      return 'the server does not speak TLS (https): if it is a plain http server on this machine, use an http:// URL'
    }

    switch (code) {
      case 'ECONNREFUSED':
        return 'connection refused'
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return 'host not found'
      case 'ECONNRESET':
      case 'UND_ERR_SOCKET':
        return 'connection reset by the server'
      case 'ETIMEDOUT':
      case 'UND_ERR_CONNECT_TIMEOUT':
      case 'OAUTH_TIMEOUT':
        return 'timed out'
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return 'network unreachable'
      case 'CERT_HAS_EXPIRED':
      case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      case 'ERR_TLS_CERT_ALTNAME_INVALID':
        return `TLS certificate problem (${code})`
    }

    if (current instanceof DOMException && current.name === 'TimeoutError') return 'timed out'
  }

  return undefined
}

/** Text from a server goes into one line of ours, cut short and without control characters. */
export function oneLine(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replaceAll(/[\u0000-\u001F\u007F-\u009F]+/g, ' ').trim()
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}

/**
 * " (the server asks to retry after N s)" for a Retry-After header (seconds or an HTTP date), else "".
 * latch does not retry on its own: a person or script decides, and now knows how long to wait.
 */
export function describeRetryAfter(header: null | string | undefined, now = Date.now()): string {
  if (!header) return ''
  const trimmed = header.trim()
  let seconds: number
  if (/^\d{1,10}$/.test(trimmed)) seconds = Number(trimmed)
  else {
    const at = Date.parse(trimmed)
    if (Number.isNaN(at)) return ''
    seconds = Math.max(0, Math.ceil((at - now) / 1000))
  }

  return ` (the server asks to retry after ${seconds} s)`
}
