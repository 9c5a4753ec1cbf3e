import {Args, Flags} from '@oclif/core'

import {BaseCommand, caFileFlag, jsonFlag, orgFlag, profileFlag} from '../../base-command.js'
import {deleteBotIn} from '../../orgs/bots.js'

export default class BotsDelete extends BaseCommand {
  static summary = 'Delete a bot; all its keys stop working at once.'

  static description = 'Asks first on a terminal (default No), saying how many keys die with it; without a terminal, --force is required.'

  static args = {bot: Args.string({description: 'The bot (name or id).', required: true})}

  static examples = ['<%= config.bin %> <%= command.id %> ci-worker', '<%= config.bin %> <%= command.id %> ci-worker --force']

  static flags = {
    force: Flags.boolean({char: 'f', description: 'Do not ask for confirmation (required without a terminal).'}),
    json: jsonFlag('the deleted bot and how many keys were revoked'),
    org: orgFlag(),
    'ca-file': caFileFlag,
    profile: profileFlag(),
  }

  async run(): Promise<object> {
    const {args, flags} = await this.parse(BotsDelete)
    return deleteBotIn(await this.context({caFile: flags['ca-file'], org: flags.org, profile: flags.profile}), args.bot, {force: flags.force})
  }
}
