import {rotateArgs, RotateCommand, rotateFlags} from '../../manage/commands.js'
import {PERSONAL_ACCESS_TOKENS} from '../../platform/managed-credentials.js'

export default class TokensRotate extends RotateCommand {
  static summary = 'Replace a token: create the new one, verify it, then revoke the old one.'

  static description =
    'The replacement gets the same scopes and lifetime (--scopes may narrow them) and the name NAME-2 (then -3, ...). The old token is revoked only after the new one works, and after credentials.json holds it when it is the token latch is signed in with. The new token is printed once on stdout, as create does. If a step fails, the error says what state things are in.'

  static examples = ['<%= config.bin %> <%= command.id %> pat_1a2b3c4d5e6f7a8b', '<%= config.bin %> <%= command.id %> pat_1a2b3c4d5e6f7a8b --scopes inference --json']

  static args = rotateArgs(PERSONAL_ACCESS_TOKENS)
  static flags = rotateFlags(PERSONAL_ACCESS_TOKENS)
  protected kind = PERSONAL_ACCESS_TOKENS
}
