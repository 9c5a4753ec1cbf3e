import {BaseCommand, jsonFlag} from '../../base-command.js'
import {listProfiles, type ProfilesReport} from '../../auth/profiles.js'
import {formatProfiles} from '../../ui/profiles-report.js'

export default class Profiles extends BaseCommand {
  static summary = 'List the stored profiles: who is signed in where, token expiry, and which one is active here and why.'

  static description =
    'Each profile holds one login. Commands use, in order: --profile, LATCH_PROFILE, the profile named in a .latch-profile pin file in the working directory or a parent (`profiles pin`), the one chosen with `switch`, then default. Reads only the credentials file: `whoami --all` checks each profile with its server.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static flags = {json: jsonFlag('the profiles (name, issuer, user, token type and expiry, whether active) and the active one with its reason')}

  async run(): Promise<ProfilesReport> {
    await this.parse(Profiles)
    const report = listProfiles(await this.context())
    if (!this.jsonEnabled()) this.log(formatProfiles(report, this.config.bin))
    return report
  }
}
