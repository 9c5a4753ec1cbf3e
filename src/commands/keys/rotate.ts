import {rotateArgs, RotateCommand, rotateFlags} from '../../manage/commands.js'
import {API_KEYS} from '../../platform/managed-credentials.js'

export default class KeysRotate extends RotateCommand {
  static summary = 'Replace an API key: create the new one, verify it, then revoke the old one.'

  static description =
    'The replacement gets the same scopes (--scopes may narrow them) and the name NAME-2 (then -3, ...). The old API key is revoked only after the new one works. The new API key is printed once on stdout, as create does. If a step fails, the error says what state things are in.'

  static examples = ['<%= config.bin %> <%= command.id %> key_1a2b3c4d5e6f7a8b', '<%= config.bin %> <%= command.id %> key_1a2b3c4d5e6f7a8b --scopes inference --json']

  static args = rotateArgs(API_KEYS)
  static flags = rotateFlags(API_KEYS)
  protected kind = API_KEYS
}
