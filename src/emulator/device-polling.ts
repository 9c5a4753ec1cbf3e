/**
 * RFC 8628 §3.5 `slow_down`, which oidc-provider never sends: a client that polls a pending device
 * code sooner than that code's current interval after its previous poll is told to slow down, and the
 * code's interval grows by 5 s for that and every later poll. Per device code, in memory.
 */
import {performance} from 'node:perf_hooks'

/** RFC 8628 §3.5: "the interval MUST be increased by 5 seconds for this and all subsequent requests". */
export const SLOW_DOWN_STEP_SECONDS = 5

/** The server measures from request to request, the client from response to request: this never trips a fair client. */
const SLACK_MS = 10

interface CodeState {
  /** Seconds. */
  interval: number
  /** performance.now() of the previous poll. */
  lastPollAt: number
  polls: number
  forgetAt: number
}

export class DevicePolling {
  readonly #codes = new Map<string, CodeState>()
  readonly #ttlMs: number

  /** `ttlSeconds`: how long a device code lives; its state is dropped after that. */
  constructor(ttlSeconds: number) {
    this.#ttlMs = ttlSeconds * 1000
  }

  /**
   * Records a poll of a still-pending code that arrived at `at` (performance.now()) and says whether it
   * must be answered `slow_down`: too soon after the previous poll, or among the first `forcedPolls`.
   */
  slowDown(deviceCode: string, options: {at: number; baseInterval: number; forcedPolls: number}): {interval: number; slowDown: boolean} {
    this.#forgetExpired(options.at)
    const state = this.#codes.get(deviceCode)
    const current: CodeState = state ?? {forgetAt: options.at + this.#ttlMs, interval: options.baseInterval, lastPollAt: -Infinity, polls: 0}
    const tooSoon = options.at - current.lastPollAt < current.interval * 1000 - SLACK_MS
    current.polls += 1
    current.lastPollAt = options.at
    const slowDown = tooSoon || current.polls <= options.forcedPolls
    if (slowDown) current.interval += SLOW_DOWN_STEP_SECONDS
    this.#codes.set(deviceCode, current)
    return {interval: current.interval, slowDown}
  }

  #forgetExpired(now: number): void {
    for (const [code, state] of this.#codes) if (state.forgetAt <= now) this.#codes.delete(code)
  }
}

export function now(): number {
  return performance.now()
}
