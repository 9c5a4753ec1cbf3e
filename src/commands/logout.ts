import {Flags} from '@oclif/core'

import {BaseCommand, caFileFlag, jsonFlag, profileFlag} from '../base-command.js'
import {logout, type LogoutResult} from '../auth/logout.js'

export default class Logout extends BaseCommand {
  static summary = 'Sign out: revoke the token on the server and remove the stored credentials.'

  static description = 'Signs out of the profile in use (see --profile), or with --all out of every profile, each revoked at the server it was signed in to. The credentials file is removed with its last profile.'

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --force',
    '<%= config.bin %> <%= command.id %> --profile work',
    '<%= config.bin %> <%= command.id %> --all --force',
  ]

  static flags = {
    json: jsonFlag('what was done (revoked on the server, file removed or moved aside, env vars still set)'),
    all: Flags.boolean({description: 'Sign out of every profile.', exclusive: ['profile']}),
    force: Flags.boolean({
      char: 'f',
      description: 'Do not ask for confirmation (required without a terminal). A credentials file <%= config.bin %> cannot read is moved aside, keeping a copy.',
    }),
    'ca-file': caFileFlag,
    profile: profileFlag('sign out of'),
  }

  async run(): Promise<LogoutResult> {
    const {flags} = await this.parse(Logout)
    return logout(await this.context({caFile: flags['ca-file'], profile: flags.profile}, {allowUnreadableCredentials: true}), {all: flags.all, force: flags.force})
  }
}
