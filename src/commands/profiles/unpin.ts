import {BaseCommand, jsonFlag} from '../../base-command.js'
import {unpinProfile, type UnpinResult} from '../../auth/profiles.js'

export default class ProfilesUnpin extends BaseCommand {
  static summary = 'Remove the pin file that applies in the working directory (the nearest .latch-profile here or above).'

  static examples = ['<%= config.bin %> <%= command.id %>']

  static flags = {json: jsonFlag('the pin file removed (null when there was none)')}

  async run(): Promise<UnpinResult> {
    await this.parse(ProfilesUnpin)
    return unpinProfile(await this.context(), process.cwd())
  }
}
