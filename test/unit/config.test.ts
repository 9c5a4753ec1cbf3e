import {describe, expect, it} from '@jest/globals'

import {DEFAULT_ISSUER, envNames, resolveConfig, resolveConfigDir, validateServerUrl} from '../../src/config.js'
import type {StoredCredentials} from '../../src/credentials/schema.js'

const PAT = `sk_pat_${'a'.repeat(64)}`
const stored: StoredCredentials = {
  access_key: 'sk_proj_storedstoredstoredstoredstored',
  created_at: '2026-01-01T00:00:00.000Z',
  issuer: 'https://stored.example.com',
  token: {access_token: 'stored-access', scopes: ['inference'], type: 'oauth'},
  version: 1,
}

describe('envNames', () => {
  it('derives the prefix from the bin, so a host CLI gets its own variables', () => {
    expect(envNames('latch').token).toBe('LATCH_TOKEN')
    expect(envNames('acme-cli').configDir).toBe('ACME_CLI_CONFIG_DIR')
  })
})

describe('resolveConfigDir', () => {
  it('takes <PREFIX>_CONFIG_DIR, then XDG_CONFIG_HOME/<bin>, then ~/.config/<bin>', () => {
    expect(resolveConfigDir({bin: 'latch', env: {LATCH_CONFIG_DIR: '/x', XDG_CONFIG_HOME: '/xdg'}, home: '/h'})).toEqual({origin: 'LATCH_CONFIG_DIR', source: 'env', value: '/x'})
    expect(resolveConfigDir({bin: 'latch', env: {XDG_CONFIG_HOME: '/xdg'}, home: '/h'}).value).toBe('/xdg/latch')
    // XDG Base Directory spec: a relative value is invalid and ignored.
    expect(resolveConfigDir({bin: 'latch', env: {XDG_CONFIG_HOME: 'rel/xdg'}, home: '/h'}).value).toBe('/h/.config/latch')
    expect(resolveConfigDir({bin: 'acme', env: {}, home: '/h'})).toEqual({origin: 'default', source: 'default', value: '/h/.config/acme'})
  })

  it('ignores an env var that is set but empty', () => {
    expect(resolveConfigDir({bin: 'latch', env: {LATCH_CONFIG_DIR: '  '}, home: '/h'}).source).toBe('default')
  })
})

