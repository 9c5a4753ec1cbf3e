import {describe, expect, it} from '@jest/globals'
import {existsSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {createServer, type AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'

import {activeToken, canRefresh, expiresWithin, REFRESH_MARGIN_SECONDS, refreshDue} from '../../src/auth/active-token.js'
import {type Context, createContext} from '../../src/context.js'
import type {StoredCredentials, StoredToken} from '../../src/credentials/schema.js'
import {CredentialStore} from '../../src/credentials/store.js'
import {lockPathOf} from '../../src/credentials/lock.js'
import {LatchError} from '../../src/errors.js'

// A loopback port nothing listens on: a request there fails at once, so a test that reaches the network
// by mistake fails instead of hanging, and the network-failure test has a server to miss.
const ISSUER = `http://127.0.0.1:${await closedPort()}`
const SOON = () => new Date(Date.now() + 10_000).toISOString()
const LATER = () => new Date(Date.now() + 3_600_000).toISOString()
const PAST = () => new Date(Date.now() - 1000).toISOString()

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

function credentials(token: Partial<StoredToken>, extra: Partial<StoredCredentials> = {}): StoredCredentials {
  return {
    access_key: 'sk_proj_keepkeepkeepkeepkeepkeepkeepkeep',
    created_at: '2026-01-01T00:00:00.000Z',
    issuer: ISSUER,
    token: {access_token: 'old-access', refresh_token: 'old-refresh', scopes: ['openid', 'offline_access', 'inference'], type: 'oauth', ...token},
    version: 1,
    ...extra,
  }
}

async function contextWith(stored: StoredCredentials | undefined, env: Record<string, string> = {}): Promise<{cleanup(): Promise<void>; context: Context; store: CredentialStore; stderr: () => string}> {
  const dir = await mkdtemp(join(tmpdir(), 'latch-active-'))
  const store = new CredentialStore(join(dir, 'credentials.json'))
  if (stored) await store.write(stored)
  const stderr = new PassThrough()
  let text = ''
  stderr.on('data', (chunk) => {
    text += chunk
  })
  const context = await createContext({bin: 'latch', env: {LATCH_CONFIG_DIR: dir, LATCH_HTTP_TIMEOUT: '2', LATCH_ISSUER: ISSUER, ...env}, stderr: stderr as unknown as NodeJS.WriteStream})
  return {cleanup: () => rm(dir, {force: true, recursive: true}), context, store, stderr: () => text}
}

describe('refreshDue', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  const at = (seconds: number) => new Date(now + seconds * 1000).toISOString()
  it('never renews a token in the first half of its life, and renews a long-lived one a minute before expiry', () => {
    // A 30 s token issued 10 s ago (20 s left) is not due; 14 s left is.
    expect(refreshDue(at(20), at(-10), now)).toBe(false)
    expect(refreshDue(at(14), at(-16), now)).toBe(true)
    // An hour-long token: due with 60 s left, not with 61.
    expect(refreshDue(at(60), at(-3540), now)).toBe(true)
    expect(refreshDue(at(61), at(-3539), now)).toBe(false)
    // Without an issue time (older files) the minute applies; without an expiry, never.
    expect(refreshDue(at(59), undefined, now)).toBe(true)
    expect(refreshDue(undefined, at(-10), now)).toBe(false)
  })
})

describe('expiresWithin', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it('is true inside the margin and after expiry, false before, and never for a token without expiry', () => {
    expect(expiresWithin('2026-01-01T00:00:30Z', REFRESH_MARGIN_SECONDS, now)).toBe(true)
    expect(expiresWithin('2025-12-31T23:59:59Z', 0, now)).toBe(true)
    expect(expiresWithin('2026-01-01T00:02:00Z', REFRESH_MARGIN_SECONDS, now)).toBe(false)
    expect(expiresWithin(undefined, REFRESH_MARGIN_SECONDS, now)).toBe(false)
  })
})

