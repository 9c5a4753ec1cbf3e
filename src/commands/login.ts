import {Flags} from '@oclif/core'

import {BaseCommand, caFileFlag, ENV_PREFIX, jsonFlag, profileFlag} from '../base-command.js'
import {deviceLogin} from '../auth/device-login.js'
import type {LoginOutcome} from '../auth/save-login.js'
import {tokenLogin} from '../auth/token-login.js'
import {cancelled} from '../oauth/device-flow.js'
import {DEFAULT_LOGIN_SCOPES, PLATFORM_SCOPES} from '../platform/scopes.js'

/**
 * The scope catalogue and the default scopes in help: the running CLI's (package.json oclif.latch, see
 * src/host.ts), else latch's, rendered by oclif's help templates (ejs) with the CLI's config.
 */
const HOST = 'config.pjson.oclif.latch'
const CATALOGUE = `(${HOST}?.scopes ?? ${JSON.stringify(PLATFORM_SCOPES)})`
const SCOPES_HELP = `<%- Object.entries(${CATALOGUE}).map(([name, text]) => name + ' (' + text.charAt(0).toLowerCase() + text.slice(1) + ')').join(', ') %>`
const DEFAULT_SCOPES_HELP = `<%- (${HOST}?.defaultScopes ?? (${HOST}?.scopes ? Object.keys(${HOST}.scopes) : ${JSON.stringify(DEFAULT_LOGIN_SCOPES)})).join(',') %>`

export default class Login extends BaseCommand {
  static summary = 'Sign in with the device flow in a browser, or with a personal access token.'

  static description = `Shows a one-time code and a URL, opens the browser where one is likely to work, and waits until you approve; then saves the tokens to credentials.json (mode 0600) in the config directory.

With --token, reads a personal access token (<%- config.pjson.oclif.latch?.tokenPrefixes?.pat ?? 'sk_pat_' %> + 64 hex) from a hidden prompt, or from stdin when piped; never from the command line, where it would land in shell history and the process list.

Scopes: ${SCOPES_HELP}.`

  // Written out: oclif's generated line shows the exclusive flags as "[--scopes <value> | ]" and
  // leaves out --no-browser. The two lines are the two ways to sign in.
  static usage = [
    '<%= command.id %> [--scopes <value>] [--reset-scopes] [--browser | --no-browser] [--copy] [--issuer <value>] [--profile <value>] [--json]',
    '<%= command.id %> --token [--issuer <value>] [--profile <value>] [--json]',
  ]

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --no-browser',
    '<%= config.bin %> <%= command.id %> --profile work --issuer https://auth.work.example.com',
    '<%= config.bin %> <%= command.id %> --copy',
    `<%= config.bin %> <%= command.id %> --scopes <%- (${HOST}?.scopes ? Object.keys(${HOST}.scopes).slice(0, 3) : ['inference', 'projects.read', 'account.read']).join(',') %>`,
    `<%= config.bin %> <%= command.id %> --scopes <%- ${HOST}?.scopes ? Object.keys(${HOST}.scopes).at(-1) : 'deployments.write' %> --reset-scopes`,
    'echo "$PAT" | <%= config.bin %> <%= command.id %> --token',
  ]

  static flags = {
    json: jsonFlag('the result (issuer, user, token type, scopes and expiry, credentials path)'),
    browser: Flags.boolean({
      allowNo: true,
      description: `Open the browser (default: only when a local display is likely: not in CI, not over SSH, not in a container without a display). ${ENV_PREFIX}BROWSER names the program.`,
    }),
    copy: Flags.boolean({
      description: 'Also copy the device code to the clipboard (pbcopy, wl-copy, xclip, xsel or clip). Off by default: <%= config.bin %> does not overwrite your clipboard unasked.',
      exclusive: ['token'],
    }),
    issuer: Flags.string({
      description: `Authorization server URL (default: ${ENV_PREFIX}ISSUER, then the issuer setting (config.json), then the stored issuer, then <%= config.pjson.oclif.latch?.issuer ?? 'the local emulator' %>).`,
    }),
    scopes: Flags.string({
      description: `Comma-separated scopes to ask for (default: the scopes setting, else ${DEFAULT_SCOPES_HELP}).`,
      exclusive: ['token'],
    }),
    'reset-scopes': Flags.boolean({
      description: 'Ask only for the scopes named by --scopes (or the defaults); without it, a new login also keeps the scopes of the current one.',
      exclusive: ['token'],
    }),
    token: Flags.boolean({description: 'Sign in with a personal access token from a hidden prompt or stdin.'}),
    'ca-file': caFileFlag,
    profile: profileFlag('create or replace'),
  }

  async run(): Promise<LoginOutcome> {
    const {flags} = await this.parse(Login)
    const context = await this.context({caFile: flags['ca-file'], issuer: flags.issuer, profile: flags.profile})
    return this.cancellable(
      (signal) =>
        flags.token
          ? tokenLogin(context, {json: this.jsonEnabled(), signal})
          : deviceLogin(context, {browser: flags.browser === undefined ? 'auto' : flags.browser ? 'always' : 'never', copy: flags.copy, json: this.jsonEnabled(), resetScopes: flags['reset-scopes'], scopes: flags.scopes, signal}),
      cancelled,
    )
  }
}
