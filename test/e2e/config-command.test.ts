/**
 * `latch config get|set|unset|list` with real files in a temp HOME, and the settings file as a layer of
 * the configuration: flag > env > settings file > credentials file > default, each value with its source.
 */
import {afterEach, beforeEach, describe, expect, it} from '@jest/globals'
import {readFile, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {DEVICE_CODE, makeSandbox, runCli, type Sandbox, startCli} from '../helpers/cli.js'
import {useEmulator} from '../helpers/emulator.js'

const emulator = useEmulator(['--interval', '0.2'])
let sandbox: Sandbox
let settingsFile: string

beforeEach(async () => {
  // No LATCH_ISSUER: the issuer comes from the settings file or the default.
  sandbox = await makeSandbox()
  settingsFile = join(sandbox.configDir, 'config.json')
})
afterEach(async () => {
  await sandbox.cleanup()
})

const config = (args: string[], extra: Record<string, string> = {}) => runCli(['config', ...args], {env: sandbox.env(extra)})

describe('latch config', () => {
  it('set writes config.json (0600 in a 0700 directory), get and list read it back with its source, unset removes it', async () => {
    const set = await config(['set', 'issuer', emulator.issuer])
    expect(set.code).toBe(0)
    expect(set.stderr).toBe(`Set issuer to ${emulator.issuer} in ${settingsFile}.\n`)
    expect(JSON.parse(await readFile(settingsFile, 'utf8'))).toEqual({issuer: emulator.issuer})
    expect((await stat(settingsFile)).mode & 0o777).toBe(0o600)
    expect((await stat(sandbox.configDir)).mode & 0o777).toBe(0o700)

    expect((await config(['set', 'scopes', 'inference, account.read'])).code).toBe(0)
    expect(JSON.parse(await readFile(settingsFile, 'utf8'))).toEqual({issuer: emulator.issuer, scopes: ['inference', 'account.read']})

    const get = await config(['get', 'issuer'])
    expect(get).toMatchObject({code: 0, stdout: `${emulator.issuer}\n`})
    expect(JSON.parse((await config(['get', 'scopes', '--json'])).stdout)).toEqual({key: 'scopes', origin: settingsFile, source: 'file', value: 'inference,account.read'})

    const list = await config(['list', '--json'])
    expect(list.code).toBe(0)
    const {file, settings} = JSON.parse(list.stdout)
    expect(file).toBe(settingsFile)
    expect(settings).toEqual([
      {key: 'issuer', origin: settingsFile, source: 'file', value: emulator.issuer},
      {key: 'client-id', origin: 'default', source: 'default', value: 'latch-cli'},
      {key: 'api-url', origin: settingsFile, source: 'file', value: emulator.issuer},
      {key: 'scopes', origin: settingsFile, source: 'file', value: 'inference,account.read'},
      {key: 'browser', origin: 'default', source: 'default', value: null},
    ])
    const text = await config(['list'])
    expect(text.stdout).toMatch(new RegExp(`^issuer +${emulator.issuer.replaceAll('.', '\\.')} +from ${settingsFile}$`, 'm'))
    expect(text.stdout).toMatch(/^browser +\(not set\) +from default$/m)

    const unset = await config(['unset', 'issuer', '--json'])
    expect(unset.code).toBe(0)
    expect(unset.stderr).toBe('')
    expect(JSON.parse(unset.stdout)).toEqual({file: settingsFile, key: 'issuer', removed: true})
    expect(JSON.parse(await readFile(settingsFile, 'utf8'))).toEqual({scopes: ['inference', 'account.read']})
    expect((await config(['get', 'issuer'])).stdout).toBe('http://127.0.0.1:4848\n')
  })

  it('an environment variable wins over the settings file, and set says so', async () => {
    const set = await config(['set', 'client-id', 'from-file'], {LATCH_CLIENT_ID: 'from-env'})
    expect(set.code).toBe(0)
    expect(set.stderr).toContain('Note: LATCH_CLIENT_ID is set and overrides this setting.')
    expect(JSON.parse((await config(['get', 'client-id', '--json'], {LATCH_CLIENT_ID: 'from-env'})).stdout)).toEqual({
      key: 'client-id',
      origin: 'LATCH_CLIENT_ID',
      source: 'env',
      value: 'from-env',
    })
    expect((await config(['get', 'client-id'])).stdout).toBe('from-file\n')
  })

  it.each([
    [['set', 'colour', 'blue'], /^Error: Unknown setting "colour"\nHint: use one of: issuer, client-id, api-url, scopes, browser/],
    [['get', 'colour'], /^Error: Unknown setting "colour"\n/],
    [['unset', 'colour'], /^Error: Unknown setting "colour"\n/],
    [['set', 'scopes', 'inference,everything'], /^Error: Invalid value for scopes: it names unknown scope "everything"\nHint: choose from: inference, /],
    [['set', 'scopes', ' , '], /^Error: Invalid value for scopes: it is empty\n/],
    [['set', 'issuer', 'http://auth.example.com'], /^Error: Refusing plain http to auth.example.com \(from issuer\): only loopback may use http\nHint: use https:\/\/auth.example.com\n$/],
    [['set', 'api-url', 'not a url'], /^Error: Invalid server URL from api-url: not an absolute URL\nHint: /],
    [['set', 'client-id', 'two words'], /^Error: Invalid value for client-id: it must be printable ASCII without spaces\nHint: /],
  ])('latch config %j is refused with one line and a hint, exit 2, and writes nothing', async (args, message) => {
    const result = await config(args)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stderr.trim().split('\n')).toHaveLength(2)
    await expect(stat(settingsFile)).rejects.toThrow(/ENOENT/)
  })

  it('a config directory that cannot be made: one line and a hint, exit 1', async () => {
    const blocker = join(sandbox.home, 'a-file')
    await writeFile(blocker, '')
    const result = await runCli(['config', 'set', 'browser', 'firefox'], {env: sandbox.env({LATCH_CONFIG_DIR: join(blocker, 'latch')})})
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(new RegExp(`^Error: Cannot create ${join(blocker, 'latch')}: ENOTDIR\nHint: check the permissions of ${blocker}, `))
  })

  it('a broken settings file is reported with its path (exit 2) by the fast path and by oclif, and unset still repairs a bad value', async () => {
    await runCli(['config', 'set', 'browser', 'true'], {env: sandbox.env()})
    await writeFile(settingsFile, '{"issuer": ')
    for (const args of [['token'], ['whoami'], ['config', 'list']]) {
      const result = await runCli(args, {env: sandbox.env()})
      expect(result.code).toBe(2)
      expect(result.stderr).toBe(`Error: The settings file ${settingsFile} is not valid JSON\nHint: fix it, or delete it to go back to the defaults\n`)
    }

    await writeFile(settingsFile, JSON.stringify({issuer: 'http://auth.example.com'}))
    const whoami = await runCli(['whoami'], {env: sandbox.env()})
    expect(whoami.code).toBe(2)
    expect(whoami.stderr).toContain(`Refusing plain http to auth.example.com (from ${settingsFile})`)
    expect((await config(['unset', 'issuer'])).code).toBe(0)
    expect(JSON.parse(await readFile(settingsFile, 'utf8'))).toEqual({})
  })
})

