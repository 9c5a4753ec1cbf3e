/**
 * THE one place that decides how latch's requests reach a server: straight, or through the proxy that
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY name, trusting the extra certificate authority of --ca-file /
 * LATCH_CA_FILE. Every request goes through here: openid-client's (its customFetch is transportFetch,
 * via src/oauth/limited-fetch.ts), the platform client's (src/platform/http-get.ts) and so the fast path.
 *
 * With no proxy variable and no CA file (the usual case) nothing is loaded: fetch is Node's own and the
 * platform client uses node:http(s), as before. Only when one is set does undici's EnvHttpProxyAgent
 * load (undici from npm, the same on every Node line); it reads no environment itself: the variables
 * are read here, from the command's environment, with curl's rules (below).
 */
import type {Dispatcher} from 'undici'

import {nodeFs} from './node-fs.js'

export interface TransportSettings {
  /** An extra CA certificate file (PEM), already checked to exist: see resolveCaFile in config.ts. */
  caFile?: string
  env: Record<string, string | undefined>
}

let settings: TransportSettings = {env: process.env}
let agents: Promise<Agents> | undefined

/** Set by createContext (src/context.ts) for the command's environment and CA file. */
export function configureTransport(next: TransportSettings): void {
  settings = next
  const old = agents
  agents = undefined
  void old?.then((loaded) => loaded.close()).catch(() => {})
}

export interface ProxySettings {
  http?: string
  https?: string
  /** NO_PROXY as written, or undefined. */
  noProxy?: string
}

/**
 * The proxy variables as curl reads them: the lower-case name first (http_proxy, https_proxy, no_proxy),
 * then the upper-case one; an empty value counts as unset. HTTPS_PROXY is for https:// URLs and
 * HTTP_PROXY for http:// ones: an http proxy alone does not carry https requests (as with curl).
 */
export function proxySettings(env: Record<string, string | undefined>): ProxySettings {
  const read = (name: string) => env[name.toLowerCase()]?.trim() || env[name.toUpperCase()]?.trim() || undefined
  return {http: read('http_proxy'), https: read('https_proxy'), noProxy: read('no_proxy')}
}

/**
 * Whether NO_PROXY exempts `url` from the proxy, as curl and undici match it: `*` exempts everything;
 * an entry is a host name or address, with an optional `:port`, that matches the host itself and every
 * name under it (`example.com` and `.example.com` both match `api.example.com`).
 * For reports (latch doctor); the requests themselves are routed by undici's EnvHttpProxyAgent, which
 * applies the same rules.
 */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false
  if (noProxy.trim() === '*') return true
  const host = url.hostname.toLowerCase()
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue
    const parsed = /^(.+):(\d+)$/.exec(entry)
    const name = (parsed ? parsed[1] : entry).replace(/^\*?\./, '').toLowerCase()
    if (parsed && Number(parsed[2]) !== port) continue
    if (host === name || host.endsWith(`.${name}`)) return true
  }

  return false
}

/** The proxy a request to `url` goes through, or undefined when it goes straight to the server. */
export function proxyFor(url: URL, env: Record<string, string | undefined>): string | undefined {
  const proxies = proxySettings(env)
  const proxy = url.protocol === 'https:' ? proxies.https : proxies.http
  return proxy && !bypassesProxy(url, proxies.noProxy) ? proxy : undefined
}

/** " (through the proxy http://proxy:3128)" for messages about a request to `url`, or "". Credentials in the proxy URL are not shown. */
export function proxyNote(url: string): string {
  let proxy: string | undefined
  try {
    proxy = proxyFor(new URL(url), settings.env)
  } catch {
    return ''
  }

  if (!proxy) return ''
  try {
    const parsed = new URL(proxy)
    return ` (through the proxy ${parsed.protocol}//${parsed.host})`
  } catch {
    return ' (through the proxy from HTTPS_PROXY/HTTP_PROXY)'
  }
}

/** Whether requests need undici's agent: a proxy variable or a CA file is set. */
export function needsAgent(current: TransportSettings = settings): boolean {
  const proxies = proxySettings(current.env)
  return Boolean(current.caFile || proxies.http || proxies.https)
}

