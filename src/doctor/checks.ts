/**
 * `latch doctor`: what stands between this machine and a working login, checked in order, each
 * ok / warning / failed with the fix. Nothing is changed: no token is refreshed, no file written.
 * The checks run one after another and each may use what an earlier one found (the context, the
 * discovered server); a check that cannot run because an earlier one failed says so as a warning.
 */
import type {Configuration} from 'openid-client'

import {canRefresh} from '../auth/active-token.js'
import type {Context} from '../context.js'
import {isLatchError} from '../errors.js'
import {describeNetworkFailure, describeTlsFailure, oneLine, tlsHint} from '../network-errors.js'
import {nodeFs} from '../node-fs.js'
import {proxyFor, proxySettings, transportFetch, trustedCertificates} from '../transport.js'
import {decideBrowser} from '../ui/browser.js'

export type CheckStatus = 'failed' | 'ok' | 'warning'

export interface CheckResult {
  check: string
  detail: string
  /** What to do, for a warning or a failure. */
  fix?: string
  status: CheckStatus
}

export interface Check {
  /** What the check is, e.g. `tls`. */
  name: string
  /** The line shown while it runs. */
  title: string
  run(): Promise<Omit<CheckResult, 'check'>>
}

/** Clock skew against the server's Date header: warn over 30 s, fail over 5 min. */
export const SKEW_WARN_SECONDS = 30
export const SKEW_FAIL_SECONDS = 5 * 60

export interface DoctorInput {
  bin: string
  /** Makes the context (settings, credentials); its failure is the first check's. */
  context(): Promise<Context>
  env: Record<string, string | undefined>
  now?: () => number
}

