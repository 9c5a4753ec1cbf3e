import {createFlags, CreateCommand} from '../../manage/commands.js'
import {PERSONAL_ACCESS_TOKENS} from '../../platform/managed-credentials.js'

export default class TokensCreate extends CreateCommand {
  static summary = 'Create a personal access token; it is printed once, alone on stdout.'

  static description =
    'The token (sk_pat_...) goes to stdout and nothing else does, so `TOKEN=$(latch tokens create --name NAME)` captures it; stderr says it is shown only once. It can have only scopes your own credential has (keys.write is needed to create one).'

  static examples = [
    '<%= config.bin %> <%= command.id %> --name github-actions-prod --scopes inference,deployments.write --expires 90d',
    'TOKEN=$(<%= config.bin %> <%= command.id %> --name nightly-job --scopes inference --expires 2026-12-31)',
    '<%= config.bin %> <%= command.id %> --name local-script --expires never --json',
  ]

  static flags = createFlags(PERSONAL_ACCESS_TOKENS)
  protected kind = PERSONAL_ACCESS_TOKENS
}
