/**
 * Which names the emulator answers to. A request must name, in its Host header, the address the
 * emulator is bound to or a loopback equivalent (127.0.0.1, localhost, [::1]) with the bound port:
 * a web page that rebinds its own DNS name to 127.0.0.1 still sends its own name, and is refused.
 * Bound to a wildcard address (0.0.0.0, ::), the machine's own interface addresses are accepted too.
 */
import {networkInterfaces} from 'node:os'

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]'])

export class LocalOrigins {
  readonly #hosts: Set<string>

  readonly #protocol: string

  constructor(boundHost: string, port: number, protocol: 'http:' | 'https:' = 'http:') {
    this.#protocol = protocol
    const names = new Set(['127.0.0.1', 'localhost', '[::1]', urlHost(boundHost).toLowerCase()])
    if (WILDCARDS.has(boundHost)) {
      for (const addresses of Object.values(networkInterfaces())) {
        for (const {address} of addresses ?? []) names.add(urlHost(address).toLowerCase())
      }
    }

    this.#hosts = new Set([...names].map((name) => `${name}:${port}`))
    // A Host header may leave out the port when it is the scheme's default.
    if (port === (protocol === 'https:' ? 443 : 80)) for (const name of names) this.#hosts.add(name)
  }

  /** Whether a Host header names this emulator. */
  allowsHost(host: string | undefined): boolean {
    return host !== undefined && this.#hosts.has(host.toLowerCase())
  }

  /** Whether an Origin header is one of this emulator's own origins (its scheme, an allowed host). */
  allowsOrigin(origin: string): boolean {
    let url: URL
    try {
      url = new URL(origin)
    } catch {
      return false
    }

    return url.protocol === this.#protocol && url.origin === origin.toLowerCase() && this.allowsHost(url.host)
  }
}

/** A host as it appears in a URL: IPv6 gets brackets. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}
