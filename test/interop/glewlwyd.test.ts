/**
 * latch against a server it did not write: Glewlwyd (C, Debian's `glewlwyd` package), with the device
 * grant, rotating refresh tokens and a user who holds fewer scopes than latch asks for. One login, then
 * whoami, token, a refresh, logout, and a refresh token replayed after logout. Every command runs with
 * DEBUG=latch:*, and no token may appear in any output but `latch token`'s stdout.
 *
 * Needs `glewlwyd` and `sqlite3` (.ci/run installs them). Without them the tests are skipped locally
 * and fail under CI=true.
 */
import {afterAll, beforeAll, describe, expect, it} from '@jest/globals'
import {readFile, writeFile} from 'node:fs/promises'

import {type CliResult, DEVICE_CODE, makeSandbox, runCli, type Sandbox, startCli} from '../helpers/cli.js'
import {CLIENT_ID, glewlwydMissing, type RunningGlewlwyd, startGlewlwyd} from '../helpers/glewlwyd.js'
import {readLogin, writeLogin} from '../helpers/files.js'

const missing = glewlwydMissing()
const ci = Boolean(process.env.CI)

if (missing && !ci) {
  describe.skip(`glewlwyd interop (skipped: ${missing}; apt-get install glewlwyd sqlite3)`, () => {
    it('needs glewlwyd', () => {})
  })
} else {
  describe('glewlwyd interop', () => {
    let server: RunningGlewlwyd | undefined
    let sandbox: Sandbox
    const outputs: CliResult[] = []
    const secrets = new Set<string>()

    beforeAll(async () => {
      if (missing) return
      server = await startGlewlwyd()
      sandbox = await makeSandbox(server.issuer)
    }, 30_000)
    afterAll(async () => {
      await server?.stop()
      await sandbox?.cleanup()
    })

    const env = () => sandbox.env({DEBUG: 'latch:*', LATCH_CLIENT_ID: CLIENT_ID})
    const run = async (args: string[]) => {
      const result = await runCli(args, {env: env()})
      outputs.push(result)
      return result
    }

    const stored = async () => {
      const file = await readLogin(sandbox.credentialsPath)
      if (file.token?.access_token) secrets.add(file.token.access_token)
      if (file.token?.refresh_token) secrets.add(file.token.refresh_token)
      return file
    }

    it('is installed', () => {
      expect(missing ?? 'installed').toBe('installed')
    })

    it('login: device flow approved in glewlwyd; the scopes the user lacks are named', async () => {
      const login = startCli(['login', '--no-browser', '--json'], {env: env()})
      login.process.stdin?.end()
      const [, userCode] = await login.waitFor(DEVICE_CODE)
      await server!.approve(userCode)
      const result = await login.done
      outputs.push(result)

      expect(result.stderr).toContain('latch:http POST')
      expect(result.code).toBe(0)
      const report = JSON.parse(result.stdout)
      expect(report.scopes_not_granted).toEqual(expect.arrayContaining(['projects.read', 'account.read']))
      expect(report.token.scopes).toEqual(['inference'])
      expect(report.user.id).toMatch(/\S/)
      expect(result.stderr).toMatch(/did not grant .*projects\.read/)
      expect((await stored()).token.refresh_token).toBeTruthy()
    }, 30_000)

    it('whoami (through userinfo) and token', async () => {
      const whoami = await run(['whoami'])
      expect(whoami.code).toBe(0)
      expect(whoami.stdout).toContain(`Signed in to ${server!.issuer} as`)
      expect(whoami.stderr).toMatch(/latch:http GET \S+\/userinfo -> 200/)

      const token = await run(['token'])
      expect(token.code).toBe(0)
      expect(token.stdout.trim()).toBe((await stored()).token.access_token)
    })

    let spentRefreshToken = ''

    it('refresh rotates the refresh token', async () => {
      const before = await stored()
      spentRefreshToken = before.token.refresh_token
      before.token.expires_at = new Date(Date.now() - 1000).toISOString()
      await writeLogin(sandbox.credentialsPath, before)

      const result = await run(['token'])

      expect(result.code).toBe(0)
      expect(result.stderr).toMatch(/grant_type=refresh_token\) -> 200/)
      const after = await stored()
      expect(after.token.access_token).not.toBe(before.token.access_token)
      expect(after.token.refresh_token).not.toBe(spentRefreshToken)
    })

    it('logout removes the credentials and says why revocation failed (401: client authentication)', async () => {
      const result = await run(['logout', '--force', '--json'])
      expect(result.code).toBe(0)
      const report = JSON.parse(result.stdout)
      expect(report.removed).toBe(true)
      // Glewlwyd's revocation endpoint wants client authentication, which a public client cannot give.
      expect(report.revoked).toBe('failed')
      expect(report.revocation_error).toBe('the server answered 401: the server requires client authentication, which a public client cannot give')
      expect(result.stderr).toMatch(/the access token stays valid until \S+Z, and the refresh token until its own expiry on the server/)
      expect(result.stderr).not.toContain('Revoked the token')
    })

    it('a spent refresh token is a dead grant: exit 5, the token removed', async () => {
      await writeFile(
        sandbox.credentialsPath,
        JSON.stringify({
          access_key: 'sk_proj_kept0kept0kept0kept0kept0kept0kept0',
          created_at: new Date().toISOString(),
          issuer: server!.issuer,
          token: {access_token: 'expired-access', expires_at: new Date(Date.now() - 1000).toISOString(), refresh_token: spentRefreshToken, scopes: ['openid', 'inference'], type: 'oauth'},
          version: 1,
        }),
        {mode: 0o600},
      )

      const result = await run(['token'])

      expect(result.stderr).toContain('Token is invalid or expired')
      expect(result.code).toBe(5)
      const after = await readLogin(sandbox.credentialsPath)
      expect(after.token).toBeUndefined()
      expect(after.access_key).toMatch(/^sk_proj_/)
    })

    it('no token in any output but `latch token`', () => {
      expect(secrets.size).toBeGreaterThanOrEqual(4)
      const printed = outputs.flatMap((result, index) => [result.stderr, outputs[index].stdout]).filter((text) => !/^eyJ[\w.-]+\n$/.test(text))
      for (const secret of secrets) for (const text of printed) expect(text).not.toContain(secret)
    })
  })
}