interface Agents {
  close(): Promise<void>
  /** The dispatcher for a request to `url`. */
  for(url: URL): Dispatcher
  undici: typeof import('undici')
}

async function loadAgents(current: TransportSettings): Promise<Agents> {
  // undici is CommonJS: its exports are the default export in latch's bundle (scripts/bundle.js), named ones too under Node.
  const imported = (await import('undici')) as typeof import('undici') & {default?: typeof import('undici')}
  const undici = imported.default ?? imported
  const ca = current.caFile ? await trustedCertificates(current.caFile, current.env) : undefined
  const connect = ca ? {ca} : {}
  const proxies = proxySettings(current.env)
  // EnvHttpProxyAgent would send https requests through HTTP_PROXY when HTTPS_PROXY is unset; curl
  // does not, so each scheme gets an agent that knows only its own proxy (and NO_PROXY).
  const make = (proxy: string | undefined) =>
    proxy
      ? new undici.EnvHttpProxyAgent({connect, httpProxy: proxy, httpsProxy: proxy, noProxy: proxies.noProxy ?? '', proxyTls: connect, requestTls: connect})
      : new undici.Agent({connect})
  const http = make(proxies.http)
  const https = make(proxies.https)
  return {
    // destroy, not close: close waits for the server to end idle keep-alive connections (seconds).
    async close() {
      await Promise.all([http.destroy(), https.destroy()])
    },
    for: (url) => (url.protocol === 'https:' ? https : http),
    undici,
  }
}

/**
 * The certificate authorities a request trusts when a CA file is given: Node's own (its bundled roots,
 * NODE_EXTRA_CA_CERTS, and the system store when Node is told to use it), plus the file. Passing `ca`
 * alone would replace Node's roots instead of adding to them.
 */
export async function trustedCertificates(caFile: string, env: Record<string, string | undefined>): Promise<string[]> {
  const tls = await import('node:tls')
  const own = (tls as {getCACertificates?: (type: string) => string[]}).getCACertificates
  let base: string[]
  if (own) base = own('default')
  else {
    // Node 20: the bundled roots, and NODE_EXTRA_CA_CERTS read again (Node adds it only to its default context).
    base = [...tls.rootCertificates]
    const extra = env.NODE_EXTRA_CA_CERTS?.trim()
    if (extra) {
      try {
        base.push(nodeFs.readFileSync(extra, 'utf8'))
      } catch {}
    }
  }

  return [...base, nodeFs.readFileSync(caFile, 'utf8')]
}

/**
 * Closes undici's agents, if they were loaded: their idle keep-alive connections would otherwise keep
 * the process alive for a second or so after the command is done. Called when the command has ended
 * (BaseCommand.finally, the fast path), when no request is left running.
 */
export async function closeTransport(): Promise<void> {
  const loaded = agents
  agents = undefined
  await loaded?.then((current) => current.close()).catch(() => {})
}

function currentAgents(): Promise<Agents> {
  agents ??= loadAgents(settings)
  return agents
}

/** fetch, through the proxy and with the CA file when they are set; Node's own fetch otherwise. */
export async function transportFetch(url: string, init: RequestInit): Promise<Response> {
  if (!needsAgent()) return fetch(url, init)
  const loaded = await currentAgents()
  const response = await loaded.undici.fetch(url, {...(init as import('undici').RequestInit), dispatcher: loaded.for(new URL(url))})
  return response as unknown as Response
}

export interface AgentResponse {
  body: AsyncIterable<Uint8Array> & {destroy(): void}
  headers: Record<string, string | string[] | undefined>
  statusCode: number
}

/** A request through undici's agent (the platform client's path when a proxy or CA file is set); undefined when none is needed. */
export async function agentRequest(
  url: string,
  options: {body?: string; headers: Record<string, string>; method: 'DELETE' | 'GET' | 'POST'; signal: AbortSignal},
): Promise<AgentResponse | undefined> {
  if (!needsAgent()) return undefined
  const loaded = await currentAgents()
  const response = await loaded.undici.request(url, {body: options.body, dispatcher: loaded.for(new URL(url)), headers: options.headers, method: options.method, signal: options.signal})
  return {body: response.body, headers: response.headers, statusCode: response.statusCode}
}
