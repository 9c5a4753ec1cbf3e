/**
 * A deliberately faulty platform API for the failures the emulator will not produce on its own: a
 * proxy on 127.0.0.1 (port 0) that forwards every request to a real server (the emulator) unchanged,
 * except those matching a rule, which it answers itself: a status with a JSON error body (as a broken
 * or overloaded platform answers), or a dropped connection (the network failing mid-request, after
 * the request reached it). Point LATCH_API_URL at `url`; the issuer (discovery, the token endpoint)
 * stays the real server.
 */
import {createServer, request, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface FaultRule {
  method: string
  path: RegExp
  /**
   * Answer with this status and body; `drop`: forward the request, then close the connection without an
   * answer; `transform`: forward it and answer with the server's JSON as `transform` changes it (a
   * server that leaves a field out); `delayMs`: forward it after that long (a slow server).
   */
  answer: 'drop' | {body?: unknown; status: number} | {delayMs: number} | {transform: (body: Record<string, unknown>) => unknown}
  /** How many matching requests to fail (default every one). */
  times?: number
}

export interface FaultyProxy {
  /** The bearer credential of every request, in order (for tests that prove what was sent where). */
  bearers: string[]
  /** Requests seen, as `METHOD /path -> status` (`drop` for dropped ones). */
  seen: string[]
  fail(rule: FaultRule): void
  stop(): Promise<void>
  url: string
}

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const rules: FaultRule[] = []
  const seen: string[] = []
  const bearers: string[] = []
  const upstream = new URL(target)

  const forward = (req: IncomingMessage, body: Buffer, res?: ServerResponse, transform?: (body: Record<string, unknown>) => unknown) =>
    new Promise<number>((resolve, reject) => {
      const proxied = request(
        {headers: {...req.headers, host: upstream.host}, hostname: upstream.hostname, method: req.method, path: req.url, port: upstream.port},
        (answer) => {
          if (!res) {
            answer.resume()
            answer.on('end', () => resolve(answer.statusCode ?? 0))
            return
          }

          if (transform) {
            const chunks: Buffer[] = []
            answer.on('data', (chunk: Buffer) => chunks.push(chunk))
            answer.on('end', () => {
              const text = JSON.stringify(transform(JSON.parse(Buffer.concat(chunks).toString('utf8'))))
              res.writeHead(answer.statusCode ?? 502, {'content-length': Buffer.byteLength(text), 'content-type': 'application/json'})
              res.end(text)
              resolve(answer.statusCode ?? 0)
            })
            return
          }

          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
          answer.on('end', () => resolve(answer.statusCode ?? 0))
        },
      )
      proxied.on('error', reject)
      proxied.end(body)
    })

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const path = (req.url ?? '/').split('?')[0]
    bearers.push((req.headers.authorization ?? '').replace(/^Bearer +/i, ''))
    const rule = rules.find((candidate) => candidate.method === req.method && candidate.path.test(path) && (candidate.times ?? 1) > 0)
    try {
      if (!rule) {
        seen.push(`${req.method} ${path} -> ${await forward(req, body, res)}`)
        return
      }

      if (rule.times !== undefined) rule.times--
      const {answer} = rule
      if (typeof answer === 'object' && 'delayMs' in answer) {
        await new Promise((resolve) => setTimeout(resolve, answer.delayMs))
        seen.push(`${req.method} ${path} -> ${await forward(req, body, res)} (late)`)
        return
      }

      if (typeof answer === 'object' && 'transform' in answer) {
        seen.push(`${req.method} ${path} -> ${await forward(req, body, res, answer.transform)} (changed)`)
        return
      }

      if (answer === 'drop') {
        // The server did the work; the answer never arrives.
        await forward(req, body)
        seen.push(`${req.method} ${path} -> drop`)
        req.socket.destroy()
        return
      }

      seen.push(`${req.method} ${path} -> ${answer.status}`)
      const text = JSON.stringify(answer.body ?? {error: 'server_error', error_description: 'injected failure'})
      res.writeHead(answer.status, {'content-length': Buffer.byteLength(text), 'content-type': 'application/json'})
      res.end(text)
    } catch {
      res.destroy()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    bearers,
    fail(rule) {
      rules.push({times: Number.POSITIVE_INFINITY, ...rule})
    },
    seen,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
    url: `http://127.0.0.1:${port}`,
  }
}
