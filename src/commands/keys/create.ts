import {createFlags, CreateCommand} from '../../manage/commands.js'
import {API_KEYS} from '../../platform/managed-credentials.js'

export default class KeysCreate extends CreateCommand {
  static summary = 'Create an API key for a service or SDK; it is printed once, alone on stdout.'

  static description =
    'The key (sk_live_...) goes to stdout and nothing else does, so `KEY=$(latch keys create --name NAME)` captures it; stderr says it is shown only once. API keys do not expire: revoke or rotate them. In a pipeline, set LATCH_API_KEY to it: latch exchanges it for a short-lived token.'

  static examples = [
    '<%= config.bin %> <%= command.id %> --name inference-service --scopes inference',
    'KEY=$(<%= config.bin %> <%= command.id %> --name ci-deploy --scopes deployments.write,deployments.read)',
  ]

  static flags = createFlags(API_KEYS)
  protected kind = API_KEYS
}
