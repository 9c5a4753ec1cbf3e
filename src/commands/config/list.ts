import {BaseCommand} from '../../base-command.js'
import {listSettings, type SettingsList} from '../../settings/manage.js'
import {formatSettings} from '../../ui/settings-report.js'

export default class ConfigList extends BaseCommand {
  static summary = 'Show every setting in effect and where each comes from.'

  static description =
    'Settings are read from, in order: a flag, an environment variable, the settings file (config.json in the config directory, written by `config set`), the credentials file (the issuer of the current login), the built-in default.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<SettingsList> {
    await this.parse(ConfigList)
    const list = listSettings(await this.context())
    if (!this.jsonEnabled()) this.log(formatSettings(list))
    return list
  }
}
