import {BaseCommand, caFileFlag, jsonFlag, orgFlag, profileFlag} from '../../base-command.js'
import {listOrganizations, type OrgListing} from '../../orgs/memberships.js'
import {formatOrgs} from '../../ui/orgs-report.js'

export default class OrgsList extends BaseCommand {
  static summary = 'List your organizations, your role in each, and which one is current.'

  static description =
    'The current organization is the one `bots` and `tokens` commands act in: --org, then LATCH_ORG, then the default `orgs switch` stored with your login, then your first organization. A personal access token or bot key belongs to one organization: only that one is listed.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static flags = {json: jsonFlag('the organizations (id, name, role, current) and the current one with where it was chosen'), org: orgFlag(), 'ca-file': caFileFlag, profile: profileFlag()}

  async run(): Promise<OrgListing> {
    const {flags} = await this.parse(OrgsList)
    const listing = await listOrganizations(await this.context({caFile: flags['ca-file'], org: flags.org, profile: flags.profile}))
    if (!this.jsonEnabled()) this.log(formatOrgs(listing))
    return listing
  }
}
