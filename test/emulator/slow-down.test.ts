/**
 * RFC 8628 §3.5 slow_down, over HTTP: a client that polls a pending device code sooner than that code's
 * current interval is told to slow down, and the code's interval grows by 5 s for that and every
 * later poll. Per device code; a client that keeps to the interval never sees it.
 */
import {afterEach, describe, expect, it} from '@jest/globals'

import {useEmulator} from '../helpers/emulator.js'
import {DEVICE_GRANT, postJson, pollToken, sleep, startDeviceAuthorization} from './oauth.js'

const emulator = useEmulator(['--interval', '0.2'])

afterEach(async () => {
  await postJson(`${emulator.issuer}/_emulator/settings`, {slow_down_polls: 0})
})

describe('slow_down', () => {
  it('is never sent to a client that keeps to the interval', async () => {
    const device = await startDeviceAuthorization(emulator.issuer)
    for (let poll = 0; poll < 4; poll++) {
      expect((await pollToken(emulator.issuer, device.device_code)).body.error).toBe('authorization_pending')
      await sleep(250)
    }
  })

  it('is sent to a poll that comes sooner than the interval, and the interval then grows by 5 s', async () => {
    const device = await startDeviceAuthorization(emulator.issuer)
    expect((await pollToken(emulator.issuer, device.device_code)).body.error).toBe('authorization_pending')
    const tooSoon = await pollToken(emulator.issuer, device.device_code)
    expect(tooSoon.status).toBe(400)
    expect(tooSoon.body).toEqual({error: 'slow_down', error_description: 'poll at most every 5.2 s'})

    // The old interval is no longer enough: 0.25 s later is still too soon, and the interval grows again.
    await sleep(250)
    expect((await pollToken(emulator.issuer, device.device_code)).body).toEqual({error: 'slow_down', error_description: 'poll at most every 10.2 s'})
  })

  it('counts per device code: another code polled at its pace is not slowed', async () => {
    const fast = await startDeviceAuthorization(emulator.issuer)
    const calm = await startDeviceAuthorization(emulator.issuer)
    await pollToken(emulator.issuer, fast.device_code)
    expect((await pollToken(emulator.issuer, fast.device_code)).body.error).toBe('slow_down')
    expect((await pollToken(emulator.issuer, calm.device_code)).body.error).toBe('authorization_pending')
  })

  it('a poll that waits the grown interval is pending again', async () => {
    const device = await startDeviceAuthorization(emulator.issuer)
    await pollToken(emulator.issuer, device.device_code)
    expect((await pollToken(emulator.issuer, device.device_code)).body.error).toBe('slow_down')
    await sleep(5200 + 50)
    expect((await pollToken(emulator.issuer, device.device_code)).body.error).toBe('authorization_pending')
  })

  it('is logged in the request log with the error code', async () => {
    const device = await startDeviceAuthorization(emulator.issuer)
    await pollToken(emulator.issuer, device.device_code)
    await pollToken(emulator.issuer, device.device_code)
    const polls = (await emulator.requests()).slice(-2) as Array<{error?: string; grant_type?: string}>
    expect(polls.map(({error, grant_type}) => ({error, grant_type}))).toEqual([
      {error: 'authorization_pending', grant_type: DEVICE_GRANT},
      {error: 'slow_down', grant_type: DEVICE_GRANT},
    ])
  })

  it('with slow_down_polls N, the first N polls of every code get it whatever their pace', async () => {
    const set = await postJson(`${emulator.issuer}/_emulator/settings`, {slow_down_polls: 1})
    expect(set.body.slow_down_polls).toBe(1)
    const device = await startDeviceAuthorization(emulator.issuer)
    const other = await startDeviceAuthorization(emulator.issuer)
    await sleep(250)
    expect((await pollToken(emulator.issuer, device.device_code)).body).toEqual({error: 'slow_down', error_description: 'poll at most every 5.2 s'})
    expect((await pollToken(emulator.issuer, other.device_code)).body.error).toBe('slow_down')
    await emulator.approve(device.user_code)
    await sleep(5200 + 50)
    // On time for the grown interval, and approved: the tokens.
    expect((await pollToken(emulator.issuer, device.device_code)).status).toBe(200)
  })
})
