/**
 * `latch tokens revoke` and `latch tokens rotate` on a real terminal (tmux): the confirmation that
 * defaults to No, and rotation's steps drawn by listr2, each ending as a tick in order.
 */
import {afterEach, expect, it} from '@jest/globals'

import {runCli} from '../helpers/cli.js'
import {useEmulator, useSandbox} from '../helpers/emulator.js'
import {commandExists, describeWithTools, Terminal} from '../helpers/tmux.js'

const emulator = useEmulator(['--interval', '0.2'])
const sandbox = useSandbox(emulator)
const MANAGER = ['keys.read', 'keys.write', 'inference', 'projects.read', 'deployments.read', 'account.read']
let terminal: Terminal | undefined

afterEach(async () => {
  await terminal?.stop()
  terminal = undefined
})

function terminalEnv(extra: Record<string, string> = {}): Record<string, string> {
  return sandbox.env({CI: undefined, FORCE_COLOR: undefined, NO_COLOR: undefined, NODE_ENV: undefined, ...extra})
}

async function status(token: string): Promise<number> {
  return (await fetch(`${emulator.issuer}/v1/me`, {headers: {authorization: `Bearer ${token}`}})).status
}

describeWithTools({tmux: commandExists('tmux')}, 'tokens on a real terminal (tmux)', () => {
  it('revoke asks first: Enter means No (nothing changed, exit 0); y revokes', async () => {
    const admin = await emulator.createPat({scopes: MANAGER})
    const victim = await emulator.createPat({name: 'victim', scopes: ['account.read']})
    terminal = await Terminal.start({args: ['tokens', 'revoke', victim.id], env: terminalEnv({LATCH_TOKEN: admin.token})})
    await terminal.waitFor(new RegExp(`Revoke token ${victim.id}\\? Whatever uses it stops working at once\\. \\(y/N\\)`))
    await terminal.keys('Enter')
    expect(await terminal.exitCode()).toBe(0)
    expect(await terminal.capture()).toContain('Nothing changed.')
    expect(await status(victim.token)).toBe(200)
    await terminal.stop()

    terminal = await Terminal.start({args: ['tokens', 'revoke', victim.id], env: terminalEnv({LATCH_TOKEN: admin.token})})
    await terminal.waitFor(/\(y\/N\)/)
    await terminal.type('y')
    await terminal.keys('Enter')
    expect(await terminal.exitCode()).toBe(0)
    expect(await terminal.capture()).toContain(`Revoked token ${victim.id} (victim).`)
    expect(await status(victim.token)).toBe(401)
  })

  it('rotate shows its steps as ticks, in order, then the new token; the old one stops working', async () => {
    const admin = await emulator.createPat({scopes: MANAGER})
    const old = await emulator.createPat({name: 'deploy-bot', scopes: ['inference', 'account.read']})
    terminal = await Terminal.start({args: ['tokens', 'rotate', old.id], env: terminalEnv({LATCH_TOKEN: admin.token}), width: 160})
    expect(await terminal.exitCode()).toBe(0)
    const screen = await terminal.capture()
    const ticks = [`✔ Reading token ${old.id}`, '✔ Creating the replacement deploy-bot-2', '✔ Verifying the new token', `✔ Revoking the old token ${old.id} (deploy-bot)`]
    const positions = ticks.map((line) => screen.indexOf(line))
    for (const position of positions) expect(position).toBeGreaterThanOrEqual(0)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    expect(screen).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✖]/)
    const fresh = screen.match(/^sk_pat_[0-9a-f]{64}$/m)?.[0]
    expect(fresh).toBeDefined()
    expect(await status(old.token)).toBe(401)
    expect(await status(fresh!)).toBe(200)
    // The same run without a terminal: plain lines, no spinner, no escape sequence.
    const plain = await runCli(['tokens', 'rotate', (await emulator.createPat({name: 'plain', scopes: ['account.read']})).id], {env: sandbox.env({LATCH_TOKEN: admin.token})})
    expect(plain.code).toBe(0)
    expect(plain.stderr).not.toMatch(/\u001B|[⠋⠙✔]/)
    expect(plain.stderr).toMatch(/^Reading token pat_[0-9a-f]+\.\.\.\nCreating the replacement plain-2\.\.\.\nVerifying the new token\.\.\.\n/)
  })
})
