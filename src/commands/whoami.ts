import {BaseCommand, caFileFlag, jsonFlag} from '../base-command.js'
import {whoami, whoamiExitCode, type WhoamiReport} from '../auth/whoami.js'
import {formatWhoami} from '../ui/whoami-report.js'

export default class Whoami extends BaseCommand {
  static summary = 'Show who you are signed in as, where the credential comes from, and the linked project.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static flags = {json: jsonFlag('the report (user, where the token comes from, its type, scopes and expiry, the linked project)'), 'ca-file': caFileFlag}

  async run(): Promise<WhoamiReport> {
    const {flags} = await this.parse(Whoami)
    const report = await whoami(await this.context({caFile: flags['ca-file']}))
    if (!this.jsonEnabled()) this.log(formatWhoami(report, this.config.bin))
    // The report is printed in full; a failed project lookup still makes the command fail.
    if (whoamiExitCode(report) !== 0) process.exitCode = whoamiExitCode(report)
    return report
  }
}
