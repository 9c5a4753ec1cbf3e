import type {Hook} from '@oclif/core'

import {ErrorKind, LatchError} from '../errors.js'
import {describeError, errorLines} from '../ui/error-report.js'

/**
 * oclif reads `latch logout extra` as a command "logout:extra" and prints its own bare message; this
 * gives it latch's one-line error, a hint and the usage exit code instead.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const words = options.id.split(':')
  const known = options.config.findCommand(words[0])
  const bin = options.config.bin
  const error = known
    ? new LatchError(ErrorKind.Usage, `Unexpected argument for \`${bin} ${words[0]}\`: ${words.slice(1).join(' ')}`, {
        hint: `see \`${bin} ${words[0]} --help\` for what it takes`,
      })
    : new LatchError(ErrorKind.Usage, `Unknown command: ${words.join(' ')}`, {hint: `run \`${bin} --help\` to see the commands`})
  const described = describeError(error, bin)
  process.stderr.write(errorLines(described, undefined))
  this.exit(described.exit)
}

export default hook
