import {Args} from '@oclif/core'

import {BaseCommand, jsonFlag} from '../base-command.js'
import {switchProfile, type SwitchResult} from '../auth/profiles.js'

export default class Switch extends BaseCommand {
  static summary = 'Choose the profile every shell uses unless --profile, LATCH_PROFILE or a pin file says otherwise.'

  static description = 'Saved in credentials.json. `switch default` goes back to the default profile.'

  static args = {name: Args.string({description: 'A stored profile (see `profiles`), or default.', required: true})}

  static examples = ['<%= config.bin %> <%= command.id %> work', '<%= config.bin %> <%= command.id %> default']

  static flags = {json: jsonFlag('the active profile')}

  async run(): Promise<SwitchResult> {
    const {args} = await this.parse(Switch)
    return switchProfile(await this.context(), args.name)
  }
}
