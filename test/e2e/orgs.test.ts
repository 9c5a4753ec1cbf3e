/**
 * Organizations and bots end to end against the emulator (issue 16): which organization is current and
 * why (--org > LATCH_ORG > the stored default > the first membership), `orgs switch` storing it under
 * the lock, bots and their keys, whoami as a bot, and the platform's rules as the CLI reports them:
 * a member refused, a bot refused, a PAT of one organization refused on another, a deleted bot's keys
 * dead at once, the masked form exact, rotation that never revokes before the new key is verified.
 */
import {describe, expect, it} from '@jest/globals'
import {readFile} from 'node:fs/promises'
import {createServer, type IncomingMessage} from 'node:http'
import type {AddressInfo} from 'node:net'

import {DEVICE_CODE, runCli, type Sandbox, startCli} from '../helpers/cli.js'
import {useEmulator, useSandbox} from '../helpers/emulator.js'
import {readLogin} from '../helpers/files.js'
import {commandExists, describeWithTools, Terminal} from '../helpers/tmux.js'

const emulator = useEmulator(['--interval', '0.2'])
const sandbox: Sandbox = useSandbox(emulator)

const BOT_KEY = /^sk_bot_[0-9a-f]{64}$/
const KEY_SCOPES = ['account.read', 'keys.read', 'keys.write']

/** Signs in through the device flow as `user`, approved through the control API; the login is stored in the sandbox. */
async function loginAs(user: string, scopes = KEY_SCOPES, extra: string[] = []): Promise<void> {
  const login = startCli(['login', '--no-browser', '--scopes', scopes.join(','), ...extra], {env: sandbox.env()})
  login.process.stdin?.end()
  const [, code] = await login.waitFor(DEVICE_CODE)
  await emulator.approve(code, user)
  const result = await login.done
  expect(result.code).toBe(0)
}

async function control<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${emulator.issuer}/_emulator${path}`, {body: JSON.stringify(body), headers: {'content-type': 'application/json'}, method: 'POST'})
  const text = await response.text()
  if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`)
  return JSON.parse(text) as T
}

/** A PAT for `user` bound to `org`, made through the control API. */
async function pat(user: string, org: string, scopes = KEY_SCOPES): Promise<string> {
  return (await control<{token: string}>('/pats', {name: 'test', org, scopes, user})).token
}

let bots = 0
/** A fresh bot name: the emulator lives for the whole file. */
function botName(): string {
  return `bot-${process.pid}-${++bots}`
}

async function meStatus(token: string): Promise<number> {
  const response = await fetch(`${emulator.issuer}/v1/me`, {headers: {authorization: `Bearer ${token}`}})
  await response.body?.cancel()
  return response.status
}

/** The default profile's stored organization. */
async function storedOrg(): Promise<string | undefined> {
  return (await readLogin(sandbox.credentialsPath)).org
}

function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(args, {env: sandbox.env(env)})
}

