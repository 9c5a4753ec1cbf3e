import {Args} from '@oclif/core'

import {BaseCommand, caFileFlag, jsonFlag, orgFlag, profileFlag} from '../../../base-command.js'
import {listKeysOf} from '../../../orgs/bots.js'
import {formatBotKeys} from '../../../ui/orgs-report.js'

export default class BotsKeysList extends BaseCommand {
  static summary = "List a bot's keys: label, masked form, created and last used."

  static args = {bot: Args.string({description: 'The bot (name or id).', required: true})}

  static examples = ['<%= config.bin %> <%= command.id %> ci-worker', '<%= config.bin %> <%= command.id %> ci-worker --json']

  static flags = {json: jsonFlag('the bot, its organization and its keys (never the keys themselves)'), org: orgFlag(), 'ca-file': caFileFlag, profile: profileFlag()}

  async run(): Promise<object> {
    const {args, flags} = await this.parse(BotsKeysList)
    const result = await listKeysOf(await this.context({caFile: flags['ca-file'], org: flags.org, profile: flags.profile}), args.bot)
    if (!this.jsonEnabled()) this.log(formatBotKeys(result.bot.name, result.keys))
    return result
  }
}
