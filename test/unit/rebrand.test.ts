import {describe, expect, it} from '@jest/globals'

import {rebrand} from '../../src/ui/rebrand.js'

describe('rebrand: latch\'s words in a host CLI\'s', () => {
  it.each([
    ['run `latch login`, or set LATCH_TOKEN', 'run `acme login`, or set ACME_TOKEN'],
    ['Waiting for another latch process to finish', 'Waiting for another acme process to finish'],
    ['so latch cannot show whose it is.', 'so acme cannot show whose it is.'],
    ['the .latch-profile pin file', 'the .acme-profile pin file'],
    // Names that are not the CLI's: left alone.
    ['run again with DEBUG=latch:* for details', 'run again with DEBUG=latch:* for details'],
    ['fix package.json oclif.latch.scopes', 'fix package.json oclif.latch.scopes'],
    ['--tls-dir ~/.latch-emulator-tls', '--tls-dir ~/.latch-emulator-tls'],
    ['/usr/lib/latch/dist', '/usr/lib/latch/dist'],
    ['a latchkey', 'a latchkey'],
  ])('%s', (text, expected) => {
    expect(rebrand(text, 'acme')).toBe(expected)
  })

  it('uses the env prefix envNames derives (acme-cloud: ACME_CLOUD_), and leaves latch\'s own text as it is', () => {
    expect(rebrand('set LATCH_ISSUER or run `latch login`', 'acme-cloud')).toBe('set ACME_CLOUD_ISSUER or run `acme-cloud login`')
    expect(rebrand('set LATCH_ISSUER or run `latch login`', 'latch')).toBe('set LATCH_ISSUER or run `latch login`')
  })
})
