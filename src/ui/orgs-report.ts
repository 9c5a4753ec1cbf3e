/**
 * `orgs list`, `bots list` and `bots keys list` for people: aligned columns. Every value came from a
 * server: shown through safeText.
 */
import type {OrgListing} from '../orgs/memberships.js'
import type {Bot, BotKey} from '../platform/orgs.js'
import {safeText} from './terminal-text.js'

export function formatOrgs(listing: OrgListing): string {
  if (listing.orgs.length === 0) return 'You belong to no organization.'
  const rows = listing.orgs.map((org) => [org.current ? '*' : ' ', org.name, org.id, org.role])
  const lines = table([[' ', 'NAME', 'ID', 'ROLE'], ...rows])
  if (listing.current) lines.push('', `Current: ${safeText(listing.current.name)} (from ${from(listing.current)})`)
  return lines.join('\n')
}

export function formatBots(org: string, bots: Bot[]): string {
  if (bots.length === 0) return `No bots in ${safeText(org)}.`
  return table([['NAME', 'ID', 'KEYS', 'CREATED'], ...bots.map((bot) => [bot.name, bot.id, String(bot.key_count), bot.created_at])]).join('\n')
}

export function formatBotKeys(bot: string, keys: BotKey[]): string {
  if (keys.length === 0) return `Bot ${safeText(bot)} has no keys.`
  return table([
    ['ID', 'LABEL', 'KEY', 'CREATED', 'LAST USED'],
    ...keys.map((key) => [key.id, key.label, key.masked, key.created_at, key.last_used_at ?? 'never']),
  ]).join('\n')
}

function table(rows: string[][]): string[] {
  const safe = rows.map((row) => row.map((cell) => safeText(cell, 80)))
  const widths = safe[0].map((_, column) => Math.max(...safe.map((row) => row[column].length)))
  return safe.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd())
}

function from(value: {origin: string; source: string}): string {
  if (value.source === 'env') return `environment variable ${value.origin}`
  if (value.source === 'flag') return `the ${value.origin} flag`
  if (value.source === 'file') return `the default stored in ${value.origin}`
  return value.origin
}
