import {Args} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {getSetting, type SettingReport} from '../../settings/manage.js'
import {SETTING_KEYS} from '../../settings/keys.js'

export default class ConfigGet extends BaseCommand {
  static summary = 'Print the value in effect for one setting.'

  static description = `Keys: ${SETTING_KEYS.join(', ')}. Prints nothing when the setting has no value (browser: the system's). With --json, also where the value comes from.`

  static args = {
    key: Args.string({description: `One of: ${SETTING_KEYS.join(', ')}.`, required: true}),
  }

  static examples = ['<%= config.bin %> <%= command.id %> issuer', '<%= config.bin %> <%= command.id %> scopes --json']

  async run(): Promise<SettingReport> {
    const {args} = await this.parse(ConfigGet)
    const report = getSetting(await this.context(), args.key)
    if (!this.jsonEnabled() && report.value !== null) this.log(report.value)
    return report
  }
}
