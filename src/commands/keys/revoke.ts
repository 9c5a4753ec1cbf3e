import {revokeArgs, RevokeCommand, revokeFlags} from '../../manage/commands.js'
import {API_KEYS} from '../../platform/managed-credentials.js'

export default class KeysRevoke extends RevokeCommand {
  static summary = 'Revoke API keys at once; whatever uses them stops working.'

  static description =
    'Asks for confirmation on a terminal (default No); without a terminal, --force is required.'

  static examples = ['<%= config.bin %> <%= command.id %> key_1a2b3c4d5e6f7a8b', '<%= config.bin %> <%= command.id %> key_1a2b3c4d5e6f7a8b key_9c8d7e6f5a4b3c2d --force']

  static strict = false
  static args = revokeArgs(API_KEYS)
  static flags = revokeFlags(API_KEYS)
  protected kind = API_KEYS
}
