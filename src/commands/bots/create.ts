import {Args} from '@oclif/core'

import {BaseCommand, caFileFlag, jsonFlag, orgFlag, profileFlag} from '../../base-command.js'
import {createBotIn} from '../../orgs/bots.js'
import type {Bot} from '../../platform/orgs.js'
import {safeText} from '../../ui/terminal-text.js'

export default class BotsCreate extends BaseCommand {
  static summary = 'Create a bot: a principal of the organization for unattended automation, with its own keys.'

  static description = 'Only an admin of the organization can create bots. Give it a key with `bots keys create`.'

  static args = {name: Args.string({description: 'The bot name: 1 to 64 lowercase letters, digits and hyphens, unique in the organization.', required: true})}

  static examples = ['<%= config.bin %> <%= command.id %> ci-worker', '<%= config.bin %> <%= command.id %> ci-worker --org acme --json']

  static flags = {json: jsonFlag('the bot (id, name, organization, creation time)'), org: orgFlag(), 'ca-file': caFileFlag, profile: profileFlag()}

  async run(): Promise<Bot> {
    const {args, flags} = await this.parse(BotsCreate)
    const bot = await createBotIn(await this.context({caFile: flags['ca-file'], org: flags.org, profile: flags.profile}), args.name)
    if (!this.jsonEnabled()) this.log(`Created bot ${safeText(bot.name)} (${safeText(bot.id)}) in ${safeText(bot.org.name)}.`)
    return bot
  }
}
