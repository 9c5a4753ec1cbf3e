/**
 * What a person types for `latch tokens …` / `latch keys …`, checked before any request (names,
 * scopes, --expires, the rotation's next name and lifetime), and how the list shows times and masks.
 */
import {describe, expect, it} from '@jest/globals'

import {checkName, checkNarrower, DEFAULT_EXPIRY_DAYS, nextName, parseExpiry, parseScopes, sameLifetime} from '../../src/manage/input.js'
import {API_KEYS, maskOf, PERSONAL_ACCESS_TOKENS} from '../../src/platform/managed-credentials.js'
import {formatCredentialTable, timeAgo} from '../../src/ui/credential-table.js'

const NOW = Date.parse('2026-11-23T17:00:00.000Z')

describe('checkName', () => {
  it.each(['github-actions-prod', 'a', 'x'.repeat(64), 'déploiement nocturne', 'CI (prod) #2', '日本語の名前'])('accepts %j', (name) => {
    expect(checkName(name)).toBe(name)
  })

  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['x'.repeat(65), '65 characters long; at most 64'],
    ['tab\there', 'not printable'],
    ['line\nbreak', 'not printable'],
    ['esc\u001b[31m', 'not printable'],
    ['zero\u200bwidth', 'not printable'],
    ['bidi\u202eevil', 'not printable'],
    ['nbsp\u00a0name', 'not printable'],
  ])('refuses %j', (name, message) => {
    expect(() => checkName(name)).toThrow(message)
  })

  it('counts characters, not bytes or UTF-16 units', () => {
    expect(checkName('😀'.repeat(64))).toHaveLength(128)
    expect(() => checkName('😀'.repeat(65))).toThrow('at most 64')
  })
})

describe('parseScopes', () => {
  it('splits on commas and spaces and drops repeats', () => {
    expect(parseScopes('inference, account.read inference')).toEqual(['inference', 'account.read'])
  })

  it('refuses unknown names, sign-in scopes and an empty list, naming the catalogue', () => {
    expect(() => parseScopes('inference,admin')).toThrow('Unknown scope: "admin"')
    expect(() => parseScopes('openid')).toThrow('openid is a sign-in scope, not a platform scope')
    expect(() => parseScopes(' , ')).toThrow('--scopes is empty')
  })

  it('a rotation may narrow, never widen', () => {
    expect(() => checkNarrower(['inference'], ['inference', 'account.read'], 'token')).not.toThrow()
    expect(() => checkNarrower(['inference', 'keys.write'], ['inference'], 'token')).toThrow('the old token does not have keys.write')
  })
})

describe('parseExpiry', () => {
  it(`defaults to ${DEFAULT_EXPIRY_DAYS} days: finite`, () => {
    expect(parseExpiry(undefined, NOW)).toBe('2026-12-23T17:00:00.000Z')
  })

  it.each([
    ['12h', '2026-11-24T05:00:00.000Z'],
    ['30d', '2026-12-23T17:00:00.000Z'],
    ['1d', '2026-11-24T17:00:00.000Z'],
    ['2026-12-31', '2026-12-31T23:59:59.999Z'],
    ['2026-11-23', '2026-11-23T23:59:59.999Z'],
    ['2027-01-01T10:00:00+02:00', '2027-01-01T08:00:00.000Z'],
    ['NEVER', null],
    ['never', null],
  ])('%s -> %s', (flag, expected) => {
    expect(parseExpiry(flag, NOW)).toBe(expected)
  })

  it.each([
    ['0d', 'not in the future'],
    ['2026-11-22', 'in the past'],
    ['2026-02-30', 'not a date'],
    ['30', 'not a lifetime'],
    ['3w', 'not a lifetime'],
    ['-1d', 'not a lifetime'],
    ['tomorrow', 'not a lifetime'],
  ])('refuses %s', (flag, message) => {
    expect(() => parseExpiry(flag, NOW)).toThrow(message)
  })
})

describe('rotation: the next name and the same lifetime', () => {
  it.each([
    ['github-actions-prod', [], 'github-actions-prod-2'],
    ['github-actions-prod-2', [], 'github-actions-prod-3'],
    ['ci-9', [], 'ci-10'],
    ['api-2024', [], 'api-2024-2'],
    ['ci', ['ci-2', 'ci-3'], 'ci-4'],
    ['x'.repeat(64), [], `${'x'.repeat(62)}-2`],
  ])('%s (taken %j) -> %s', (name, taken, expected) => {
    expect(nextName(name, taken)).toBe(expected)
  })

  it('keeps the old lifetime from now, and never for never', () => {
    expect(sameLifetime({created_at: '2026-11-01T00:00:00.000Z', expires_at: '2026-11-11T00:00:00.000Z'}, NOW)).toBe('2026-12-03T17:00:00.000Z')
    expect(sameLifetime({created_at: '2026-11-01T00:00:00.000Z', expires_at: null}, NOW)).toBeNull()
  })
})

describe('masks and the table', () => {
  it('masks as the platform does: prefix, first 4, …, last 4', () => {
    expect(maskOf(`sk_pat_1a2b${'0'.repeat(56)}9z8y`)).toBe('sk_pat_1a2b…9z8y')
    expect(maskOf(`sk_live_abcd${'0'.repeat(56)}wxyz`)).toBe('sk_live_abcd…wxyz')
  })

  it.each([
    ['2026-11-23T16:59:30.000Z', 'just now'],
    ['2026-11-23T16:59:00.000Z', '1 minute ago'],
    ['2026-11-23T16:00:00.000Z', '1 hour ago'],
    ['2026-11-23T12:00:00.000Z', '5 hours ago'],
    ['2026-11-20T16:00:00.000Z', '3 days ago'],
    ['2026-11-23T18:00:00.000Z', 'just now'],
  ])('%s was %s', (iso, said) => {
    expect(timeAgo(iso, NOW)).toBe(said)
  })

  const record = {
    created_at: '2026-11-01T10:00:00.000Z',
    expires_at: null,
    id: 'pat_1',
    in_use: true,
    last_used_at: '2026-11-20T16:00:00.000Z',
    masked: 'sk_pat_1a2b…9z8y',
    name: 'ci\u001b[2J',
    scopes: ['inference'],
  }

  it('aligns the columns, marks the one in use, escapes server text, and has no EXPIRES column for keys', () => {
    const tokens = formatCredentialTable([record, {...record, expires_at: '2026-12-01T00:00:00.000Z', id: 'pat_22', in_use: false, last_used_at: null, name: 'x'}], PERSONAL_ACCESS_TOKENS, 'LATCH_TOKEN', NOW).split('\n')
    expect(tokens[0]).toBe('   ID      NAME         SCOPES     CREATED     EXPIRES     LAST USED   TOKEN')
    expect(tokens[1]).toBe('*  pat_1   ci\\u001b[2J  inference  2026-11-01  never       3 days ago  sk_pat_1a2b…9z8y')
    expect(tokens[2]).toBe('   pat_22  x            inference  2026-11-01  2026-12-01  never       sk_pat_1a2b…9z8y')
    expect(tokens.at(-1)).toBe('* the token latch is using (from LATCH_TOKEN)')
    expect(formatCredentialTable([record], API_KEYS, undefined, NOW).split('\n')[0]).toBe('   ID     NAME         SCOPES     CREATED     LAST USED   KEY')
    expect(formatCredentialTable([], API_KEYS, undefined, NOW)).toBe('No API keys. Create one with `latch keys create --name NAME`.')
  })
})
