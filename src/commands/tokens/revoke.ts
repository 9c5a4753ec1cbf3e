import {revokeArgs, RevokeCommand, revokeFlags} from '../../manage/commands.js'
import {PERSONAL_ACCESS_TOKENS} from '../../platform/managed-credentials.js'

export default class TokensRevoke extends RevokeCommand {
  static summary = 'Revoke personal access tokens at once; whatever uses them stops working.'

  static description =
    'Asks for confirmation on a terminal (default No); without a terminal, --force is required. Revoking the token latch is signed in with removes it from credentials.json.'

  static examples = ['<%= config.bin %> <%= command.id %> pat_1a2b3c4d5e6f7a8b', '<%= config.bin %> <%= command.id %> pat_1a2b3c4d5e6f7a8b pat_9c8d7e6f5a4b3c2d --force']

  static strict = false
  static args = revokeArgs(PERSONAL_ACCESS_TOKENS)
  static flags = revokeFlags(PERSONAL_ACCESS_TOKENS)
  protected kind = PERSONAL_ACCESS_TOKENS
}
