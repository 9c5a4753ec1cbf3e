import {BaseCommand} from '../base-command.js'
import {whoami, type WhoamiReport} from '../auth/whoami.js'

export default class Whoami extends BaseCommand {
  static summary = 'Show who you are signed in as, where the credential comes from, and the linked project.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<WhoamiReport> {
    await this.parse(Whoami)
    const report = await whoami(await this.context())
    if (!this.jsonEnabled()) this.log(formatReport(report))
    return report
  }
}

function formatReport(report: WhoamiReport): string {
  const {project, token, user} = report
  const lines = [
    `Signed in to ${report.issuer} as ${user.name} (${user.id})${user.email ? ` <${user.email}>` : ''}`,
    `  Token:    ${token.type === 'pat' ? 'personal access token' : 'OAuth access token'} from ${token.source === 'env' ? `environment variable ${token.origin}` : token.origin}`,
    `  Scopes:   ${token.scopes.length > 0 ? token.scopes.join(', ') : '(none)'}`,
    `  Expires:  ${token.expires_at ? `${token.expires_at} (${relative(token.expires_at)})` : 'never'}`,
    `  Project:  ${project ? `${project.name} (${project.id}) from ${project.source === 'env' ? 'environment' : 'credentials file'}` : 'none linked'}`,
  ]
  if (token.shadows_stored) lines.push(`  Note: ${token.origin} overrides the token stored in the credentials file.`)
  return lines.join('\n')
}

function relative(iso: string): string {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000)
  if (seconds <= 0) return 'expired'
  if (seconds < 120) return `in ${seconds} seconds`
  if (seconds < 7200) return `in ${Math.round(seconds / 60)} minutes`
  if (seconds < 172_800) return `in ${Math.round(seconds / 3600)} hours`
  return `in ${Math.round(seconds / 86_400)} days`
}
