/**
 * Tinyproxy (Debian's `tinyproxy` package), a real HTTP/HTTPS proxy, as a test fixture: a config file
 * on a free loopback port, in the foreground (`-d`), logging every request it forwards. Its log is the
 * proof that a request went through it (`CONNECT 127.0.0.1:PORT` for https, `GET http://...` for http)
 * or did not. `connectPorts` limits the ports it tunnels to, as corporate proxies do (others get 403).
 */
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {connect, createServer, type AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** Why tinyproxy cannot run here, or undefined when it can. */
export function tinyproxyMissing(): string | undefined {
  return spawnSync('tinyproxy', ['-v']).error ? 'the tinyproxy binary is not on PATH' : undefined
}

export interface RunningProxy {
  /** e.g. http://127.0.0.1:40123 */
  url: string
  /** The request lines of the log so far: `CONNECT 127.0.0.1:4848 HTTP/1.1`, `GET http://127.0.0.1:4848/... HTTP/1.1`. */
  requests(): Promise<string[]>
  stop(): Promise<void>
}

export async function startTinyproxy(options: {connectPorts?: number[]} = {}): Promise<RunningProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'latch-tinyproxy-'))
  const port = await freePort()
  const logFile = join(dir, 'tinyproxy.log')
  const lines = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 30',
    'MaxClients 20',
    'LogLevel Connect',
    `LogFile "${logFile}"`,
    // No Allow lines: every client may use it. No ConnectPort lines: CONNECT to any port.
    ...(options.connectPorts ?? []).map((allowed) => `ConnectPort ${allowed}`),
  ]
  await writeFile(join(dir, 'tinyproxy.conf'), `${lines.join('\n')}\n`)
  const child = spawn('tinyproxy', ['-d', '-c', join(dir, 'tinyproxy.conf')], {stdio: ['ignore', 'pipe', 'pipe']})
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const deadline = Date.now() + 10_000
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`tinyproxy did not start: ${output}`)
    }

    await new Promise((resolve) => setTimeout(resolve, 50))
  }

  return {
    async requests() {
      let log = ''
      try {
        log = await readFile(logFile, 'utf8')
      } catch {}

      return [...log.matchAll(/Request \(file descriptor \d+\): (.*)$/gm)].map((match) => match[1].trim())
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve())
          child.kill('SIGTERM')
        })
      }

      await rm(dir, {force: true, recursive: true})
    },
    url: `http://127.0.0.1:${port}`,
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
