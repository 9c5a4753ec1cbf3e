import {BaseCommand, caFileFlag, jsonFlag, orgFlag, profileFlag} from '../../base-command.js'
import {listBotsIn} from '../../orgs/bots.js'
import type {Bot} from '../../platform/orgs.js'
import {formatBots} from '../../ui/orgs-report.js'

export default class BotsList extends BaseCommand {
  static summary = "List the organization's bots and how many keys each has."

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --org acme --json']

  static flags = {json: jsonFlag('the organization and its bots'), org: orgFlag(), 'ca-file': caFileFlag, profile: profileFlag()}

  async run(): Promise<{bots: Bot[]; org: string}> {
    const {flags} = await this.parse(BotsList)
    const result = await listBotsIn(await this.context({caFile: flags['ca-file'], org: flags.org, profile: flags.profile}))
    if (!this.jsonEnabled()) this.log(formatBots(result.org, result.bots))
    return result
  }
}
