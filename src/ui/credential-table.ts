/**
 * `latch tokens list` and `latch keys list` for people: one aligned row per token or key, times as a
 * person reads them ("3 days ago"), the masked form only, and the one latch itself is using marked.
 */
import type {ManagedCredential, ManagedKind} from '../platform/managed-credentials.js'
import {safeText} from './terminal-text.js'

export function formatCredentialTable(records: Array<ManagedCredential & {in_use?: boolean}>, kind: ManagedKind, usedFrom: string | undefined, now = Date.now()): string {
  const title = kind.command === 'tokens' ? 'personal access tokens' : 'API keys'
  if (records.length === 0) return `No ${title}. Create one with \`latch ${kind.command} create --name NAME\`.`
  const header = ['', 'ID', 'NAME', 'SCOPES', 'CREATED', ...(kind.expires ? ['EXPIRES'] : []), 'LAST USED', kind.command === 'tokens' ? 'TOKEN' : 'KEY']
  const rows = records.map((record) => [
    record.in_use ? '*' : '',
    safeText(record.id, 80),
    safeText(record.name, 64),
    safeText(record.scopes.join(',') || '(none)', 300),
    day(record.created_at),
    ...(kind.expires ? [record.expires_at ? day(record.expires_at) : 'never'] : []),
    record.last_used_at ? timeAgo(record.last_used_at, now) : 'never',
    safeText(record.masked, 80),
  ])
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => [...row[column]].length)))
  const line = (row: string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column] - [...cell].length))).join('  ').trimEnd()
  const lines = [header, ...rows].map(line)
  if (records.some((record) => record.in_use)) lines.push('', `* the ${kind.noun} latch is using${usedFrom ? ` (from ${safeText(usedFrom)})` : ''}`)
  return lines.join('\n')
}

/** The day of an instant, in UTC: `2026-11-23`. */
function day(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().slice(0, 10)
}

/** "just now", "5 minutes ago", "3 days ago": how long ago, in the largest whole unit. */
export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.floor((now - Date.parse(iso)) / 1000)
  if (!Number.isFinite(seconds) || seconds < 60) return 'just now'
  const [amount, unit] =
    seconds < 3600 ? [Math.floor(seconds / 60), 'minute'] : seconds < 86_400 ? [Math.floor(seconds / 3600), 'hour'] : [Math.floor(seconds / 86_400), 'day']
  return `${amount} ${unit}${amount === 1 ? '' : 's'} ago`
}
