import {BaseCommand, caFileFlag, ENV_PREFIX, jsonFlag, profileFlag} from '../base-command.js'
import {printToken, type TokenReport} from '../auth/token.js'

export default class Token extends BaseCommand {
  static summary = 'Print the active access token, renewed first if it is about to expire.'

  static description = `Prints the token and nothing else on stdout, for use in scripts. The token comes from ${ENV_PREFIX}TOKEN when that is set (said on stderr), otherwise from the credentials file, where an OAuth token that expires within a minute (or, for a short-lived one, within half its lifetime) is refreshed first.`

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    'curl -H "Authorization: Bearer $(<%= config.bin %> <%= command.id %>)" https://api.example.com/v1/me',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static flags = {json: jsonFlag('the token with its type, source, scopes and expiry'), 'ca-file': caFileFlag, profile: profileFlag()}

  async run(): Promise<TokenReport> {
    const {flags} = await this.parse(Token)
    const report = await printToken(await this.context({caFile: flags['ca-file'], profile: flags.profile}))
    if (!this.jsonEnabled()) this.log(report.token)
    return report
  }
}