describe('the settings file as a layer', () => {
  it('whoami uses the issuer from config.json and says where it came from; LATCH_ISSUER wins over it', async () => {
    const {token} = await emulator.createPat({name: 'settings', scopes: ['inference', 'account.read']})
    expect((await config(['set', 'issuer', emulator.issuer])).code).toBe(0)
    const login = await runCli(['login', '--token'], {env: sandbox.env(), input: `${token}\n`})
    expect(login.code).toBe(0)

    const whoami = await runCli(['whoami'], {env: sandbox.env()})
    expect(whoami.code).toBe(0)
    expect(whoami.stdout).toContain(`Signed in to ${emulator.issuer} as Alice Example`)
    expect(whoami.stdout).toContain(`  Issuer:   from ${settingsFile}\n`)
    const json = JSON.parse((await runCli(['whoami', '--json'], {env: sandbox.env()})).stdout)
    expect(json.issuer_origin).toEqual({origin: settingsFile, source: 'file'})
    expect(json.api_url).toEqual({origin: settingsFile, source: 'file', value: emulator.issuer})

    const fromEnv = JSON.parse((await runCli(['whoami', '--json'], {env: sandbox.env({LATCH_ISSUER: emulator.issuer})})).stdout)
    expect(fromEnv.issuer_origin).toEqual({origin: 'LATCH_ISSUER', source: 'env'})
  })

  it('an issuer set in config.json after signing in elsewhere: issuer_mismatch (exit 11), and the hint names `latch config unset issuer`', async () => {
    const {token} = await emulator.createPat({name: 'settings-mismatch', scopes: ['inference', 'account.read']})
    expect((await runCli(['login', '--token'], {env: sandbox.env({LATCH_ISSUER: emulator.issuer}), input: `${token}\n`})).code).toBe(0)
    expect((await config(['set', 'issuer', 'http://127.0.0.1:9'])).code).toBe(0)
    const whoami = await runCli(['whoami'], {env: sandbox.env()})
    expect(whoami.code).toBe(11)
    expect(whoami.stderr).toContain(`The stored credentials belong to ${emulator.issuer}, but ${settingsFile} names http://127.0.0.1:9`)
    expect(whoami.stderr).toContain('run `latch config unset issuer` to use')
  })

  it('login asks for the scopes setting when --scopes is not given', async () => {
    expect((await config(['set', 'issuer', emulator.issuer])).code).toBe(0)
    expect((await config(['set', 'scopes', 'inference,keys.read'])).code).toBe(0)
    const login = startCli(['login', '--no-browser', '--json'], {env: sandbox.env()})
    const [, userCode] = await login.waitFor(DEVICE_CODE)
    await emulator.approve(userCode, 'alice')
    const result = await login.done
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).token.scopes.sort()).toEqual(['inference', 'keys.read'])
  })
})