describe('activeToken', () => {
  it('says "You are not authenticated" when there is no token', async () => {
    const {cleanup, context} = await contextWith(undefined)
    try {
      await expect(activeToken(context)).rejects.toMatchObject({kind: 'not_authenticated', message: 'You are not authenticated'})
    } finally {
      await cleanup()
    }
  })

  it('uses a LATCH_TOKEN as it is, even when the stored token is due for a refresh', async () => {
    const {cleanup, context, store} = await contextWith(credentials({expires_at: PAST()}), {LATCH_TOKEN: 'from-env'})
    try {
      const before = await store.readText()
      const token = await activeToken(context)
      expect(token).toMatchObject({source: 'env', value: {accessToken: 'from-env'}})
      expect(canRefresh(context, token)).toBe(false)
      expect(await store.readText()).toBe(before)
    } finally {
      await cleanup()
    }
  })

  it('does not touch a token with more than the margin left (no lock, no request)', async () => {
    const {cleanup, context, store} = await contextWith(credentials({expires_at: LATER()}))
    try {
      const token = await activeToken(context)
      expect(token.value.accessToken).toBe('old-access')
      expect(canRefresh(context, token)).toBe(true)
      expect(existsSync(lockPathOf(store.path))).toBe(false)
    } finally {
      await cleanup()
    }
  })

  it('refreshes a token that is still valid but has less than the margin left', async () => {
    const {cleanup, context} = await contextWith(credentials({expires_at: SOON()}))
    try {
      // The refresh is attempted (and fails on the closed port): the token was not used as it is.
      await expect(activeToken(context)).rejects.toMatchObject({kind: 'network'})
    } finally {
      await cleanup()
    }
  })

  it('refuses an expired OAuth token without a refresh token, with the re-login hint', async () => {
    const {cleanup, context} = await contextWith(credentials({expires_at: PAST(), refresh_token: undefined}))
    try {
      const error = (await activeToken(context).catch((error_) => error_)) as LatchError
      expect(error).toBeInstanceOf(LatchError)
      expect(error.kind).toBe('token_invalid')
      expect(error.exitCode).toBe(5)
      expect(error.message).toContain('Token is invalid or expired')
      expect(error.hint).toContain('latch login')
    } finally {
      await cleanup()
    }
  })

  it('uses a token near expiry as it is when it cannot be refreshed but still works', async () => {
    const {cleanup, context} = await contextWith(credentials({expires_at: SOON(), refresh_token: undefined}))
    try {
      expect((await activeToken(context)).value.accessToken).toBe('old-access')
    } finally {
      await cleanup()
    }
  })

  it('issuer binding: never uses (or refreshes) a stored token when LATCH_ISSUER names another issuer', async () => {
    const {cleanup, context} = await contextWith(credentials({expires_at: SOON()}, {issuer: 'https://other.example.com'}))
    try {
      expect(canRefresh(context, context.config.token!)).toBe(false)
      const error = await activeToken(context).then(
        () => undefined,
        (error_: unknown) => error_ as LatchError,
      )
      expect(error).toBeInstanceOf(LatchError)
      expect(error!.kind).toBe('issuer_mismatch')
      expect(error!.exitCode).toBe(11)
      expect(error!.message).toContain('https://other.example.com')
      expect(error!.message).toContain(ISSUER)
      expect(error!.hint).toContain(`latch login --issuer ${ISSUER}`)
      expect(error!.hint).toContain('unset LATCH_ISSUER')
    } finally {
      await cleanup()
    }
  })

  it('issuer binding: a trailing slash or default port is the same issuer', async () => {
    const {cleanup, context} = await contextWith(credentials({expires_at: LATER()}, {issuer: `${ISSUER}/`}))
    try {
      expect((await activeToken(context)).value.accessToken).toBe('old-access')
      expect(context.config.stored?.mismatch).toBe(false)
    } finally {
      await cleanup()
    }
  })

  it('uses the token another process saved while this one waited, instead of refreshing again', async () => {
    const {cleanup, context, store} = await contextWith(credentials({expires_at: PAST()}))
    try {
      // The other process's refresh lands between this one reading the file and taking the lock.
      await store.write(credentials({access_token: 'new-access', expires_at: LATER(), refresh_token: 'new-refresh'}))
      const token = await activeToken(context)
      expect(token.value).toMatchObject({accessToken: 'new-access', refreshToken: 'new-refresh'})
      // Later writes in the same command build on the new file, not on what was read at start.
      expect(context.credentials?.token?.refresh_token).toBe('new-refresh')
    } finally {
      await cleanup()
    }
  })

  it('keeps everything and names the server when the refresh fails on the network', async () => {
    const {cleanup, context, store} = await contextWith(credentials({expires_at: PAST()}))
    try {
      const before = await store.readText()
      const error = (await activeToken(context).catch((error_) => error_)) as LatchError
      expect(error.kind).toBe('network')
      expect(error.message).toMatch(new RegExp(`^Could not .* at ${ISSUER}.*: connection refused$`))
      expect(error.hint).toContain('not changed')
      expect(await store.readText()).toBe(before)
      expect(existsSync(lockPathOf(store.path))).toBe(false)
    } finally {
      await cleanup()
    }
  })
})
