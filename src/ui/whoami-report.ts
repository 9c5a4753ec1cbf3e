/**
 * `whoami` for people: the report as aligned lines. Shared by the oclif command and the fast path.
 */
import type {WhoamiReport} from '../auth/whoami.js'
import {profileOrigin} from '../config.js'
import {safeText} from './terminal-text.js'

/** `report` without `profile` (in `whoami --all`, where each entry's title names it): no Profile line. */
export function formatWhoami(report: Omit<WhoamiReport, 'profile'> & Partial<Pick<WhoamiReport, 'profile'>>, bin: string): string {
  const {org, principal, project, token, user} = report
  // Every value here came from a server (or the file it was stored in): shown through safeText.
  const lines = [
    principal?.kind === 'bot'
      ? `Signed in to ${safeText(report.issuer)} as the bot ${safeText(principal.name)} (${safeText(principal.id)})${org ? ` in ${safeText(org.name)}` : ''}, not as a person`
      : user
        ? `Signed in to ${safeText(report.issuer)} as ${safeText(user.name)} (${safeText(user.id)})${user.email ? ` <${safeText(user.email)}>` : ''}`
        : `Signed in to ${safeText(report.issuer)} (user unknown: the server names no user for this token)`,
  ]
  if (org) lines.push(`  Org:      ${safeText(org.name)} (${safeText(org.id)}), role ${safeText(org.role)}${report.org_origin ? `, from ${orgFrom(report.org_origin)}` : ''}`)
  lines.push(
    `  Token:    ${TOKEN_KINDS[token.type] ?? 'OAuth access token'} ${token.type === 'exchanged' ? 'for the API key in' : 'from'} ${token.source === 'env' ? `environment variable ${token.origin}` : safeText(token.origin)}`,
    `  Scopes:   ${token.scopes.length > 0 ? safeText(token.scopes.join(', '), 1000) : '(none)'}`,
    `  Expires:  ${token.expires_at ? `${safeText(token.expires_at, 40)} (${relative(token.expires_at)})` : 'never'}`,
    `  Refresh:  ${renewal(token, bin)}`,
    `  Project:  ${project ? `${safeText(project.name)} (${safeText(project.id)}) from ${project.source === 'env' ? 'environment' : 'credentials file'}` : report.project_error ? `unavailable: ${safeText(report.project_error.message)}` : 'none linked'}`,
  )
  if (report.project_error?.hint) lines.push(`            (${safeText(report.project_error.hint)})`)
  if (report.profile) lines.push(`  Profile:  ${safeText(report.profile.name)} (${profileWords(report.profile, bin)})`)
  lines.push(`  Issuer:   from ${from(report.issuer_origin)}`)
  if (report.api_url.value !== new URL(report.issuer).origin || report.api_url.origin !== report.issuer_origin.origin) {
    lines.push(`  API:      ${report.api_url.value} from ${from(report.api_url)}`)
  }

  if (report.org_ignored && org) {
    lines.push(`  Note: ${orgFrom(report.org_ignored)} names ${safeText(report.org_ignored.value)}, but this ${token.type === 'exchanged' ? 'token (exchanged from an API key)' : TOKEN_KINDS[token.type]} acts only in ${safeText(org.name)}.`)
  }

  if (token.shadows_stored) lines.push(`  Note: ${token.origin} overrides the token stored in the credentials file${report.profile ? ` for profile ${safeText(report.profile.name)}` : ''}.`)
  return lines.join('\n')
}

const TOKEN_KINDS: Record<string, string> = {
  bot_key: 'bot key',
  exchanged: 'short-lived access token exchanged',
  oauth: 'OAuth access token',
  pat: 'personal access token',
}

/** Why the profile is the one in use. */
function profileWords(profile: WhoamiReport['profile'], bin: string): string {
  if (profile.reason === 'default') return 'the default'
  return `from ${safeText(profileOrigin(profile, bin))}`
}

/** Where a value comes from, said the way a person would look for it. */
function from(value: {origin: string; source: string}): string {
  if (value.source === 'env') return `environment variable ${value.origin}`
  if (value.source === 'flag') return `the ${value.origin} flag`
  return value.origin === 'default' ? 'the default' : value.origin
}

/** The credentials file is where `orgs switch` keeps the login's default organization. */
function orgFrom(value: {origin: string; source: string}): string {
  return value.source === 'file' ? `the default stored in ${value.origin}` : from(value)
}

/** Whether the time left above matters: a refreshable token is renewed by any command that uses it. */
function renewal(token: WhoamiReport['token'], bin: string): string {
  if (token.type === 'exchanged') return `automatic (${bin} exchanges the API key again)`
  if (token.refreshable) return 'automatic (a refresh token is stored)'
  if (token.source === 'env') return `not by ${bin} (the token comes from ${token.origin})`
  if (token.type === 'bot_key') return 'not needed (bot key: valid until revoked, or 20 years)'
  if (token.type === 'pat') return token.expires_at ? 'not possible (personal access token: create a new one before it expires)' : 'not needed (personal access token)'
  return `not possible (no refresh token: run \`${bin} login\` when it expires)`
}

function relative(iso: string): string {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000)
  if (seconds <= 0) return 'expired'
  if (seconds < 120) return `in ${seconds} seconds`
  if (seconds < 7200) return `in ${Math.round(seconds / 60)} minutes`
  if (seconds < 172_800) return `in ${Math.round(seconds / 3600)} hours`
  return `in ${Math.round(seconds / 86_400)} days`
}
