import {Args} from '@oclif/core'

import {BaseCommand, caFileFlag, jsonFlag, profileFlag} from '../base-command.js'
import {link, type LinkResult} from '../auth/link.js'

export default class Link extends BaseCommand {
  static summary = 'Bind a project access key (sk_proj_...) to your credentials.'

  static description =
    'The key is checked with the server before it is stored. Leave KEY out to paste it at a hidden prompt or pipe it on stdin, which keeps it out of your shell history.'

  static args = {
    // ignoreStdin: oclif would otherwise read stdin for a missing argument, swallowing its end, so that
    // `link </dev/null` waited for the stdin timeout; secret-input.ts reads it with the right messages.
    key: Args.string({description: 'The project access key (sk_proj_...). Omit it to be prompted, or pipe it on stdin.', ignoreStdin: true}),
  }

  static examples = ['<%= config.bin %> <%= command.id %>', 'echo "$KEY" | <%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> sk_proj_...']

  static flags = {json: jsonFlag('the linked project and the credentials path'), 'ca-file': caFileFlag, profile: profileFlag('link the key to')}

  async run(): Promise<LinkResult> {
    const {args, flags} = await this.parse(Link)
    return link(await this.context({caFile: flags['ca-file'], profile: flags.profile}), args.key)
  }
}
