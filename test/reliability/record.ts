/**
 * Shared checks and figures for the reliability suite. Every case goes through `expectCleanError`
 * (or `record`), which appends one line per case to $LATCH_RELIABILITY_LOG when set: the figures in
 * docs/reliability.md come from `npm run test:reliability` (scripts/reliability.js) reading that file.
 */
import {expect} from '@jest/globals'
import {appendFileSync} from 'node:fs'

import {type CliResult, type RunOptions, startCli} from '../helpers/cli.js'

export const EXIT = {general: 1, usage: 2, network: 3, notAuthenticated: 4, tokenInvalid: 5, accessKey: 7, credentialsFile: 10, cancelled: 130, terminated: 143}

export function record(category: string, name: string, ms: number, passed = true): void {
  const log = process.env.LATCH_RELIABILITY_LOG
  if (log) appendFileSync(log, `${JSON.stringify({category, ms: Math.round(ms), name, passed})}\n`)
}

/** Runs the CLI and times it. */
export async function timedRun(args: string[], options: RunOptions): Promise<CliResult & {ms: number}> {
  const started = performance.now()
  const child = startCli(args, {timeoutMs: 20_000, ...options})
  // A CLI that refuses a huge input exits before reading it all: that EPIPE is the expected outcome.
  child.process.stdin!.on('error', () => {})
  child.process.stdin!.end(options.input)
  const result = await child.done
  return {...result, ms: performance.now() - started}
}

/**
 * The shape every failure must have: ended on its own (not killed by the 20 s guard), the documented
 * exit code, exactly one `Error:` line then one `Hint:` line, no stack trace, no raw control characters.
 */
export function expectCleanError(result: CliResult & {ms: number}, exit: number, message: RegExp | string): void {
  const context = `exit=${result.code} signal=${result.signal} stderr=${JSON.stringify(result.stderr)}`
  expect({signal: result.signal, context}).toEqual({signal: null, context})
  expect({code: result.code, context}).toEqual({code: exit, context})
  const lines = result.stderr.split('\n')
  const errorAt = lines.findIndex((line) => line.startsWith('Error: '))
  expect({errorAt, context}).not.toEqual({errorAt: -1, context})
  expect(lines[errorAt + 1]).toMatch(/^Hint: \S/)
  expect(lines.slice(errorAt + 2).join('')).toBe('')
  if (typeof message === 'string') expect(lines[errorAt]).toContain(message)
  else expect(lines[errorAt]).toMatch(message)
  expect(result.stderr).not.toMatch(/^\s+at .+[(:]\d+/m)
  // eslint-disable-next-line no-control-regex
  expect(lines[errorAt]).not.toMatch(/[\u0000-\u001F\u007F-\u009F]/)
}