/** The checks of §3 of issue 18, in order. */
export function doctorChecks(input: DoctorInput): Check[] {
  const now = input.now ?? Date.now
  let context: Context | undefined
  let server: Configuration | undefined
  let serverDate: number | undefined
  const ok = (detail: string) => ({detail, status: 'ok' as const})
  const warning = (detail: string, fix?: string) => ({detail, fix, status: 'warning' as const})
  const failed = (detail: string, fix?: string) => ({detail, fix, status: 'failed' as const})
  const fromError = (error: unknown, fallbackFix: string) =>
    isLatchError(error) ? failed(error.message, error.hint) : failed(oneLine(String((error as Error)?.message ?? error)), fallbackFix)
  const needContext = () => warning('not checked: the settings could not be read (see above)', 'fix the settings first')
  const issuerUrl = () => new URL(context!.config.issuer.value)
  const timeoutMs = () => Math.min(context!.timeout, 10) * 1000

  return [
    {
      name: 'settings',
      title: 'Reading the settings...',
      async run() {
        try {
          context = await input.context()
        } catch (error) {
          return fromError(error, `check the ${input.bin.toUpperCase()}_* variables and \`${input.bin} config list\``)
        }

        const {config} = context
        const from = (resolved: {origin: string; source: string}) => (resolved.source === 'default' ? 'default' : resolved.origin)
        const proxies = proxySettings(input.env)
        const parts = [
          `issuer ${config.issuer.value} (${from(config.issuer)})`,
          `client id ${config.clientId.value} (${from(config.clientId)})`,
          `API ${config.apiUrl.value} (${from(config.apiUrl)})`,
          `config dir ${config.configDir.value} (${from(config.configDir)})`,
          config.caFile ? `CA file ${config.caFile.value} (${config.caFile.origin})` : 'no extra CA file',
          proxies.https || proxies.http ? `proxy ${[proxies.https && `https: ${safeProxy(proxies.https)}`, proxies.http && `http: ${safeProxy(proxies.http)}`].filter(Boolean).join(', ')}${proxies.noProxy ? `, NO_PROXY ${proxies.noProxy}` : ''}` : 'no proxy',
          input.env.NODE_EXTRA_CA_CERTS ? `NODE_EXTRA_CA_CERTS ${input.env.NODE_EXTRA_CA_CERTS}` : undefined,
          systemStore(),
        ]
        return ok(parts.filter(Boolean).join('; '))
      },
    },
    {
      name: 'files',
      title: 'Checking the config directory and credentials file...',
      async run() {
        if (!context) return needContext()
        const dir = context.config.configDir.value
        const file = context.config.credentialsPath
        const uid = process.getuid?.()
        let dirStats
        try {
          dirStats = nodeFs.lstatSync(dir)
        } catch {
          return ok(`${dir} does not exist yet (made at the first login, mode 0700)`)
        }

        const mode = (stats: {mode: number}) => `0${(stats.mode & 0o777).toString(8)}`
        if (dirStats.isSymbolicLink()) return failed(`${dir} is a symbolic link`, `set ${context.config.env.configDir} to a real directory`)
        if (!dirStats.isDirectory()) return failed(`${dir} is not a directory`, `remove it or set ${context.config.env.configDir}`)
        if (uid !== undefined && dirStats.uid !== uid) return failed(`${dir} is owned by uid ${dirStats.uid}, not you (${uid})`, `chown ${uid} ${dir}, or set ${context.config.env.configDir}`)
        if (dirStats.mode & 0o022) return failed(`${dir} is writable by others (mode ${mode(dirStats)})`, `chmod 700 ${dir}`)
        let fileStats
        try {
          fileStats = nodeFs.lstatSync(file)
        } catch {
          return ok(`${dir} (mode ${mode(dirStats)}, yours); no credentials file yet`)
        }

        if (!fileStats.isFile()) return failed(`${file} is not a regular file`, `\`${input.bin} logout --force\` moves it aside`)
        if (uid !== undefined && fileStats.uid !== uid) return failed(`${file} is owned by uid ${fileStats.uid}, not you`, `chown ${uid} ${file}`)
        if (fileStats.mode & 0o077) return warning(`${file} is readable by others (mode ${mode(fileStats)})`, `chmod 600 ${file} (latch writes it 0600)`)
        if (context.unreadableCredentials) return failed(context.unreadableCredentials.message, context.unreadableCredentials.hint)
        return ok(`${dir} (mode ${mode(dirStats)}, yours); ${file} (mode ${mode(fileStats)}, yours)`)
      },
    },
    {
      name: 'dns',
      title: 'Looking up the issuer...',
      async run() {
        if (!context) return needContext()
        const url = issuerUrl()
        const proxy = proxyFor(url, input.env)
        const host = proxy ? new URL(proxy).hostname : url.hostname
        const what = proxy ? `the proxy ${host} (it looks up ${url.hostname} itself)` : url.hostname
        const bare = host.replace(/^\[|\]$/g, '')
        const {isIP} = await import('node:net')
        if (isIP(bare)) return ok(`${what} is an address: nothing to look up`)
        try {
          const {lookup} = await import('node:dns/promises')
          const addresses = await lookup(bare, {all: true})
          return ok(`${what} -> ${addresses.map((entry) => entry.address).slice(0, 3).join(', ')}`)
        } catch (error) {
          return failed(`${what} not found (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'})`, 'check the host name in the issuer URL, your DNS or VPN')
        }
      },
    },
    {
      name: 'tcp',
      title: 'Connecting to the issuer...',
      async run() {
        if (!context) return needContext()
        const url = issuerUrl()
        const proxy = proxyFor(url, input.env)
        const target = proxy ? new URL(proxy) : url
        const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80)
        const host = target.hostname.replace(/^\[|\]$/g, '')
        const started = now()
        try {
          await connectTcp(host, port, timeoutMs())
          return ok(`${proxy ? `the proxy ${target.host}` : `${host}:${port}`} accepts connections (${Math.max(0, now() - started)} ms)`)
        } catch (error) {
          const reason = describeNetworkFailure(error) ?? oneLine(String((error as Error).message))
          return failed(
            `${proxy ? `the proxy ${target.host}` : `${host}:${port}`}: ${reason}`,
            proxy ? 'check HTTPS_PROXY/HTTP_PROXY, or add the issuer\'s host to NO_PROXY if it is reached directly' : 'check the issuer URL, that the server runs, and your network or VPN',
          )
        }
      },
    },
    {
      name: 'tls',
      title: 'Checking TLS...',
      async run() {
        if (!context) return needContext()
        const url = issuerUrl()
        if (url.protocol !== 'https:') return ok(`plain http to ${url.host} (this machine only): no TLS`)
        const proxy = proxyFor(url, input.env)
        if (proxy) {
          // Through the proxy the discovery request below shows whether TLS works (a tunnel of the proxy's own is beyond a socket here).
          return ok(`through the proxy ${safeProxy(proxy)}: checked by the discovery request below`)
        }

        try {
          const ca = context.config.caFile ? await trustedCertificates(context.config.caFile.value, input.env) : undefined
          const summary = await tlsSummary(url, ca, timeoutMs())
          if (summary.failure) return failed(`${url.host}: ${summary.failure.problem}; chain: ${summary.chain}`, tlsHint(summary.failure, url.href))
          return ok(`${summary.protocol}, chain: ${summary.chain}`)
        } catch (error) {
          return failed(`${url.host}: ${describeNetworkFailure(error) ?? oneLine(String((error as Error).message))}`, 'check the issuer URL and your network')
        }
      },
    },
    {
      name: 'discovery',
      title: 'Reading the discovery document...',
      async run() {
        if (!context) return needContext()
        const issuer = context.config.issuer.value
        try {
          // The Date header, for the clock check: the same request path as every other (proxy, CA).
          const started = now()
          const response = await transportFetch(`${issuer}/.well-known/openid-configuration`, {redirect: 'manual', signal: AbortSignal.timeout(timeoutMs())})
          const date = Date.parse(response.headers.get('date') ?? '')
          if (!Number.isNaN(date)) serverDate = date + (now() - started) / 2
          await response.body?.cancel().catch(() => {})
        } catch {}

        try {
          server = await context.discover()
        } catch (error) {
          return fromError(error, 'check the issuer URL')
        }

        const metadata = server.serverMetadata()
        if (!metadata.device_authorization_endpoint) {
          return failed(`${issuer} has no device_authorization_endpoint: it cannot do the device flow`, `use an issuer that supports the device grant, or \`${input.bin} login --token\` with a personal access token`)
        }

        return ok(`issuer ${metadata.issuer} matches; device endpoint ${metadata.device_authorization_endpoint}; every endpoint is https or loopback`)
      },
    },
    {
      name: 'clock',
      title: 'Comparing the clock with the server...',
      async run() {
        if (!context) return needContext()
        if (serverDate === undefined) return warning('not checked: the server sent no Date header (or could not be reached)')
        const skew = Math.round((now() - serverDate) / 1000)
        const words = `this machine is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} the server`
        const fix = 'turn on automatic time (NTP): `timedatectl set-ntp true` on Linux, Date & Time settings elsewhere'
        if (Math.abs(skew) > SKEW_FAIL_SECONDS) return failed(words, fix)
        if (Math.abs(skew) > SKEW_WARN_SECONDS) return warning(words, fix)
        return ok(Math.abs(skew) <= 1 ? 'in step with the server (within 1 s)' : words)
      },
    },
    {
      name: 'credential',
      title: 'Checking the stored credential...',
      async run() {
        if (!context) return needContext()
        const {config} = context
        const token = config.token
        if (!token) return warning('not signed in: no stored credential and no token in the environment', `run \`${input.bin} login\``)
        if (token.source === 'env') return ok(`${token.origin} (${token.value.type === 'pat' ? 'a personal access token' : 'an OAuth token'}; the environment wins over anything stored)`)
        if (config.stored?.mismatch) {
          return failed(`it belongs to ${config.stored.issuer}, not ${config.issuer.value} (${config.issuer.origin})`, `run \`${input.bin} login --issuer ${config.issuer.value}\`, or unset ${config.issuer.origin}`)
        }

        const scopes = token.value.scopes?.length ? token.value.scopes.join(', ') : 'none recorded'
        const refreshable = canRefresh(context, token)
        const expires = token.value.expiresAt ? Date.parse(token.value.expiresAt) : undefined
        const base = `${token.value.type === 'pat' ? 'personal access token' : 'OAuth token'} for ${config.stored?.issuer ?? config.issuer.value}; scopes ${scopes}; ${refreshable ? 'refreshable' : 'not refreshable'}`
        if (expires !== undefined && expires <= now()) {
          return refreshable ? ok(`${base}; expired, renewed on next use`) : failed(`${base}; expired at ${token.value.expiresAt}`, `run \`${input.bin} login\``)
        }

        return ok(`${base}; ${expires === undefined ? 'no expiry' : `expires ${new Date(expires).toISOString().replace(/\.\d+Z$/, 'Z')}`}`)
      },
    },
    {
      name: 'platform',
      title: 'Asking the platform API...',
      async run() {
        if (!context) return needContext()
        const token = context.config.token
        if (!token) return warning('not checked: no credential', `run \`${input.bin} login\``)
        if (context.config.stored?.mismatch && token.source === 'file') return warning('not checked: the stored credential is for another issuer')
        const expires = token.value.expiresAt ? Date.parse(token.value.expiresAt) : undefined
        // No refresh here (doctor changes nothing): an expired token is not sent.
        if (expires !== undefined && expires <= now()) return warning('not checked: the access token has expired (it is renewed on the next command)', `run \`${input.bin} whoami\``)
        try {
          const me = await context.platform.me({origin: token.origin, scopes: token.value.scopes, secret: token.value.accessToken, source: token.source === 'env' ? 'env' : 'file'})
          if (!me) return warning(`${context.config.apiUrl.value} has no platform API (404); whoami falls back to userinfo`, `set ${context.config.env.apiUrl} if the API lives elsewhere`)
          return ok(`${context.config.apiUrl.value} answers: signed in as ${me.name} (${me.id})`)
        } catch (error) {
          return fromError(error, `check ${context.config.env.apiUrl}`)
        }
      },
    },
    {
      name: 'browser',
      title: 'Checking whether a browser can be opened...',
      async run() {
        const env = context?.env ?? input.env
        const decision = decideBrowser('auto', env)
        if (decision.open) return ok(decision.reason ? `yes, ${decision.reason}` : 'yes')
        return warning(`no: ${decision.reason}`, `\`${input.bin} login\` prints the URL, the code and a QR code: open it on any device`)
      },
    },
  ]
}

