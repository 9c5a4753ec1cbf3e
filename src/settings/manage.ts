/**
 * What `latch config get|set|unset|list` do. Reading shows each value as it is in effect, with where it
 * came from (flag > env > settings file > credentials file > default, decided in src/config.ts);
 * writing goes through conf (src/settings/store.ts) and never needs the rest of the configuration to
 * be valid, so a bad value in config.json can always be replaced or removed.
 */
import {envNames, resolveConfigDir, type ResolvedConfig, settingsPath, type Source, validateServerUrl} from '../config.js'
import type {Context} from '../context.js'
import {formatSetting, parseSetting, requireSettingKey, SETTING_KEYS, type SettingKey} from './keys.js'

export interface SettingReport {
  key: SettingKey
  /** Where the value in effect comes from: an env variable's name, a file path, `default`. */
  origin: string
  source: Source
  /** null when nothing is set and there is no default (browser: the system's). */
  value: null | string
}

export interface SettingsList {
  file: string
  settings: SettingReport[]
}

export function listSettings(context: Context): SettingsList {
  return {file: context.config.settingsPath, settings: SETTING_KEYS.map((key) => reportOf(context.config, key))}
}

export function getSetting(context: Context, key: string): SettingReport {
  return reportOf(context.config, requireSettingKey(key, context.bin))
}

export interface SettingChange {
  file: string
  key: SettingKey
  /** For `unset`: whether the file had the key. */
  removed?: boolean
  value?: string
}

interface WriteInput {
  bin: string
  env: Record<string, string | undefined>
  /** The CLI's scope catalogue (a host CLI's package.json oclif.latch.scopes), when it has its own. */
  scopes?: Record<string, string>
  note(message: string): void
}

export async function setSetting(input: WriteInput, key: string, raw: string): Promise<SettingChange> {
  const name = requireSettingKey(key, input.bin)
  const value = parseSetting(name, raw, validateServerUrl, input.scopes)
  const store = await openStore(input)
  store.set(name, value as never)
  input.note(`Set ${name} to ${formatSetting(value)} in ${store.path}.`)
  noteOverride(input, name)
  return {file: store.path, key: name, value: formatSetting(value)}
}

export async function unsetSetting(input: WriteInput, key: string): Promise<SettingChange> {
  const name = requireSettingKey(key, input.bin)
  const store = await openStore(input)
  const removed = store.delete(name)
  input.note(removed ? `Removed ${name} from ${store.path}.` : `${name} was not set in ${store.path}.`)
  return {file: store.path, key: name, removed}
}

async function openStore(input: WriteInput) {
  const {openSettings} = await import('./store.js')
  return openSettings(settingsPath(resolveConfigDir({bin: input.bin, env: input.env}).value), input.bin, input.scopes)
}

/** The env variable that wins over this setting, when it is set. */
function noteOverride(input: WriteInput, key: SettingKey): void {
  const names = envNames(input.bin)
  const variable = {'api-url': names.apiUrl, browser: names.browser, 'client-id': names.clientId, issuer: names.issuer, scopes: undefined}[key]
  if (variable && input.env[variable]?.trim()) input.note(`Note: ${variable} is set and overrides this setting.`)
}

function reportOf(config: ResolvedConfig, key: SettingKey): SettingReport {
  const resolved = {
    'api-url': config.apiUrl,
    browser: config.browser,
    'client-id': config.clientId,
    issuer: config.issuer,
    scopes: config.scopes,
  }[key]
  if (!resolved) return {key, origin: 'default', source: 'default', value: null}
  return {key, origin: resolved.origin, source: resolved.source, value: formatSetting(resolved.value)}
}
