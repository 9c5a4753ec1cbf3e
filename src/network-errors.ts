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
    }

    const tls = describeTlsFailure(current)
    if (tls) return tls.problem

    if (current instanceof DOMException && current.name === 'TimeoutError') return 'timed out'
    // undici, when the proxy answers CONNECT with anything but 200 (403 for a port it does not allow, 407 for credentials).
    const proxyStatus = current instanceof Error ? /^Proxy response \((\d{3})\)/.exec(current.message) : null
    if (proxyStatus) return `the proxy refused the connection (HTTP ${proxyStatus[1]}${proxyStatus[1] === '407' ? ': it wants credentials, given as http://user:password@proxy:port' : ''})`
  }

  return undefined
}

/** What is wrong with a server's certificate, in words, and what kind of fix it needs. */
export interface TlsFailure {
  /** OpenSSL's or Node's code, for the docs and DEBUG: CERT_HAS_EXPIRED, ... */
  code: string
  /** `untrusted`: latch needs the CA (LATCH_CA_FILE); `expired`/`not-yet-valid`: the server or the clock; `wrong-host`: the URL or the server. */
  kind: 'expired' | 'not-yet-valid' | 'untrusted' | 'wrong-host'
  problem: string
}

const UNTRUSTED: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed, and not trusted here',
  SELF_SIGNED_CERT_IN_CHAIN: 'a certificate in its chain is self-signed and not trusted here (a TLS-inspecting proxy or a private certificate authority)',
  UNABLE_TO_GET_ISSUER_CERT: 'its certificate was issued by a certificate authority that is not trusted here',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate was issued by a certificate authority that is not trusted here (a TLS-inspecting proxy or a private certificate authority)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate was issued by a certificate authority that is not trusted here (a TLS-inspecting proxy or a private certificate authority)',
}

/** The TLS certificate failure in `error` itself (not its causes), or undefined. */
export function describeTlsFailure(error: unknown): TlsFailure | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (!code) return undefined
  if (Object.hasOwn(UNTRUSTED, code)) return {code, kind: 'untrusted', problem: UNTRUSTED[code]}
  if (code === 'CERT_HAS_EXPIRED') return {code, kind: 'expired', problem: 'its certificate has expired'}
  if (code === 'CERT_NOT_YET_VALID') return {code, kind: 'not-yet-valid', problem: 'its certificate is not valid yet'}
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = (error as {cert?: {subjectaltname?: string}}).cert?.subjectaltname
    const host = (error as {host?: string}).host
    const valid = names ? names.replaceAll(/\b(DNS|IP Address):/g, '').split(/,\s*/).filter(Boolean).slice(0, 4).join(', ') : undefined
    return {code, kind: 'wrong-host', problem: `its certificate is for another host${valid ? ` (${valid})` : ''}${host ? `, not ${host}` : ''}`}
  }

  return undefined
}

/** The first TLS certificate failure among `error` and its causes. */
export function findTlsFailure(error: unknown): TlsFailure | undefined {
  for (let current = error, depth = 0; current && depth < 10; current = (current as {cause?: unknown}).cause, depth++) {
    const tls = describeTlsFailure(current)
    if (tls) return tls
  }

  return undefined
}

/**
 * The exact fix for a certificate failure at `url`: the CA file for an untrusted chain, the server (or
 * this machine's clock) for dates, the URL for a wrong host.
 */
export function tlsHint(failure: TlsFailure, url: string): string {
  const host = hostOf(url)
  switch (failure.kind) {
    case 'untrusted':
      return `if your network inspects TLS or ${host} uses a private certificate authority, get that root certificate (PEM) from your IT team and set LATCH_CA_FILE=/path/to/corp-root.pem (or pass --ca-file); never turn certificate checks off`
    case 'expired':
      return `the administrator of ${host} must renew its certificate; if this machine's date is wrong (check \`date\`), fix the clock`
    case 'not-yet-valid':
      return "this machine's clock is probably behind: check `date` and fix the clock, then try again"
    case 'wrong-host':
      return `use the host name the certificate names, or check the URL; a proxy that intercepts TLS may show its own certificate (then see \`latch doctor\`)`
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
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
