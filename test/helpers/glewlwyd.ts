/**
 * Glewlwyd, an independent OAuth 2.0 / OpenID Connect server written in C and packaged by Debian
 * (`apt-get install glewlwyd sqlite3`), as a test fixture: a throwaway SQLite database from the
 * package's own schema, a config file on a free loopback port, and, through its admin API, an OIDC
 * plugin with the device grant, refresh-token rotation and revocation, a public client for latch, two
 * scopes and one user (quinn, who holds `openid` and `inference` only). `approve(userCode)` does what
 * a person does in the browser: sign in as quinn, consent, submit the code.
 */
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {generateKeyPairSync} from 'node:crypto'
import {existsSync} from 'node:fs'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {createServer, type AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const SCHEMA = '/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3'
const TEMPLATE = '/usr/share/glewlwyd/templates/glewlwyd-debian.conf.properties'
export const CLIENT_ID = 'latch-cli'
const USER = {password: 'quinn-password-1', username: 'quinn'}

/** Why glewlwyd cannot run here, or undefined when it can. */
export function glewlwydMissing(): string | undefined {
  if (spawnSync('glewlwyd', ['--version']).error) return 'the glewlwyd binary is not on PATH'
  if (spawnSync('sqlite3', ['--version']).error) return 'the sqlite3 binary is not on PATH'
  for (const file of [SCHEMA, TEMPLATE]) if (!existsSync(file)) return `${file} is missing`
  return undefined
}

export interface RunningGlewlwyd {
  /** The OIDC plugin's issuer, e.g. http://127.0.0.1:40123/api/oidc */
  issuer: string
  approve(userCode: string): Promise<void>
  stop(): Promise<void>
}

export async function startGlewlwyd(): Promise<RunningGlewlwyd> {
  const dir = await mkdtemp(join(tmpdir(), 'latch-glewlwyd-'))
  const database = join(dir, 'glewlwyd.db')
  const schema = spawnSync('sqlite3', [database], {input: await readFile(SCHEMA)})
  if (schema.status !== 0) throw new Error(`sqlite3 could not create the database: ${schema.stderr}`)

  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const config = (await readFile(TEMPLATE, 'utf8'))
    .replace(/^port=.*$/m, `port=${port}`)
    .replace('_G_EXTRNAL_URL_', base)
    .replace('log_mode="file"', 'log_mode="console"')
    .replace('@include "/etc/glewlwyd/glewlwyd-db.conf"', `database = { type = "sqlite3" path = "${database}" };`)
  await writeFile(join(dir, 'glewlwyd.conf'), `${config}\nbind_address="127.0.0.1"\n`)

  const child = spawn('glewlwyd', [`--config-file=${join(dir, 'glewlwyd.conf')}`], {stdio: ['ignore', 'pipe', 'pipe']})
  let log = ''
  child.stdout!.on('data', (chunk) => (log += chunk))
  child.stderr!.on('data', (chunk) => (log += chunk))
  const stop = async () => {
    await stopProcess(child)
    await rm(dir, {force: true, recursive: true})
  }

  try {
    await waitFor(() => log.includes('Glewlwyd started'), 10_000, () => `glewlwyd did not start: ${log}`)
    const api = `${base}/api`
    const admin = await signIn(api, 'admin', 'password')
    const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    await call(api, admin, 'POST', '/mod/plugin/', {
      display_name: 'oidc',
      enabled: true,
      module: 'oidc',
      name: 'oidc',
      parameters: {
        'access-token-duration': 3600,
        'allow-non-oidc': true,
        'auth-type-code-enabled': true,
        'auth-type-device-enabled': true,
        'auth-type-refresh-enabled': true,
        cert: publicKey.export({format: 'pem', type: 'spki'}),
        'code-duration': 600,
        'discovery-enabled': true,
        'introspection-revocation-allowed': true,
        iss: `${api}/oidc`,
        'jwt-key-size': '256',
        'jwt-type': 'rsa',
        key: privateKey.export({format: 'pem', type: 'pkcs8'}),
        'refresh-token-duration': 1_209_600,
        'refresh-token-one-use': 'always',
        'refresh-token-rolling': true,
      },
    })
    for (const scope of ['inference', 'projects.read']) {
      await call(api, admin, 'POST', '/scope/', {description: scope, display_name: scope, name: scope, password_required: false, scheme: {}})
    }

    await call(api, admin, 'POST', '/client/', {
      authorization_type: ['device_authorization', 'refresh_token'],
      client_id: CLIENT_ID,
      confidential: false,
      enabled: true,
      name: 'latch',
      redirect_uri: [],
    })
    await call(api, admin, 'POST', '/user/', {enabled: true, name: 'Quinn Example', password: USER.password, scope: ['openid', 'inference'], username: USER.username})

    return {
      async approve(userCode) {
        const session = await signIn(api, USER.username, USER.password)
        await call(api, session, 'PUT', `/auth/grant/${CLIENT_ID}`, {scope: 'openid inference'})
        const response = await fetch(`${api}/oidc/device?code=${encodeURIComponent(userCode)}&g_continue`, {headers: {cookie: session}, redirect: 'manual'})
        await response.body?.cancel()
        const location = response.headers.get('location') ?? ''
        if (!location.includes('prompt=deviceComplete')) throw new Error(`glewlwyd did not accept the user code: ${response.status} ${location}`)
      },
      issuer: `${api}/oidc`,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

async function signIn(api: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${api}/auth/`, {body: JSON.stringify({password, username}), headers: {'content-type': 'application/json'}, method: 'POST'})
  await response.body?.cancel()
  const cookie = response.headers.get('set-cookie')
  if (!response.ok || !cookie) throw new Error(`glewlwyd sign-in as ${username}: HTTP ${response.status}`)
  return cookie.split(';')[0]
}

async function call(api: string, cookie: string, method: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${api}${path}`, {body: JSON.stringify(body), headers: {'content-type': 'application/json', cookie}, method})
  const text = await response.text()
  if (!response.ok) throw new Error(`glewlwyd ${method} ${path}: HTTP ${response.status} ${text}`)
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function waitFor(ready: () => boolean, ms: number, failure: () => string): Promise<void> {
  const deadline = Date.now() + ms
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(failure())
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}
