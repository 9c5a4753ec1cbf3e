import {Args} from '@oclif/core'

import {BaseCommand, jsonFlag} from '../../base-command.js'
import {pinProfile, type PinResult} from '../../auth/profiles.js'

export default class ProfilesPin extends BaseCommand {
  static summary = 'Pin a profile to the working directory: commands run here or below use it.'

  static description =
    'Writes the profile name into .latch-profile in the working directory. LATCH_PROFILE and --profile still win over it; it wins over `switch`. Commit it, or add it to .gitignore, as suits the project: it holds only the name.'

  static args = {name: Args.string({description: 'A stored profile (see `profiles`).', required: true})}

  static examples = ['<%= config.bin %> <%= command.id %> work']

  static flags = {json: jsonFlag('the pin file written and the profile')}

  async run(): Promise<PinResult> {
    const {args} = await this.parse(ProfilesPin)
    return pinProfile(await this.context(), args.name, process.cwd())
  }
}