/** Runs the checks in order, without any display (--json, and tests). */
export async function runChecks(checks: Check[]): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  for (const check of checks) results.push({check: check.name, ...(await check.run())})
  return results
}

/**
 * Whether Node trusts the operating system's certificate store here: Node 22.15+ and 24+ can, when
 * started with --use-system-ca (or NODE_USE_SYSTEM_CA=1); Node 20 cannot.
 */
function systemStore(): string {
  const tls = process.getBuiltinModule?.('node:tls') as (typeof import('node:tls') & {getCACertificates?: (type: string) => string[]}) | undefined
  if (!tls?.getCACertificates) return 'the system CA store: not readable by this Node (use LATCH_CA_FILE)'
  const on = process.execArgv.includes('--use-system-ca') || /--use-system-ca\b/.test(process.env.NODE_OPTIONS ?? '') || process.env.NODE_USE_SYSTEM_CA === '1'
  return on ? 'the system CA store: trusted' : 'the system CA store: not used (NODE_OPTIONS=--use-system-ca to trust it)'
}

/** A proxy URL without its credentials. */
function safeProxy(proxy: string): string {
  try {
    const url = new URL(proxy)
    return `${url.protocol}//${url.host}`
  } catch {
    return '(unparsable URL)'
  }
}

function connectTcp(host: string, port: number, timeout: number): Promise<void> {
  return import('node:net').then(
    ({connect}) =>
      new Promise<void>((resolve, reject) => {
        const socket = connect({host, port, timeout})
        socket.once('connect', () => {
          socket.destroy()
          resolve()
        })
        socket.once('timeout', () => {
          socket.destroy()
          reject(Object.assign(new Error('timed out'), {code: 'ETIMEDOUT'}))
        })
        socket.once('error', reject)
      }),
  )
}

