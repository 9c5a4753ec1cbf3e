/**
 * Issue 10 (trust boundaries), the pure parts: issuer comparison, path settings, the child
 * environment, the terminal-safety function and the device-flow bounds. The end-to-end halves (real
 * CLI, real servers, a terminal) are in test/e2e/trust-boundaries.test.ts.
 */
import {describe, expect, it} from '@jest/globals'

import {absolutePath, childEnv, resolveConfig, resolveConfigDir, sameIssuer, secretEnvNames} from '../../src/config.js'
import {expiresAt, grantedTokens, MAX_TOKEN_LIFETIME_SECONDS, pollInterval} from '../../src/oauth/device-flow.js'
import {safeText} from '../../src/ui/terminal-text.js'

const HOME = '/home/someone'

describe('issuer binding (issue 10 §1)', () => {
  it('compares issuers ignoring a trailing slash, a default port and letter case in the host', () => {
    expect(sameIssuer('http://127.0.0.1:4848/', 'http://127.0.0.1:4848')).toBe(true)
    expect(sameIssuer('https://Auth.Example.com:443/', 'https://auth.example.com')).toBe(true)
    expect(sameIssuer('http://127.0.0.1:80', 'http://127.0.0.1')).toBe(true)
    expect(sameIssuer('http://127.0.0.1:4848', 'http://127.0.0.1:4849')).toBe(false)
    expect(sameIssuer('https://auth.example.com/tenant-a', 'https://auth.example.com/tenant-b')).toBe(false)
  })

  it('resolves the stored issuer and API URL, and flags a configured issuer that differs', () => {
    const credentials = {api_url: 'https://api.a.example', created_at: 'x', issuer: 'https://a.example/', token: {access_token: 't', scopes: [], type: 'oauth' as const}, version: 1 as const}
    const same = resolveConfig({bin: 'latch', credentials, env: {}, home: HOME})
    expect(same.stored).toEqual({apiUrl: 'https://api.a.example', issuer: 'https://a.example', mismatch: false})
    expect(same.apiUrl).toMatchObject({source: 'file', value: 'https://api.a.example'})
    const other = resolveConfig({bin: 'latch', credentials, env: {LATCH_ISSUER: 'https://b.example'}, home: HOME})
    expect(other.stored?.mismatch).toBe(true)
    // The API of another issuer is never the stored one.
    expect(other.apiUrl.value).toBe('https://b.example')
  })

  it('derives the API URL from the stored issuer for files written before api_url existed', () => {
    const credentials = {created_at: 'x', issuer: 'https://a.example/auth', version: 1 as const}
    expect(resolveConfig({bin: 'latch', credentials, env: {}, home: HOME}).stored?.apiUrl).toBe('https://a.example')
  })
})

describe('safeText: server text on a terminal (issue 10 §2)', () => {
  it('shows every control character and escape sequence escaped, never raw', () => {
    const hostile = 'a\u001B[2J\u001B]0;title\u0007\u001B]8;;http://evil\u001B\\b\rc\u009B31m\u0008d\u202Ee'
    const safe = safeText(hostile)
    // eslint-disable-next-line no-control-regex
    expect(safe).not.toMatch(/[\u0000-\u001F\u007F-\u009F\u202E]/)
    expect(safe).toBe(String.raw`a\u001b[2J\u001b]0;title\u0007\u001b]8;;http://evil\u001b\b\u000dc\u009b31m\u0008d\u202ee`)
  })

  it('bounds the length with an ellipsis, without splitting a character', () => {
    expect(safeText('x'.repeat(10_000))).toHaveLength(200)
    expect(safeText('x'.repeat(10_000)).endsWith('…')).toBe(true)
    expect(safeText('😀'.repeat(50), 10)).toBe(`${'😀'.repeat(9)}…`)
    expect(safeText('Alice Example')).toBe('Alice Example')
  })
})

describe('device-flow numbers (issue 10 §3)', () => {
  it('polls at most once a second: fractions round up, ≤ 0 or missing is the RFC default of 5 s', () => {
    expect(pollInterval(0.001)).toBe(1)
    expect(pollInterval(1.2)).toBe(2)
    expect(pollInterval(7)).toBe(7)
    expect(pollInterval(0)).toBe(5)
    expect(pollInterval(-3)).toBe(5)
    expect(pollInterval(undefined)).toBe(5)
    expect(pollInterval(Number.NaN)).toBe(5)
  })

  it('caps an absurd token lifetime instead of throwing "Invalid time value"', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(expiresAt(1e20, now)).toBe(new Date(now + MAX_TOKEN_LIFETIME_SECONDS * 1000).toISOString())
    expect(expiresAt(3600, now)).toBe('2026-01-01T01:00:00.000Z')
    expect(expiresAt(undefined, now)).toBeUndefined()
    expect(expiresAt(Number.POSITIVE_INFINITY, now)).toBeUndefined()
  })

  it('keeps a rotated refresh token whatever the expiry says', () => {
    const tokens = grantedTokens({access_token: 'new-access', expires_in: 1e300, refresh_token: 'rotated', token_type: 'bearer'} as never, {refreshToken: 'old', scopes: ['a']})
    expect(tokens).toMatchObject({accessToken: 'new-access', refreshToken: 'rotated', scopes: ['a']})
    expect(Date.parse(tokens.expiresAt!)).toBeGreaterThan(Date.now())
  })
})

describe('local files and child processes (issue 10 §4)', () => {
  it('expands a leading ~ in LATCH_CONFIG_DIR', () => {
    expect(resolveConfigDir({bin: 'latch', env: {LATCH_CONFIG_DIR: '~/.latch'}, home: HOME}).value).toBe('/home/someone/.latch')
    expect(absolutePath('~', 'X', HOME)).toBe(HOME)
  })

  it('refuses a relative LATCH_CONFIG_DIR with a usage error (exit 2)', () => {
    expect(() => resolveConfigDir({bin: 'latch', env: {LATCH_CONFIG_DIR: 'relative/dir'}, home: HOME})).toThrow('LATCH_CONFIG_DIR must be an absolute path')
    let exitCode: number | undefined
    try {
      resolveConfigDir({bin: 'latch', env: {LATCH_CONFIG_DIR: '.latch'}, home: HOME})
    } catch (error) {
      exitCode = (error as {exitCode: number}).exitCode
    }

    expect(exitCode).toBe(2)
  })

  it('child environments lose every secret variable latch reads, under the host CLI prefix too', () => {
    expect(secretEnvNames('acme')).toEqual(['ACME_TOKEN', 'ACME_ACCESS_KEY', 'ACME_API_KEY'])
    const env = childEnv({LATCH_ACCESS_KEY: 'k', LATCH_API_KEY: 'a', LATCH_ISSUER: 'i', LATCH_TOKEN: 't', PATH: '/bin'}, 'latch')
    expect(env).toEqual({LATCH_ISSUER: 'i', PATH: '/bin'})
  })
})
