import {Args} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {type SettingChange, setSetting} from '../../settings/manage.js'
import {SETTING_DESCRIPTIONS, SETTING_KEYS} from '../../settings/keys.js'

export default class ConfigSet extends BaseCommand {
  static summary = 'Save a setting in the settings file (config.json in the config directory).'

  static description = `Keys: ${SETTING_KEYS.map((key) => `${key} (${SETTING_DESCRIPTIONS[key]})`).join('; ')}. A flag or an environment variable still wins over a saved setting. Secrets never go here: tokens and keys stay in credentials.json.`

  static args = {
    key: Args.string({description: `One of: ${SETTING_KEYS.join(', ')}.`, required: true}),
    value: Args.string({description: 'The value; for scopes, a comma-separated list.', required: true}),
  }

  static examples = [
    '<%= config.bin %> <%= command.id %> issuer https://auth.example.com',
    '<%= config.bin %> <%= command.id %> scopes inference,projects.read',
    '<%= config.bin %> <%= command.id %> browser firefox',
  ]

  async run(): Promise<SettingChange> {
    const {args} = await this.parse(ConfigSet)
    return setSetting({bin: this.config.bin, env: process.env, note: (message) => this.jsonEnabled() || process.stderr.write(`${message}\n`), scopes: this.hostSettings().scopes}, args.key, args.value)
  }
}
