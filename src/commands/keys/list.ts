import {listFlags, ListCommand} from '../../manage/commands.js'
import {API_KEYS} from '../../platform/managed-credentials.js'

export default class KeysList extends ListCommand {
  static summary = 'List your API keys: masked, with when each was last used.'

  static description = 'The API key latch itself is using is marked with *. The secrets are never shown: only their masked form.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static flags = listFlags(API_KEYS)
  protected kind = API_KEYS
}