describe('resolveConfig precedence: flag > env > file > default', () => {
  const table: Array<[string, Parameters<typeof resolveConfig>[0], string, string]> = [
    ['flag beats env and file', {bin: 'latch', credentials: stored, env: {LATCH_ISSUER: 'https://env.example.com'}, flags: {issuer: 'https://flag.example.com'}, home: '/h'}, 'https://flag.example.com', 'flag'],
    ['env beats file', {bin: 'latch', credentials: stored, env: {LATCH_ISSUER: 'https://env.example.com'}, home: '/h'}, 'https://env.example.com', 'env'],
    ['file beats default', {bin: 'latch', credentials: stored, env: {}, home: '/h'}, 'https://stored.example.com', 'file'],
    ['default last', {bin: 'latch', env: {}, home: '/h'}, DEFAULT_ISSUER, 'default'],
    ['empty env falls through', {bin: 'latch', credentials: stored, env: {LATCH_ISSUER: ''}, home: '/h'}, 'https://stored.example.com', 'file'],
  ]
  it.each(table)('issuer: %s', (_name, input, value, source) => {
    const issuer = resolveConfig(input).issuer
    expect(issuer.value).toBe(value)
    expect(issuer.source).toBe(source)
  })

  it('the settings file (config.json) sits between env and the credentials file, for every key it holds', () => {
    const settings = {
      'api-url': 'https://api.settings.example.com',
      browser: 'firefox',
      'client-id': 'settings-client',
      issuer: 'https://settings.example.com',
      scopes: ['inference'],
    }
    const file = '/h/.config/latch/config.json'
    const fromFile = resolveConfig({bin: 'latch', credentials: stored, env: {}, home: '/h', settings})
    expect(fromFile.issuer).toEqual({origin: file, source: 'file', value: 'https://settings.example.com'})
    expect(fromFile.clientId).toEqual({origin: file, source: 'file', value: 'settings-client'})
    expect(fromFile.apiUrl).toEqual({origin: file, source: 'file', value: 'https://api.settings.example.com'})
    expect(fromFile.browser).toEqual({origin: file, source: 'file', value: 'firefox'})
    expect(fromFile.scopes).toEqual({origin: file, source: 'file', value: ['inference']})
    expect(fromFile.settingsPath).toBe(file)

    const env = {LATCH_API_URL: 'https://api.env.example.com', LATCH_BROWSER: 'lynx', LATCH_CLIENT_ID: 'env-client', LATCH_ISSUER: 'https://env.example.com'}
    const fromEnv = resolveConfig({bin: 'latch', credentials: stored, env, flags: {issuer: 'https://flag.example.com'}, home: '/h', settings})
    expect(fromEnv.issuer.source).toBe('flag')
    expect([fromEnv.clientId.source, fromEnv.apiUrl.source, fromEnv.browser?.source]).toEqual(['env', 'env', 'env'])

    const defaults = resolveConfig({bin: 'latch', env: {}, home: '/h', settings: {}})
    expect(defaults.scopes).toEqual({origin: 'default', source: 'default', value: ['inference', 'projects.read', 'deployments.read', 'account.read']})
    expect(defaults.browser).toBeUndefined()
    expect(defaults.clientId.source).toBe('default')
  })

  it('checks values from the settings file as it checks env variables', () => {
    expect(() => resolveConfig({bin: 'latch', env: {}, home: '/h', settings: {issuer: 'http://auth.example.com'}})).toThrow(
      'Refusing plain http to auth.example.com (from /h/.config/latch/config.json): only loopback may use http',
    )
    expect(() => resolveConfig({bin: 'latch', env: {}, home: '/h', settings: {'client-id': 'two words'}})).toThrow(
      'Invalid client id from /h/.config/latch/config.json: it must be printable ASCII without spaces',
    )
  })

  it('LATCH_TOKEN beats the stored token and is marked as shadowing it', () => {
    const config = resolveConfig({bin: 'latch', credentials: stored, env: {LATCH_TOKEN: PAT}, home: '/h'})
    expect(config.token).toEqual({origin: 'LATCH_TOKEN', source: 'env', value: {accessToken: PAT, type: 'pat'}})
    expect(config.shadowed.token).toBe(true)
  })

  it('the stored token is used when no env token is set', () => {
    const config = resolveConfig({bin: 'latch', credentials: stored, env: {}, home: '/h'})
    expect(config.token?.source).toBe('file')
    expect(config.token?.value.accessToken).toBe('stored-access')
    expect(config.token?.origin).toBe('/h/.config/latch/credentials.json')
    expect(config.shadowed.token).toBe(false)
  })

  it('credential precedence: LATCH_TOKEN > LATCH_API_KEY > the stored login; only the winner is set', () => {
    const KEY = `sk_live_${'b'.repeat(64)}`
    const both = resolveConfig({bin: 'latch', credentials: stored, env: {LATCH_API_KEY: KEY, LATCH_TOKEN: PAT}, home: '/h'})
    expect(both.token?.origin).toBe('LATCH_TOKEN')
    expect(both.apiKey).toBeUndefined()
    expect(both.shadowed).toMatchObject({apiKey: true, token: true})
    const key = resolveConfig({bin: 'latch', credentials: stored, env: {LATCH_API_KEY: KEY}, home: '/h'})
    expect(key.apiKey).toEqual({origin: 'LATCH_API_KEY', source: 'env', value: KEY})
    expect(key.token).toBeUndefined()
    expect(key.shadowed).toMatchObject({apiKey: false, token: true})
    const file = resolveConfig({bin: 'latch', credentials: stored, env: {LATCH_API_KEY: ' '}, home: '/h'})
    expect(file.apiKey).toBeUndefined()
    expect(file.token?.source).toBe('file')
    expect(resolveConfig({bin: 'acme', env: {ACME_API_KEY: KEY}, home: '/h'}).apiKey?.origin).toBe('ACME_API_KEY')
  })

  it('LATCH_ACCESS_KEY beats the stored key', () => {
    const config = resolveConfig({bin: 'latch', credentials: stored, env: {LATCH_ACCESS_KEY: 'sk_proj_envenvenvenvenvenvenvenvenvenvenv'}, home: '/h'})
    expect(config.accessKey).toEqual({origin: 'LATCH_ACCESS_KEY', source: 'env', value: 'sk_proj_envenvenvenvenvenvenvenvenvenvenv'})
    expect(config.shadowed.accessKey).toBe(true)
  })

  it('LATCH_API_URL wins; otherwise the API is at the issuer origin', () => {
    expect(resolveConfig({bin: 'latch', env: {LATCH_ISSUER: 'https://auth.example.com/tenant'}, home: '/h'}).apiUrl.value).toBe('https://auth.example.com')
    expect(resolveConfig({bin: 'latch', env: {LATCH_API_URL: 'https://api.example.com'}, home: '/h'}).apiUrl).toEqual({origin: 'LATCH_API_URL', source: 'env', value: 'https://api.example.com'})
  })

  it('LATCH_CLIENT_ID overrides the default client', () => {
    expect(resolveConfig({bin: 'latch', env: {}, home: '/h'}).clientId.value).toBe('latch-cli')
    expect(resolveConfig({bin: 'latch', env: {LATCH_CLIENT_ID: 'other'}, home: '/h'}).clientId.value).toBe('other')
  })

  it('a host CLI reads its own prefix and ignores LATCH_*', () => {
    const config = resolveConfig({bin: 'acme', env: {ACME_TOKEN: PAT, LATCH_TOKEN: 'ignored'}, home: '/h'})
    expect(config.token?.origin).toBe('ACME_TOKEN')
    expect(config.configDir.value).toBe('/h/.config/acme')
  })

  it('refuses a timeout that is not a sane number of seconds', () => {
    expect(() => resolveConfig({bin: 'latch', env: {LATCH_HTTP_TIMEOUT: 'soon'}, home: '/h'})).toThrow('LATCH_HTTP_TIMEOUT must be a number')
    expect(resolveConfig({bin: 'latch', env: {LATCH_HTTP_TIMEOUT: '2.5'}, home: '/h'}).httpTimeout).toBe(2.5)
  })
})

describe('validateServerUrl', () => {
  it('allows https anywhere and http only to loopback', () => {
    expect(validateServerUrl('https://auth.example.com/', 'x')).toBe('https://auth.example.com')
    expect(validateServerUrl('http://127.0.0.1:4848', 'x')).toBe('http://127.0.0.1:4848')
    expect(validateServerUrl('http://localhost:1', 'x')).toBe('http://localhost:1')
    expect(validateServerUrl('http://[::1]:1', 'x')).toBe('http://[::1]:1')
    expect(() => validateServerUrl('http://auth.example.com', '--issuer')).toThrow('Refusing plain http to auth.example.com (from --issuer)')
    expect(() => validateServerUrl('http://127.0.0.1.evil.com', 'x')).toThrow('Refusing plain http')
  })

  it('refuses what is not an absolute http(s) URL', () => {
    expect(() => validateServerUrl('auth.example.com', 'x')).toThrow('not an absolute URL')
    expect(() => validateServerUrl('file:///etc/passwd', 'x')).toThrow('is not http(s)')
    expect(() => validateServerUrl('https://user:pw@auth.example.com', 'x')).toThrow('must not contain credentials')
  })
})
