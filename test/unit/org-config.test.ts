/**
 * Which organization a command acts in (config.ts): --org > LATCH_ORG (the host's prefix) > the default
 * stored with the login, which counts only while the stored token is the one in use > the only or first
 * membership. And a bot key's shape in LATCH_TOKEN.
 */
import {describe, expect, it} from '@jest/globals'

import {currentOrg, resolveConfig, tokenTypeOf} from '../../src/config.js'
import type {StoredCredentials} from '../../src/credentials/schema.js'
import {credentialsProblem} from '../../src/credentials/schema.js'

const BOT_KEY = `sk_bot_${'b'.repeat(64)}`
const stored: StoredCredentials = {
  created_at: '2026-01-01T00:00:00.000Z',
  issuer: 'https://stored.example.com',
  org: 'globex',
  token: {access_token: 'stored-access', scopes: ['inference'], type: 'oauth'},
  version: 1,
}
const file = '/h/.config/latch/credentials.json'
const memberships = [
  {id: 'org_acme', name: 'acme', role: 'admin'},
  {id: 'org_globex', name: 'globex', role: 'member'},
]

describe('the chosen organization', () => {
  it('--org beats LATCH_ORG, which beats the stored default, which beats nothing', () => {
    expect(resolveConfig({bin: 'latch', credentials: stored, env: {LATCH_ORG: 'env-org'}, flags: {org: 'flag-org'}, home: '/h'}).org).toEqual({origin: '--org', source: 'flag', value: 'flag-org'})
    expect(resolveConfig({bin: 'latch', credentials: stored, env: {LATCH_ORG: 'env-org'}, home: '/h'}).org).toEqual({origin: 'LATCH_ORG', source: 'env', value: 'env-org'})
    expect(resolveConfig({bin: 'latch', credentials: stored, env: {}, home: '/h'}).org).toEqual({origin: file, source: 'file', value: 'globex'})
    expect(resolveConfig({bin: 'latch', credentials: {...stored, org: undefined}, env: {}, home: '/h'}).org).toBeUndefined()
  })

  it('an empty LATCH_ORG or --org falls through', () => {
    expect(resolveConfig({bin: 'latch', credentials: stored, env: {LATCH_ORG: ' '}, flags: {org: ''}, home: '/h'}).org?.source).toBe('file')
  })

  it("a host CLI reads its own prefix's variable", () => {
    expect(resolveConfig({bin: 'acme-cli', env: {ACME_CLI_ORG: 'acme', LATCH_ORG: 'no'}, home: '/h'}).org).toEqual({origin: 'ACME_CLI_ORG', source: 'env', value: 'acme'})
  })

  it('the stored default does not follow a token from LATCH_TOKEN (a bot key or PAT is bound to its own organization)', () => {
    expect(resolveConfig({bin: 'latch', credentials: stored, env: {LATCH_TOKEN: BOT_KEY}, home: '/h'}).org).toBeUndefined()
    expect(resolveConfig({bin: 'latch', credentials: stored, env: {LATCH_ORG: 'acme', LATCH_TOKEN: BOT_KEY}, home: '/h'}).org?.value).toBe('acme')
    // Nor one from LATCH_API_KEY (an API key is bound to one organization too).
    expect(resolveConfig({bin: 'latch', credentials: stored, env: {LATCH_API_KEY: `sk_live_${'c'.repeat(64)}`}, home: '/h'}).org).toBeUndefined()
  })
})

describe('currentOrg', () => {
  it('matches the chosen one by name or id and keeps where it was chosen', () => {
    expect(currentOrg({origin: 'LATCH_ORG', source: 'env', value: 'globex'}, memberships)).toMatchObject({origin: 'LATCH_ORG', source: 'env', value: memberships[1]})
    expect(currentOrg({origin: '--org', source: 'flag', value: 'org_globex'}, memberships).value).toBe(memberships[1])
  })

  it('without a choice: the first membership, or the only one', () => {
    expect(currentOrg(undefined, memberships)).toEqual({origin: 'your first organization', source: 'default', value: memberships[0]})
    expect(currentOrg(undefined, [memberships[1]])).toEqual({origin: 'your only organization', source: 'default', value: memberships[1]})
  })

  it('a choice that is no membership is not replaced by another one', () => {
    expect(currentOrg({origin: '--org', source: 'flag', value: 'initech'}, memberships)).toMatchObject({value: undefined, wanted: 'initech'})
  })
})

describe('LATCH_TOKEN shapes', () => {
  it('a bot key is a bot key, a PAT a PAT, anything else an OAuth token', () => {
    expect(tokenTypeOf(BOT_KEY)).toBe('bot_key')
    expect(tokenTypeOf(`sk_pat_${'a'.repeat(64)}`)).toBe('pat')
    expect(tokenTypeOf('eyJhbGciOi.x.y')).toBe('oauth')
    expect(resolveConfig({bin: 'latch', env: {LATCH_TOKEN: BOT_KEY}, home: '/h'}).token?.value.type).toBe('bot_key')
  })
})

describe('the stored default in credentials.json', () => {
  it('is optional text', () => {
    expect(credentialsProblem(stored)).toBeUndefined()
    expect(credentialsProblem({...stored, org: undefined})).toBeUndefined()
    expect(credentialsProblem({...stored, org: 42})).toMatch(/organization/)
    expect(credentialsProblem({...stored, org: ''})).toMatch(/organization/)
  })
})
