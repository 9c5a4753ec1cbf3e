import {Args} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {type SettingChange, unsetSetting} from '../../settings/manage.js'
import {SETTING_KEYS} from '../../settings/keys.js'

export default class ConfigUnset extends BaseCommand {
  static summary = 'Remove a setting from the settings file, so the next layer (default) applies.'

  static args = {
    key: Args.string({description: `One of: ${SETTING_KEYS.join(', ')}.`, required: true}),
  }

  static examples = ['<%= config.bin %> <%= command.id %> issuer']

  async run(): Promise<SettingChange> {
    const {args} = await this.parse(ConfigUnset)
    return unsetSetting({bin: this.config.bin, env: process.env, note: (message) => this.jsonEnabled() || process.stderr.write(`${message}\n`), scopes: this.hostSettings().scopes}, args.key)
  }
}
