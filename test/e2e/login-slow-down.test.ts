/**
 * RFC 8628 §3.5 end to end: the emulator answers the first poll of the login's device code with
 * slow_down, and `latch login` (the compiled CLI) must then wait the interval plus 5 s before each
 * later poll, not just the next one. Read from the emulator's request log, where every poll is
 * timestamped on arrival. About 14 s: one 1 s wait, then two 6 s waits.
 */
import {describe, expect, it} from '@jest/globals'

import {DEVICE_CODE, startCli} from '../helpers/cli.js'
import {type LoggedRequest, useEmulator, useSandbox} from '../helpers/emulator.js'

const INTERVAL_S = 1
const SLOW_DOWN_S = 5
/** The log's millisecond timestamps can round a gap down by a little; timers fire late, never early. */
const TIMER_SLACK_MS = 5
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

const emulator = useEmulator(['--interval', String(INTERVAL_S), '--slow-down-polls', '1'])
const sandbox = useSandbox(emulator)

type Poll = LoggedRequest & {error?: string}

async function pollsSince(start: number): Promise<Poll[]> {
  return (await emulator.requests()).slice(start).filter((entry) => entry.grant_type === DEVICE_GRANT)
}

async function waitForPolls(start: number, count: number, timeoutMs: number): Promise<Poll[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const polls = await pollsSince(start)
    if (polls.length >= count) return polls
    if (Date.now() > deadline) throw new Error(`only ${polls.length} polls after ${timeoutMs} ms: ${JSON.stringify(polls)}`)
    await new Promise((resolve) => {
      setTimeout(resolve, 100)
    })
  }
}

describe('latch login after a slow_down', () => {
  it('waits the interval plus 5 s before every later poll', async () => {
    const start = (await emulator.requests()).length
    const login = startCli(['login', '--no-browser'], {env: sandbox.env(), timeoutMs: 40_000})
    const [, userCode] = await login.waitFor(DEVICE_CODE)

    // The first poll is told to slow down; the second is then on time (pending); approve before the third.
    const [first, second] = await waitForPolls(start, 2, 20_000)
    expect(first.error).toBe('slow_down')
    expect(second.error).toBe('authorization_pending')
    await emulator.approve(userCode, 'alice')
    const result = await login.done
    expect(result.stderr).toContain('Authenticated successfully as Alice Example (usr_alice).')
    expect(result.code).toBe(0)

    const polls = await pollsSince(start)
    expect(polls.map((poll) => poll.status)).toEqual([400, 400, 200])
    const gaps = polls.slice(1).map((poll, index) => Date.parse(poll.at) - Date.parse(polls[index].at))
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual((INTERVAL_S + SLOW_DOWN_S) * 1000 - TIMER_SLACK_MS)
    // And no slower than it needs to be: the grown interval, not a second +5 s (that would be 11 s).
    for (const gap of gaps) expect(gap).toBeLessThan((INTERVAL_S + 2 * SLOW_DOWN_S) * 1000)
  }, 40_000)
})