describe('latch orgs', () => {
  it('lists your organizations with your role, and the first one is current by default', async () => {
    await loginAs('bob')
    const json = await cli(['orgs', 'list', '--json'])
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual({
      current: {id: 'org_acme', name: 'acme', origin: 'your first organization', role: 'member', source: 'default'},
      orgs: [
        {current: true, id: 'org_acme', name: 'acme', role: 'member'},
        {current: false, id: 'org_globex', name: 'globex', role: 'admin'},
      ],
    })

    const text = await cli(['orgs', 'list'])
    expect(text.stdout).toMatch(/^\*\s+acme\s+org_acme\s+member$/m)
    expect(text.stdout).toMatch(/^\s+globex\s+org_globex\s+admin$/m)
    expect(text.stdout).toContain('Current: acme (from your first organization)')
  })

  it('--org beats LATCH_ORG, which beats the default stored by `orgs switch`, and each says where it came from', async () => {
    await loginAs('bob')
    const switched = await cli(['orgs', 'switch', 'org_globex'])
    expect(switched.code).toBe(0)
    expect(switched.stdout).toContain('Switched to globex (org_globex), where you are an admin.')
    expect(await storedOrg()).toBe('globex')

    const current = async (args: string[], env: Record<string, string> = {}) => JSON.parse((await cli(['orgs', 'list', '--json', ...args], env)).stdout).current
    expect(await current([])).toMatchObject({name: 'globex', origin: sandbox.credentialsPath, source: 'file'})
    expect(await current([], {LATCH_ORG: 'acme'})).toMatchObject({name: 'acme', origin: 'LATCH_ORG', source: 'env'})
    expect(await current(['--org', 'org_globex'], {LATCH_ORG: 'acme'})).toMatchObject({name: 'globex', origin: '--org', source: 'flag'})

    // whoami reports the same organization, with the role there and where it was chosen.
    const whoami = JSON.parse((await cli(['whoami', '--json'])).stdout)
    expect(whoami.org).toEqual({id: 'org_globex', name: 'globex', role: 'admin'})
    expect(whoami.org_origin).toEqual({origin: sandbox.credentialsPath, source: 'file'})
    expect((await cli(['whoami'])).stdout).toContain(`Org:      globex (org_globex), role admin, from the default stored in ${sandbox.credentialsPath}`)
  })

  it('a new login of the same person keeps the stored default; a login as someone else drops it', async () => {
    await loginAs('bob')
    expect((await cli(['orgs', 'switch', 'globex'])).code).toBe(0)
    await loginAs('bob')
    expect(await storedOrg()).toBe('globex')
    await loginAs('alice')
    expect(await storedOrg()).toBeUndefined()
    expect(JSON.parse((await cli(['orgs', 'list', '--json'])).stdout).current).toMatchObject({name: 'acme', source: 'default'})
  })

  it('each profile keeps its own default: orgs switch --profile stores it in that login only', async () => {
    await loginAs('bob')
    await loginAs('bob', KEY_SCOPES, ['--profile', 'work'])
    expect((await cli(['orgs', 'switch', 'globex', '--profile', 'work'])).code).toBe(0)
    const file = JSON.parse(await readFile(sandbox.credentialsPath, 'utf8'))
    expect(file.profiles.work.org).toBe('globex')
    expect(file.profiles.default.org).toBeUndefined()
    const current = async (env: Record<string, string> = {}, args: string[] = []) => JSON.parse((await cli(['orgs', 'list', '--json', ...args], env)).stdout).current.name
    expect(await current({}, ['--profile', 'work'])).toBe('globex')
    expect(await current({LATCH_PROFILE: 'work'})).toBe('globex')
    expect(await current()).toBe('acme')
  })

  it('refuses to switch to an organization you are not in (exit 13), and while LATCH_TOKEN is set (exit 2)', async () => {
    await loginAs('alice')
    const before = await readFile(sandbox.credentialsPath, 'utf8')
    const notMine = await cli(['orgs', 'switch', 'globex'])
    expect(notMine.code).toBe(13)
    expect(notMine.stderr).toContain('Error: globex (from the argument) is not one of your organizations')
    expect(notMine.stderr).toContain('Hint: run `latch orgs list` to see yours')

    const withEnv = await cli(['orgs', 'switch', 'acme'], {LATCH_TOKEN: await pat('alice', 'acme')})
    expect(withEnv.code).toBe(2)
    expect(withEnv.stderr).toContain('LATCH_TOKEN is set')
    expect(await readFile(sandbox.credentialsPath, 'utf8')).toBe(before)
  })

  it('LATCH_ORG naming an organization you are not in: not_found (exit 13) naming LATCH_ORG, for whoami and bots', async () => {
    await loginAs('alice')
    const whoami = await cli(['whoami'], {LATCH_ORG: 'globex'})
    expect(whoami.code).toBe(13)
    expect(whoami.stderr).toContain('Error: globex (from LATCH_ORG) is not one of your organizations')
    const list = await cli(['bots', 'list'], {LATCH_ORG: 'globex'})
    expect(list.code).toBe(13)
    expect(list.stderr).toContain('No organization globex among yours')
  })
})

