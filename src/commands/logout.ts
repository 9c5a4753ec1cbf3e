import {Flags} from '@oclif/core'

import {BaseCommand, caFileFlag, jsonFlag} from '../base-command.js'
import {logout, type LogoutResult} from '../auth/logout.js'

export default class Logout extends BaseCommand {
  static summary = 'Sign out: revoke the token on the server and remove the stored credentials.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --force']

  static flags = {
    json: jsonFlag('what was done (revoked on the server, file removed or moved aside, env vars still set)'),
    force: Flags.boolean({
      char: 'f',
      description: 'Do not ask for confirmation (required without a terminal). A credentials file <%= config.bin %> cannot read is moved aside, keeping a copy.',
    }),
    'ca-file': caFileFlag,
  }

  async run(): Promise<LogoutResult> {
    const {flags} = await this.parse(Logout)
    return logout(await this.context({caFile: flags['ca-file']}, {allowUnreadableCredentials: true}), {force: flags.force})
  }
}
