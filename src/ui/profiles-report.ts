/**
 * `latch profiles` and `latch whoami --all` for people: a table of the stored profiles, and every
 * profile's whoami report one after the other.
 */
import type {ProfilesReport} from '../auth/profiles.js'
import type {WhoamiAllReport} from '../auth/whoami-all.js'
import {profileOrigin} from '../config.js'
import {safeText} from './terminal-text.js'
import {formatWhoami} from './whoami-report.js'

export function formatProfiles(report: ProfilesReport, bin: string): string {
  const {active} = report
  const activeLine = `Active: ${safeText(active.name)}, ${safeText(active.why)}${active.signed_in ? '' : ` (not signed in: run \`${bin} login${active.reason === 'default' ? '' : ` --profile ${safeText(active.name)}`}\`)`}.`
  if (report.profiles.length === 0) return [`No profiles in ${report.credentials_path}.`, activeLine].join('\n')
  const rows = [
    [' ', 'PROFILE', 'USER', 'ISSUER', 'TOKEN EXPIRES'],
    ...report.profiles.map((entry) => [
      entry.active ? '*' : ' ',
      safeText(entry.name),
      entry.user ? `${safeText(entry.user.name)} (${safeText(entry.user.id)})` : entry.token ? '(unknown)' : '(signed out)',
      safeText(entry.issuer),
      entry.token ? (entry.token.expires_at ?? 'never') : '-',
    ]),
  ]
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  const lines = rows.map((row) => `${row[0]} ${row.slice(1).map((cell, index) => (index === row.length - 2 ? cell : cell.padEnd(widths[index + 1]))).join('  ')}`.trimEnd())
  return [...lines, '', activeLine].join('\n')
}

export function formatWhoamiAll(report: WhoamiAllReport, bin: string): string {
  const blocks = report.profiles.map((entry) => {
    const why = report.active.reason === 'default' ? 'the default' : `from ${profileOrigin(report.active, bin)}`
    const title =
      entry.profile === null
        ? `Token from ${safeText(entry.report?.token.origin ?? 'the environment')} (in use)`
        : `Profile ${safeText(entry.profile)}${entry.active ? ` (active, ${safeText(why)})` : ''}${entry.shadowed_by ? ` (active, ${safeText(why)}, but shadowed by ${entry.shadowed_by})` : ''}`
    const body = entry.report
      ? formatWhoami(entry.report, bin)
      : [`Error: ${entry.error!.message}`, ...(entry.error!.hint ? [`Hint: ${entry.error!.hint}`] : [])].join('\n')
    return [title, ...body.split('\n').map((line) => `  ${line}`)].join('\n')
  })
  return blocks.join('\n\n')
}
