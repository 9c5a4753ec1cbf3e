import {Args, Flags} from '@oclif/core'

import {BaseCommand, caFileFlag, jsonFlag, orgFlag, profileFlag} from '../../../base-command.js'
import {createKeyFor, type CreatedKey} from '../../../orgs/bots.js'
import {safeText} from '../../../ui/terminal-text.js'

export default class BotsKeysCreate extends BaseCommand {
  static summary = "Create a key for a bot; the key alone is printed on stdout, once."

  static description =
    'The key acts as the bot in its organization (set it as LATCH_TOKEN) and stays valid for 20 years unless revoked. Afterwards only its label and masked form are shown. Only an admin of the organization can create keys.'

  static args = {bot: Args.string({description: 'The bot (name or id).', required: true})}

  static examples = ['<%= config.bin %> <%= command.id %> ci-worker --label "github actions"', 'KEY=$(<%= config.bin %> <%= command.id %> ci-worker --label deploy)']

  static flags = {
    json: jsonFlag('the key record with the key itself'),
    label: Flags.string({description: 'What the key is for (1 to 64 characters), shown in `bots keys list`.', required: true}),
    org: orgFlag(),
    'ca-file': caFileFlag,
    profile: profileFlag(),
  }

  async run(): Promise<CreatedKey> {
    const {args, flags} = await this.parse(BotsKeysCreate)
    const context = await this.context({caFile: flags['ca-file'], org: flags.org, profile: flags.profile})
    const created = await createKeyFor(context, args.bot, flags.label)
    if (!this.jsonEnabled()) {
      context.note(`Created key ${safeText(created.id)} (${safeText(created.masked)}) for bot ${safeText(created.bot.name)} in ${safeText(created.org.name)}. It is shown only now: store it.`)
      this.log(created.key)
    }

    return created
  }
}
