import {Args} from '@oclif/core'

import {BaseCommand, caFileFlag, jsonFlag, profileFlag} from '../../base-command.js'
import {switchOrganization, type SwitchResult} from '../../orgs/memberships.js'
import {safeText} from '../../ui/terminal-text.js'

export default class OrgsSwitch extends BaseCommand {
  static summary = 'Make an organization the default for your stored login.'

  static description =
    'Stored with the login in the credentials file; --org and LATCH_ORG still win over it. It does not apply to a token from LATCH_TOKEN, so it is refused while that is set.'

  static args = {org: Args.string({description: 'The organization (name or id), one of `orgs list`.', required: true})}

  static examples = ['<%= config.bin %> <%= command.id %> globex']

  static flags = {json: jsonFlag('the organization now stored as the default, and the credentials path'), 'ca-file': caFileFlag, profile: profileFlag('store the default in')}

  async run(): Promise<SwitchResult> {
    const {args, flags} = await this.parse(OrgsSwitch)
    const result = await switchOrganization(await this.context({caFile: flags['ca-file'], profile: flags.profile}), args.org)
    if (!this.jsonEnabled()) this.log(`Switched to ${safeText(result.org.name)} (${safeText(result.org.id)}), where you are ${result.org.role === 'admin' ? 'an admin' : `a ${result.org.role}`}.`)
    return result
  }
}
