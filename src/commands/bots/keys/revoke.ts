import {Args, Flags} from '@oclif/core'

import {BaseCommand, caFileFlag, jsonFlag, orgFlag, profileFlag} from '../../../base-command.js'
import {revokeKeyOf} from '../../../orgs/bots.js'

export default class BotsKeysRevoke extends BaseCommand {
  static summary = "Revoke one of a bot's keys; it stops working at once."

  static description = 'Asks first on a terminal (default No); without a terminal, --force is required.'

  static args = {
    bot: Args.string({description: 'The bot (name or id).', required: true}),
    key: Args.string({description: 'The key id, as `bots keys list` shows it.', required: true}),
  }

  static examples = ['<%= config.bin %> <%= command.id %> ci-worker bkey_123', '<%= config.bin %> <%= command.id %> ci-worker bkey_123 --force']

  static flags = {
    force: Flags.boolean({char: 'f', description: 'Do not ask for confirmation (required without a terminal).'}),
    json: jsonFlag('the revoked key record'),
    org: orgFlag(),
    'ca-file': caFileFlag,
    profile: profileFlag(),
  }

  async run(): Promise<object> {
    const {args, flags} = await this.parse(BotsKeysRevoke)
    return revokeKeyOf(await this.context({caFile: flags['ca-file'], org: flags.org, profile: flags.profile}), args.bot, args.key, {force: flags.force})
  }
}
