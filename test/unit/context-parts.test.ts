/**
 * createContext makes the platform client on first use (src/context.ts): `latch token` and the commands that
 * make no platform request never pay for one, and one command gets one client however often it asks.
 */
import {describe, expect, it} from '@jest/globals'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {printToken} from '../../src/auth/token.js'
import {createContext} from '../../src/context.js'
import {PlatformClient} from '../../src/platform/client.js'

describe('the context factory', () => {
  it('makes the platform client on first use, once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latch-context-'))
    try {
      const made: string[] = []
      const context = await createContext({
        bin: 'latch',
        env: {LATCH_API_URL: 'http://127.0.0.1:9/api', LATCH_CONFIG_DIR: dir, LATCH_TOKEN: `sk_pat_${'d'.repeat(64)}`},
        parts: {
          platform(config, userAgent) {
            made.push(config.apiUrl.value)
            return new PlatformClient(config.apiUrl.value, config.httpTimeout, undefined, userAgent)
          },
        },
        stderr: {write: () => true} as unknown as NodeJS.WriteStream,
      })
      // `latch token` reads the token and prints it: no platform request, so no client.
      expect((await printToken(context)).token).toBe(`sk_pat_${'d'.repeat(64)}`)
      expect(made).toEqual([])
      const client = context.platform
      expect(context.platform).toBe(client)
      expect(made).toEqual(['http://127.0.0.1:9/api'])
    } finally {
      await rm(dir, {force: true, recursive: true})
    }
  })
})
