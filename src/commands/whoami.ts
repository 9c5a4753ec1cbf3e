import {BaseCommand, jsonFlag} from '../base-command.js'
import {whoami, type WhoamiReport} from '../auth/whoami.js'
import {formatWhoami} from '../ui/whoami-report.js'

export default class Whoami extends BaseCommand {
  static summary = 'Show who you are signed in as, where the credential comes from, and the linked project.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static flags = {json: jsonFlag('the report (user, where the token comes from, its type, scopes and expiry, the linked project)')}

  async run(): Promise<WhoamiReport> {
    await this.parse(Whoami)
    const report = await whoami(await this.context())
    if (!this.jsonEnabled()) this.log(formatWhoami(report, this.config.bin))
    return report
  }
}
