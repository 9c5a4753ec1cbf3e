/**
 * `config list` for people: one aligned line per setting, its value and where it comes from.
 */
import type {SettingsList} from '../settings/manage.js'

export function formatSettings(list: SettingsList): string {
  const width = Math.max(...list.settings.map((setting) => setting.key.length))
  const valueWidth = Math.max(...list.settings.map((setting) => (setting.value ?? '(not set)').length))
  const lines = list.settings.map((setting) => {
    const from = setting.source === 'default' ? 'default' : setting.source === 'env' ? `environment variable ${setting.origin}` : setting.origin
    return `${setting.key.padEnd(width)}  ${(setting.value ?? '(not set)').padEnd(valueWidth)}  from ${from}`
  })
  return [...lines, '', `Settings file: ${list.file}`].join('\n')
}
