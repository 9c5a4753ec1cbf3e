import {revokeArgs, RevokeCommand, revokeFlags} from '../../manage/commands.js'
import {API_KEYS} from '../../platform/managed-credentials.js'

export default class KeysRevoke extends RevokeCommand {
  static summary = 'Revoke API keys at once; whatever uses them stops working.'

  static description =
    'Asks for confirmation on a terminal (default No); without a terminal, --force is required.'

  static examples = ['<%= config.bin %> <%= command.id %> key_1a2b3c', '<%= config.bin %> <%= command.id %> key_1a2b3c key_4d5e6f --force']

  static args = revokeArgs(API_KEYS)
  static flags = revokeFlags(API_KEYS)
  protected kind = API_KEYS
}
