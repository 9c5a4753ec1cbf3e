import {listFlags, ListCommand} from '../../manage/commands.js'
import {PERSONAL_ACCESS_TOKENS} from '../../platform/managed-credentials.js'

export default class TokensList extends ListCommand {
  static summary = 'List your personal access tokens: masked, with when each was last used.'

  static description = 'The token latch itself is using is marked with *. The secrets are never shown: only their masked form.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static flags = listFlags(PERSONAL_ACCESS_TOKENS)
  protected kind = PERSONAL_ACCESS_TOKENS
}
