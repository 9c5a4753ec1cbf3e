import {describe, expect, it} from '@jest/globals'

import {debugEnabled, redactText, redactUrl} from '../../src/debug-log.js'

describe('debugEnabled', () => {
  it('matches DEBUG the way the debug package does', () => {
    expect(debugEnabled('latch:http', 'latch:*')).toBe(true)
    expect(debugEnabled('latch:http', '*')).toBe(true)
    expect(debugEnabled('latch:http', 'express:*, latch:http')).toBe(true)
    expect(debugEnabled('latch:http', 'latch:*,-latch:http')).toBe(false)
    expect(debugEnabled('latch:http', '*,-oclif:*')).toBe(true)
    expect(debugEnabled('latch:http', 'latch')).toBe(false)
    expect(debugEnabled('latch:http', '')).toBe(false)
    expect(debugEnabled('latch:http', undefined)).toBe(false)
  })
})

describe('redaction', () => {
  it('keeps harmless query parameters and replaces every other value, credentials and fragment', () => {
    const url = redactUrl('https://user:pw@example.com/cb?code=abc123&state=xyz&scope=openid&client_id=latch#access_token=t0k')
    expect(url).toBe('https://redacted@example.com/cb?code=redacted&state=redacted&scope=openid&client_id=latch')
  })

  it('removes token-like words from server text', () => {
    const text = redactText('token sk_pat_0123456789abcdef is bad; so is eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln')
    expect(text).not.toContain('0123456789abcdef')
    expect(text).not.toContain('eyJhbGciOiJIUzI1NiJ9')
    expect(text).toContain('is bad')
  })
})
