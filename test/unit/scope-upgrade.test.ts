import {describe, expect, it} from '@jest/globals'

import {scopesToKeep, scopesToRequest} from '../../src/auth/scopes.js'
import type {StoredCredentials} from '../../src/credentials/schema.js'
import {insufficientScope} from '../../src/platform/client.js'

const ISSUER = 'https://auth.example.com'
const signedIn = (type: 'oauth' | 'pat', scopes: string[], issuer = ISSUER): StoredCredentials => ({
  created_at: '2026-01-01T00:00:00.000Z',
  issuer,
  token: {access_token: 'a', scopes, type},
  version: 1,
})

describe('scopesToKeep (the union asked for by a new login)', () => {
  const asked = scopesToRequest('deployments.write')

  it('adds the platform scopes of the current OAuth login that the new one does not name', () => {
    expect(scopesToKeep(signedIn('oauth', ['openid', 'offline_access', 'inference', 'deployments.write']), ISSUER, asked)).toEqual(['inference'])
  })

  it('keeps nothing from a personal access token, another issuer, or no login', () => {
    expect(scopesToKeep(signedIn('pat', ['inference']), ISSUER, asked)).toEqual([])
    expect(scopesToKeep(signedIn('oauth', ['inference'], 'https://other.example.com'), ISSUER, asked)).toEqual([])
    expect(scopesToKeep(undefined, ISSUER, asked)).toEqual([])
  })

  it('drops names the catalogue no longer has instead of failing the login', () => {
    expect(scopesToKeep(signedIn('oauth', ['retired.scope', 'keys.read']), ISSUER, asked)).toEqual(['keys.read'])
  })
})

describe('insufficientScope', () => {
  it('suggests a login for the union of what the stored token has and what is missing', () => {
    const error = insufficientScope(['projects.read'], {origin: '/h/credentials.json', scopes: ['openid', 'offline_access', 'account.read'], secret: 's'})
    expect(error.kind).toBe('insufficient_scope')
    expect(error.message).toContain('projects.read')
    expect(error.hint).toBe('run `latch login --scopes account.read,projects.read`')
    // The suggested flag value is one that `latch login` accepts.
    expect(scopesToRequest('account.read,projects.read')).toEqual(['openid', 'offline_access', 'account.read', 'projects.read'])
  })

  it('asks an env token for another token rather than a login', () => {
    expect(insufficientScope(['projects.read'], {origin: 'LATCH_TOKEN', secret: 's'}).hint).toBe('set LATCH_TOKEN to a token that has projects.read, or unset it and run `latch login --scopes projects.read`')
  })
})
