import {BaseCommand, caFileFlag, jsonFlag, profileFlag} from '../base-command.js'
import type {CheckResult} from '../doctor/checks.js'
import {EXIT_CODES} from '../errors.js'

export default class Doctor extends BaseCommand {
  static summary = 'Check what a login needs: settings, files, DNS, TCP, TLS, discovery, clock, credential, platform API, browser.'

  static description = `Runs each check in order and prints it as ok, warning or failed, with the fix on the next line. \
Nothing is changed (no token is refreshed, no file written). Exits 0 when nothing failed, 1 otherwise. \
docs/network.md explains every check.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json', 'HTTPS_PROXY=http://proxy:3128 <%= config.bin %> <%= command.id %>']

  static flags = {json: jsonFlag('an array of {check, status, detail, fix}'), 'ca-file': caFileFlag, profile: profileFlag('check')}

  async run(): Promise<CheckResult[]> {
    const {flags} = await this.parse(Doctor)
    const {doctorChecks} = await import('../doctor/checks.js')
    const {showChecks} = await import('../ui/doctor-report.js')
    const checks = doctorChecks({
      bin: this.config.bin,
      context: () => this.context({caFile: flags['ca-file'], profile: flags.profile}, {allowUnreadableCredentials: true}),
      env: process.env,
    })
    const results = await showChecks(checks, {env: process.env, json: this.jsonEnabled(), stream: process.stderr})
    if (results.some((result) => result.status === 'failed')) process.exitCode = EXIT_CODES.general
    return results
  }
}
