/**
 * `latch whoami --all`: every profile's status in one view, each checked with the server it was signed
 * in to as `whoami --profile NAME` would check it, but with its own stored token: a token from
 * LATCH_TOKEN is reported as an entry of its own, first, and shadows the active profile.
 */
import type {Context} from '../context.js'
import {ErrorKind, LatchError} from '../errors.js'
import {describeError} from '../ui/error-report.js'
import {whoami, whoamiExitCode, type WhoamiReport} from './whoami.js'

export interface WhoamiAllEntry {
  /** Whether commands here use this entry's credential. */
  active: boolean
  /** Why this entry cannot be used now (the error `whoami` would end with). */
  error?: {code: string; exit: number; hint?: string; message: string}
  /** The profile's name; null for the token from the environment. */
  profile: null | string
  /** The profile's report as `whoami --profile NAME` gives it, without the `profile` part (this entry says it). */
  report?: Omit<WhoamiReport, 'profile'>
  /** The environment variable whose token is used instead of this profile's. */
  shadowed_by?: string
}

export interface WhoamiAllReport {
  /** The profile in use here and why (as in `whoami`); shadowed when a token comes from the environment. */
  active: WhoamiReport['profile']
  profiles: WhoamiAllEntry[]
}

/** `contextFor(name)`: a context for that profile whose environment holds no credential. */
export async function whoamiAll(context: Context, contextFor: (profile: string) => Promise<Context>): Promise<WhoamiAllReport> {
  const entries: WhoamiAllEntry[] = []
  const {profile, token} = context.config
  const fromEnv = token?.source === 'env' ? token.origin : undefined
  if (fromEnv) entries.push({active: true, profile: null, ...(await attempt(() => whoami(context), context.bin))})
  for (const name of Object.keys(context.credentialsFile?.profiles ?? {})) {
    const active = name === profile.value
    entries.push({
      active: active && !fromEnv,
      profile: name,
      ...(active && fromEnv ? {shadowed_by: fromEnv} : {}),
      ...(await attempt(async () => whoami(await contextFor(name)), context.bin)),
    })
  }

  if (entries.length === 0) {
    throw new LatchError(ErrorKind.NotAuthenticated, 'You are not signed in to any profile', {
      hint: `run \`${context.bin} login\` (or \`${context.bin} login --profile NAME\`), or set ${context.config.env.token}`,
    })
  }

  return {active: {name: profile.value, origin: profile.origin, reason: profile.reason}, profiles: entries}
}

/** The exit code of `whoami --all`: 0 when every entry is fine, else the first failure's. */
export function whoamiAllExitCode(report: WhoamiAllReport): number {
  for (const entry of report.profiles) {
    const exit = entry.error?.exit ?? (entry.report ? whoamiExitCode(entry.report) : 0)
    if (exit !== 0) return exit
  }

  return 0
}

async function attempt(work: () => Promise<WhoamiReport>, bin: string): Promise<Pick<WhoamiAllEntry, 'error' | 'report'>> {
  try {
    const {profile: _profile, ...report} = await work()
    return {report}
  } catch (error) {
    if (!(error instanceof LatchError)) throw error
    return {error: describeError(error, bin)}
  }
}