interface TlsSummary {
  chain: string
  failure?: ReturnType<typeof describeTlsFailure>
  protocol: string
}

/** A TLS handshake with the issuer: the chain it shows (subject <- issuer ..., the leaf's expiry) and what is wrong with it. */
async function tlsSummary(url: URL, ca: string[] | undefined, timeout: number): Promise<TlsSummary> {
  const tls = await import('node:tls')
  const {isIP} = await import('node:net')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const port = Number(url.port) || 443
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ca, host, port, rejectUnauthorized: false, servername: isIP(host) ? undefined : host, timeout})
    socket.once('timeout', () => {
      socket.destroy()
      reject(Object.assign(new Error('timed out'), {code: 'ETIMEDOUT'}))
    })
    socket.once('error', reject)
    socket.once('secureConnect', () => {
      const leaf = socket.getPeerCertificate(true)
      const names: string[] = []
      const seen = new Set<string>()
      for (let cert: typeof leaf | undefined = leaf; cert && !seen.has(cert.fingerprint256); cert = cert.issuerCertificate as typeof leaf | undefined) {
        seen.add(cert.fingerprint256)
        names.push(commonName(cert.subject) ?? '?')
        if (cert.issuerCertificate === cert) break
      }

      const last = [...seen].length > 0 ? leaf : undefined
      let top: typeof leaf | undefined = last
      while (top?.issuerCertificate && top.issuerCertificate !== top && top.issuerCertificate.fingerprint256 !== top.fingerprint256) top = top.issuerCertificate as typeof leaf
      const topIssuer = top ? commonName(top.issuer) : undefined
      if (topIssuer && topIssuer !== names.at(-1)) names.push(topIssuer)
      const chain = `${names.join(' <- ')}; the server certificate expires ${new Date(leaf.valid_to).toISOString().slice(0, 10)}`
      let failure: ReturnType<typeof describeTlsFailure>
      if (socket.authorizationError) {
        const code = String(socket.authorizationError)
        failure = describeTlsFailure({code}) ?? {code, kind: 'untrusted', problem: `its certificate is not accepted (${code})`}
      }

      if (!failure) {
        const mismatch = tls.checkServerIdentity(host, leaf)
        if (mismatch) failure = describeTlsFailure(mismatch)
      }

      const protocol = socket.getProtocol() ?? 'TLS'
      socket.destroy()
      resolve({chain, failure, protocol})
    })
  })
}

function commonName(name: unknown): string | undefined {
  const cn = (name as {CN?: string | string[]} | undefined)?.CN
  return Array.isArray(cn) ? cn[0] : cn
}
