import {Args, Flags} from '@oclif/core'

import {BaseCommand, caFileFlag, jsonFlag, orgFlag, profileFlag} from '../../../base-command.js'
import {rotateKeyOf, type Rotation} from '../../../orgs/bots.js'
import {createSteps} from '../../../ui/steps.js'

export default class BotsKeysRotate extends BaseCommand {
  static summary = "Replace a bot's key: create a new one, verify it, then revoke the old one; the new key alone is printed on stdout."

  static description =
    'The old key is revoked only after the new one has been verified with the platform; if the new key does not work, the old one is kept (and the new one revoked). Deploy the new key before the next rotation.'

  static args = {
    bot: Args.string({description: 'The bot (name or id).', required: true}),
    key: Args.string({description: 'The id of the key to replace, as `bots keys list` shows it.', required: true}),
  }

  static examples = ['<%= config.bin %> <%= command.id %> ci-worker bkey_123', 'NEW=$(<%= config.bin %> <%= command.id %> ci-worker bkey_123)']

  static flags = {
    json: jsonFlag('the new key with its record, and the revoked one'),
    label: Flags.string({description: "The new key's label (default: the old key's)."}),
    org: orgFlag(),
    'ca-file': caFileFlag,
    profile: profileFlag(),
  }

  async run(): Promise<Rotation> {
    const {args, flags} = await this.parse(BotsKeysRotate)
    const context = await this.context({caFile: flags['ca-file'], org: flags.org, profile: flags.profile})
    const steps = createSteps({env: context.env, json: this.jsonEnabled(), stream: context.stderr})
    const rotation = await rotateKeyOf(context, args.bot, args.key, steps, flags.label)
    if (!this.jsonEnabled()) this.log(rotation.key)
    return rotation
  }
}

