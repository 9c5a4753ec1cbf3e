import {Flags} from '@oclif/core'

import {BaseCommand, caFileFlag, jsonFlag, profileFlag} from '../base-command.js'
import {whoami, whoamiExitCode, type WhoamiReport} from '../auth/whoami.js'
import {whoamiAll, whoamiAllExitCode, type WhoamiAllReport} from '../auth/whoami-all.js'
import {childEnv} from '../config.js'
import {makeContext} from '../context.js'
import {formatWhoamiAll} from '../ui/profiles-report.js'
import {formatWhoami} from '../ui/whoami-report.js'

export default class Whoami extends BaseCommand {
  static summary = 'Show who you are signed in as, where the credential comes from, and the linked project.'

  static description = 'With --all, shows every profile this way, each checked with its own server; a token from LATCH_TOKEN comes first, as the one in use. The exit code is then that of the first profile that failed.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json', '<%= config.bin %> <%= command.id %> --all']

  static flags = {
    json: jsonFlag('the report (user, where the token comes from, its type, scopes and expiry, the linked project)'),
    all: Flags.boolean({description: 'Show every profile.', exclusive: ['profile']}),
    'ca-file': caFileFlag,
    profile: profileFlag('show'),
  }

  async run(): Promise<WhoamiAllReport | WhoamiReport> {
    const {flags} = await this.parse(Whoami)
    const context = await this.context({caFile: flags['ca-file'], profile: flags.profile})
    if (flags.all) {
      // Each profile as `whoami --profile NAME` sees it, without the credentials from the environment
      // (reported as an entry of their own): the same environment a child process gets.
      const env = childEnv(context.env, this.config.bin)
      const report = await whoamiAll(context, (profile) => makeContext({bin: this.config.bin, env, flags: {caFile: flags['ca-file'], profile}, host: this.hostSettings(), version: this.config.version}))
      if (!this.jsonEnabled()) this.log(formatWhoamiAll(report, this.config.bin))
      if (whoamiAllExitCode(report) !== 0) process.exitCode = whoamiAllExitCode(report)
      return report
    }

    const report = await whoami(context)
    if (!this.jsonEnabled()) this.log(formatWhoami(report, this.config.bin))
    // The report is printed in full; a failed project lookup still makes the command fail.
    if (whoamiExitCode(report) !== 0) process.exitCode = whoamiExitCode(report)
    return report
  }
}