describe('latch bots', () => {
  it('an admin creates, lists and deletes a bot; the name must be free (exit 14) and well-formed (exit 2)', async () => {
    await loginAs('alice')
    const name = botName()
    const created = await cli(['bots', 'create', name, '--json'])
    expect(created.code).toBe(0)
    const bot = JSON.parse(created.stdout)
    expect(bot).toMatchObject({key_count: 0, name, org: {id: 'org_acme', name: 'acme'}})

    const again = await cli(['bots', 'create', name])
    expect(again.code).toBe(14)
    expect(again.stderr).toContain('A bot with that name already exists in acme')

    const bad = await cli(['bots', 'create', 'Not_OK'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('Invalid bot name')

    const list = await cli(['bots', 'list'])
    expect(list.stdout).toMatch(new RegExp(`^${name}\\s+${bot.id}\\s+0\\s+`, 'm'))

    const deleted = await cli(['bots', 'delete', bot.id, '--force', '--json'])
    expect(deleted.code).toBe(0)
    expect(JSON.parse(deleted.stdout)).toMatchObject({deleted: true, keys_revoked: 0, name})
    expect((await cli(['bots', 'list', '--json'])).stdout).not.toContain(name)
  })

  it('a member is refused: bob creating a bot in acme gets forbidden (exit 12)', async () => {
    await loginAs('bob')
    const result = await cli(['bots', 'create', botName(), '--org', 'acme'])
    expect(result.code).toBe(12)
    expect(result.stderr).toMatch(/Error: Not allowed in acme: .*admin/)
    // In globex, where bob is an admin, the same works.
    expect((await cli(['bots', 'create', botName(), '--org', 'globex'])).code).toBe(0)
  })

  it('a PAT made in acme is refused on globex (exit 12), although its owner is an admin there', async () => {
    const token = await pat('bob', 'acme')
    const result = await cli(['bots', 'create', botName(), '--org', 'globex'], {LATCH_TOKEN: token})
    expect(result.code).toBe(12)
    expect(result.stderr).toContain('Not allowed in globex')
    const list = await cli(['bots', 'list', '--org', 'globex'], {LATCH_TOKEN: token})
    expect(list.code).toBe(12)
    // Without --org it acts in its own organization.
    const own = await cli(['orgs', 'list', '--json'], {LATCH_TOKEN: token})
    expect(JSON.parse(own.stdout).orgs).toEqual([{current: true, id: 'org_acme', name: 'acme', role: 'member'}])
  })

  it('deleting a bot without a terminal is refused unless --force; with it, the bot and all its keys die at once', async () => {
    await loginAs('alice')
    const name = botName()
    expect((await cli(['bots', 'create', name])).code).toBe(0)
    const keys = [(await cli(['bots', 'keys', 'create', name, '--label', 'one'])).stdout.trim(), (await cli(['bots', 'keys', 'create', name, '--label', 'two'])).stdout.trim()]
    for (const key of keys) expect(await meStatus(key)).toBe(200)

    const refused = await cli(['bots', 'delete', name])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('Error: Refusing to delete without confirmation')
    expect(refused.stderr).toContain(`Hint: run \`latch bots delete ${name} --force\``)
    for (const key of keys) expect(await meStatus(key)).toBe(200)

    const deleted = await cli(['bots', 'delete', name, '--force'])
    expect(deleted.code).toBe(0)
    expect(deleted.stderr).toContain(`Deleted bot ${name} in acme; 2 keys revoked.`)
    for (const key of keys) expect(await meStatus(key)).toBe(401)
    const dead = await cli(['whoami'], {LATCH_TOKEN: keys[0]})
    expect(dead.code).toBe(5)
  })
})

describe('latch bots keys', () => {
  it('create prints the key alone on stdout; list shows only its label and exact masked form', async () => {
    await loginAs('alice')
    const name = botName()
    await cli(['bots', 'create', name])
    const created = await cli(['bots', 'keys', 'create', name, '--label', 'github actions'])
    expect(created.code).toBe(0)
    const key = created.stdout.trim()
    expect(created.stdout).toBe(`${key}\n`)
    expect(key).toMatch(BOT_KEY)
    const masked = `${key.slice(0, 8)}...${key.slice(-4)}`
    expect(created.stderr).toContain(`(${masked}) for bot ${name} in acme. It is shown only now`)
    expect(created.stderr).not.toContain(key)

    const list = await cli(['bots', 'keys', 'list', name, '--json'])
    expect(list.stdout).not.toContain(key)
    const {keys} = JSON.parse(list.stdout)
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatchObject({label: 'github actions', last_used_at: null, masked})
    const text = await cli(['bots', 'keys', 'list', name])
    expect(text.stdout).toMatch(new RegExp(`^${keys[0].id}\\s+github actions\\s+${masked.replaceAll('.', '\\.')}\\s+\\S+\\s+never$`, 'm'))
  })

  it('LATCH_TOKEN=<bot key> latch whoami: the bot, in its organization, not a person', async () => {
    const name = botName()
    const {key} = await control<{key: string}>('/bots/keys', {bot: name, label: 'ci', org: 'acme'})
    const text = await cli(['whoami'], {LATCH_TOKEN: key})
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(new RegExp(`as the bot ${name} \\(\\S+\\) in acme, not as a person`))
    expect(text.stdout).toContain('Org:      acme (org_acme), role bot, from the token (bound to one organization)')
    expect(text.stdout).toContain('Token:    bot key from environment variable LATCH_TOKEN')
    expect(text.stdout).not.toContain('Alice')

    const json = JSON.parse((await cli(['whoami', '--json'], {LATCH_TOKEN: key})).stdout)
    expect(json.principal).toMatchObject({kind: 'bot', name})
    expect(json.org).toEqual({id: 'org_acme', name: 'acme', role: 'bot'})
    expect(json.token.type).toBe('bot_key')

    // LATCH_ORG naming another organization does not move a bot key: whoami says so.
    const other = await cli(['whoami'], {LATCH_ORG: 'globex', LATCH_TOKEN: key})
    expect(other.code).toBe(0)
    expect(other.stdout).toContain('Note: environment variable LATCH_ORG names globex, but this bot key acts only in acme.')
  })

  it('a bot is refused: its key cannot create keys (exit 12)', async () => {
    const name = botName()
    const {key} = await control<{key: string}>('/bots/keys', {bot: name, label: 'ci', org: 'acme'})
    const result = await cli(['bots', 'keys', 'create', name, '--label', 'more'], {LATCH_TOKEN: key})
    expect(result.code).toBe(12)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/Error: Not allowed in acme: .*bot/)
  })

  it('revoke without a terminal needs --force; the key then fails at once; an unknown key is not_found (exit 13)', async () => {
    await loginAs('alice')
    const name = botName()
    await cli(['bots', 'create', name])
    const key = (await cli(['bots', 'keys', 'create', name, '--label', 'x'])).stdout.trim()
    const [{id}] = JSON.parse((await cli(['bots', 'keys', 'list', name, '--json'])).stdout).keys

    const unforced = await cli(['bots', 'keys', 'revoke', name, id])
    expect(unforced.code).toBe(2)
    expect(unforced.stderr).toContain('Error: Refusing to revoke without confirmation')
    expect(unforced.stderr).toContain(`Hint: run \`latch bots keys revoke ${name} ${id} --force\``)
    expect(await meStatus(key)).toBe(200)
    const revoked = await cli(['bots', 'keys', 'revoke', name, id, '--force'])
    expect(revoked.code).toBe(0)
    expect(await meStatus(key)).toBe(401)

    const unknown = await cli(['bots', 'keys', 'revoke', name, id, '--force'])
    expect(unknown.code).toBe(13)
    expect(unknown.stderr).toContain(`Bot ${name} in acme has no key ${id}`)
    expect((await cli(['bots', 'keys', 'list', 'no-such-bot'])).code).toBe(13)
  })

  it('rotate: new key created, verified with the platform, only then the old one revoked; the new key alone on stdout', async () => {
    await loginAs('alice')
    const name = botName()
    await cli(['bots', 'create', name])
    const old = (await cli(['bots', 'keys', 'create', name, '--label', 'deploy'])).stdout.trim()
    const [{id}] = JSON.parse((await cli(['bots', 'keys', 'list', name, '--json'])).stdout).keys
    const logStart = (await emulator.requests()).length

    const rotated = await cli(['bots', 'keys', 'rotate', name, id])
    expect(rotated.code).toBe(0)
    const fresh = rotated.stdout.trim()
    expect(rotated.stdout).toBe(`${fresh}\n`)
    expect(fresh).toMatch(BOT_KEY)
    // Without a terminal: the three steps as plain lines, in order.
    expect(rotated.stderr).toMatch(/Creating a new key\.\.\.\n.*\nVerifying the new key\.\.\.\n.*\nRevoking the old key\.\.\.\n/)
    expect(await meStatus(old)).toBe(401)
    expect(await meStatus(fresh)).toBe(200)

    // On the server: the new key was created, then used (GET /v1/me), and only then the old one revoked.
    const log = (await emulator.requests()).slice(logStart).map((entry) => `${entry.method} ${entry.path}`)
    const created = log.findIndex((entry) => entry.startsWith('POST ') && entry.endsWith('/keys'))
    const verify = log.indexOf('GET /v1/me', created)
    const revoke = log.findIndex((entry) => entry.startsWith('DELETE ') && entry.endsWith(`/keys/${id}`))
    expect(created).toBeGreaterThanOrEqual(0)
    expect(verify).toBeGreaterThan(created)
    expect(revoke).toBeGreaterThan(verify)

    const {keys} = JSON.parse((await cli(['bots', 'keys', 'list', name, '--json'])).stdout)
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatchObject({label: 'deploy', masked: `${fresh.slice(0, 8)}...${fresh.slice(-4)}`})
  })
})

describe('latch tokens --org', () => {
  it('tokens create --org makes a PAT bound to that organization; it is refused on the other one', async () => {
    await loginAs('bob')
    const made = await cli(['tokens', 'create', '--name', 'globex-ci', '--scopes', 'account.read,keys.read,keys.write', '--org', 'globex', '--json'])
    expect(made.code).toBe(0)
    const report = JSON.parse(made.stdout)
    expect(report.org).toEqual({id: 'org_globex', name: 'globex'})

    const whoami = JSON.parse((await cli(['whoami', '--json'], {LATCH_TOKEN: report.token})).stdout)
    expect(whoami.org).toEqual({id: 'org_globex', name: 'globex', role: 'admin'})
    const elsewhere = await cli(['bots', 'list', '--org', 'acme'], {LATCH_TOKEN: report.token})
    expect(elsewhere.code).toBe(12)
    expect((await cli(['bots', 'list'], {LATCH_TOKEN: report.token})).code).toBe(0)

    // Without --org, the current organization decides: LATCH_ORG here.
    const fromEnv = JSON.parse((await cli(['tokens', 'create', '--name', 'env', '--scopes', 'account.read', '--json'], {LATCH_ORG: 'globex'})).stdout)
    expect(fromEnv.org.name).toBe('globex')
    const byDefault = JSON.parse((await cli(['tokens', 'create', '--name', 'first', '--scopes', 'account.read', '--json'])).stdout)
    expect(byDefault.org.name).toBe('acme')
  })

  it('tokens list --org shows only the tokens of that organization', async () => {
    await loginAs('bob')
    const [inAcme, inGlobex] = [botName(), botName()]
    await cli(['tokens', 'create', '--name', inAcme, '--scopes', 'account.read', '--org', 'acme'])
    await cli(['tokens', 'create', '--name', inGlobex, '--scopes', 'account.read', '--org', 'org_globex'])
    const listed = async (args: string[]) => JSON.parse((await cli(['tokens', 'list', '--json', ...args])).stdout) as Array<{name: string; org: {name: string}}>
    const globex = await listed(['--org', 'globex'])
    expect(globex.map((token) => token.name)).toContain(inGlobex)
    expect(globex.map((token) => token.name)).not.toContain(inAcme)
    expect(new Set(globex.map((token) => token.org.name))).toEqual(new Set(['globex']))
    const acme = await listed(['--org', 'org_acme'])
    expect(acme.map((token) => token.name)).toContain(inAcme)
    expect(new Set(acme.map((token) => token.org.name))).toEqual(new Set(['acme']))
    expect((await listed([])).map((token) => token.name)).toEqual(expect.arrayContaining([inAcme, inGlobex]))
  })

  it('tokens create --org naming an organization you are not in: not_found (exit 13), nothing made', async () => {
    await loginAs('alice')
    const name = botName()
    const result = await cli(['tokens', 'create', '--name', name, '--scopes', 'account.read', '--org', 'globex'])
    expect(result.code).toBe(13)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('globex')
    expect(JSON.parse((await cli(['tokens', 'list', '--json'])).stdout).map((token: {name: string}) => token.name)).not.toContain(name)
  })
})

/**
 * A deliberately quirky platform in front of the emulator: it passes every request through, except
 * that it rejects every bot key at /v1/me (401), as a platform whose new keys take a while to work
 * would. The emulator cannot be made to do that for one kind of call.
 */
async function withBotKeysRejectedAtMe<T>(work: (apiUrl: string) => Promise<T>): Promise<T> {
  const body = async (req: IncomingMessage) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    return chunks.length > 0 ? Buffer.concat(chunks) : undefined
  }

  const server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/v1/me' && /^Bearer sk_bot_/.test(req.headers.authorization ?? '')) {
      res.writeHead(401, {'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"'}).end('{"error":"invalid_token"}')
      return
    }

    const headers: Record<string, string> = {}
    for (const name of ['accept', 'authorization', 'content-type']) if (req.headers[name]) headers[name] = String(req.headers[name])
    const answer = await fetch(`${emulator.issuer}${req.url}`, {body: await body(req), headers, method: req.method})
    res.writeHead(answer.status, {'content-type': answer.headers.get('content-type') ?? 'application/json'}).end(Buffer.from(await answer.arrayBuffer()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    return await work(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

describe('latch bots keys rotate when the new key does not work', () => {
  it('keeps the old key, takes the new one back, and fails (exit 1) saying so', async () => {
    await loginAs('alice')
    const name = botName()
    await cli(['bots', 'create', name])
    const old = (await cli(['bots', 'keys', 'create', name, '--label', 'deploy'])).stdout.trim()
    const [{id}] = JSON.parse((await cli(['bots', 'keys', 'list', name, '--json'])).stdout).keys

    const rotated = await withBotKeysRejectedAtMe((apiUrl) => cli(['bots', 'keys', 'rotate', name, id], {LATCH_API_URL: apiUrl}))
    expect(rotated.code).toBe(1)
    expect(rotated.stdout).toBe('')
    expect(rotated.stderr).toContain(`the old key ${id} was kept and still works`)
    expect(rotated.stderr).not.toContain('Revoking the old key')
    expect(await meStatus(old)).toBe(200)
    const {keys} = JSON.parse((await cli(['bots', 'keys', 'list', name, '--json'])).stdout)
    expect(keys.map((key: {id: string}) => key.id)).toEqual([id])
  })
})

describeWithTools({tmux: commandExists('tmux')}, 'on a terminal (tmux)', () => {
  it('bots delete asks, says how many keys die, and Enter means No: nothing is deleted', async () => {
    await loginAs('alice')
    const name = botName()
    await cli(['bots', 'create', name])
    const key = (await cli(['bots', 'keys', 'create', name, '--label', 'x'])).stdout.trim()
    const terminal = await Terminal.start({args: ['bots', 'delete', name], env: sandbox.env({TERM: 'xterm-256color'})})
    try {
      await terminal.waitFor(new RegExp(`Delete bot ${name} \\(\\S+\\) in acme\\? Its 1 key will stop working at once\\. \\(y/N\\)`))
      await terminal.keys('Enter')
      expect(await terminal.exitCode()).toBe(0)
      expect(await terminal.capture()).toContain('Nothing changed.')
    } finally {
      await terminal.stop()
    }

    expect(await meStatus(key)).toBe(200)
    expect((await cli(['bots', 'list'])).stdout).toContain(name)
  })

  it('rotate shows its three steps with listr2 and ends with all three done', async () => {
    await loginAs('alice')
    const name = botName()
    await cli(['bots', 'create', name])
    await cli(['bots', 'keys', 'create', name, '--label', 'x'])
    const [{id}] = JSON.parse((await cli(['bots', 'keys', 'list', name, '--json'])).stdout).keys
    const terminal = await Terminal.start({args: ['bots', 'keys', 'rotate', name, id], env: sandbox.env({TERM: 'xterm-256color'})})
    try {
      expect(await terminal.exitCode()).toBe(0)
      const screen = await terminal.capture()
      expect(screen).toMatch(/✔ Created key \S+ \(sk_bot_\S+\.\.\.\w{4}\)/)
      expect(screen).toMatch(/✔ Verified: the new key acts as bot /)
      expect(screen).toMatch(/✔ Revoked the old key /)
      expect(screen).toMatch(/^sk_bot_[0-9a-f]{64}$/m)
    } finally {
      await terminal.stop()
    }
  })
})
