/**
 * How `latch login` polls, read from the emulator's request log: never faster than the server's
 * interval (RFC 8628 §3.4-3.5), at most one poll once the login is approved, and after the token only
 * the one request that names the user. Counts and order only: no wall-clock limits.
 */
import {describe, expect, it} from '@jest/globals'

import {DEVICE_CODE, startCli} from '../helpers/cli.js'
import {type LoggedRequest, useEmulator, useSandbox} from '../helpers/emulator.js'

const INTERVAL_MS = 500
/** Timers fire late, never early; the log's millisecond timestamps can round a gap down by a little. */
const TIMER_SLACK_MS = 5
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

const emulator = useEmulator(['--interval', String(INTERVAL_MS / 1000)])
const sandbox = useSandbox(emulator)

/** One login: started, approved once `beforeApproval` resolves, finished; returns this login's part of the log. */
async function login(beforeApproval: (polls: () => Promise<number>) => Promise<void>): Promise<LoggedRequest[]> {
  const start = (await emulator.requests()).length
  const cli = startCli(['login', '--no-browser'], {env: sandbox.env()})
  const [, userCode] = await cli.waitFor(DEVICE_CODE)
  const polls = async () => (await emulator.requests()).slice(start).filter(isPoll).length
  await beforeApproval(polls)
  await emulator.approve(userCode, 'alice')
  const result = await cli.done
  expect(result.stderr).toContain('Authenticated successfully as Alice Example (usr_alice).')
  expect(result.code).toBe(0)
  return (await emulator.requests()).slice(start)
}

function isPoll(entry: LoggedRequest): boolean {
  return entry.grant_type === DEVICE_GRANT
}

function isApproval(entry: LoggedRequest): boolean {
  return entry.method === 'POST' && entry.path === '/_emulator/device/approve'
}

/** The client's own requests: the log also holds the test's control-API calls. */
function fromClient(log: LoggedRequest[]): LoggedRequest[] {
  return log.filter((entry) => !entry.path.startsWith('/_emulator'))
}

function expectPollingRules(log: LoggedRequest[]): void {
  const client = fromClient(log)
  const deviceAuthorization = client.findIndex((entry) => entry.method === 'POST' && /device/.test(entry.path) && !isPoll(entry))
  expect(deviceAuthorization).toBeGreaterThanOrEqual(0)

  // Never faster than the interval: from the device authorization to the first poll, and between polls.
  const polls = client.filter(isPoll)
  const times = [client[deviceAuthorization], ...polls].map((entry) => Date.parse(entry.at))
  const gaps = times.slice(1).map((time, index) => time - times[index])
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS - TIMER_SLACK_MS)

  // At most one poll after the approval, and it is the one that gets the token.
  const approval = log.findIndex(isApproval)
  const pollsAfterApproval = log.slice(approval + 1).filter(isPoll)
  expect(pollsAfterApproval.length).toBeLessThanOrEqual(1)
  const success = client.findIndex((entry) => isPoll(entry) && entry.status === 200)
  expect(success).toBe(client.length - 2)
  expect(polls.filter((entry) => entry.status === 200)).toHaveLength(1)

  // After the token: only the request that names the user.
  expect(client.slice(success + 1).map((entry) => `${entry.method} ${entry.path}`)).toEqual(['GET /v1/me'])
}

describe('latch login polling', () => {
  it('polls at the server interval, once more after approval, then only names the user', async () => {
    const log = await login(async (polls) => {
      // Let it poll a few times while the person is still deciding.
      while ((await polls()) < 2) await new Promise((resolve) => setTimeout(resolve, 50))
    })
    expect(fromClient(log).filter(isPoll).length).toBeGreaterThanOrEqual(3)
    expectPollingRules(log)
  })

  it('needs a single poll when the login is approved before the first one', async () => {
    const log = await login(async () => {})
    expectPollingRules(log)
    expect(fromClient(log).filter(isPoll)).toHaveLength(1)
  })
})
