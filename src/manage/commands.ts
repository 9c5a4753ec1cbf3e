/**
 * The flags and run bodies `latch tokens …` and `latch keys …` share: the two topics are the same four
 * commands over two kinds (src/platform/managed-credentials.ts), so each command file only names its kind.
 */
import {Args, Flags} from '@oclif/core'

import {BaseCommand, caFileFlag, jsonFlag, orgFlag, profileFlag} from '../base-command.js'
import type {ManagedKind} from '../platform/managed-credentials.js'
import {PLATFORM_SCOPES} from '../platform/scopes.js'
import {formatCredentialTable} from '../ui/credential-table.js'
import {errorLines} from '../ui/error-report.js'
import {createCredential, type CreatedReport} from './create.js'
import {DEFAULT_EXPIRY_DAYS, MAX_NAME_LENGTH} from './input.js'
import {type ListedCredential, listCredentials} from './list.js'
import {revokeCredentials, type RevokeResult} from './revoke.js'
import {rotateCredential, type RotationReport} from './rotate.js'

const SCOPE_NAMES = Object.keys(PLATFORM_SCOPES).join(', ')

/** What every one of these commands takes besides its own flags: the stored login's profile, a CA file. */
const sessionFlags = {'ca-file': caFileFlag, profile: profileFlag()}

type SessionFlags = {'ca-file'?: string; org?: string; profile?: string}

/** The flags that shape the context: profile and CA file everywhere, --org where the command has it (create, list). */
function contextFlags(flags: unknown): {caFile?: string; org?: string; profile?: string} {
  const given = flags as SessionFlags
  return {caFile: given['ca-file'], org: given.org, profile: given.profile}
}

export function createFlags(kind: ManagedKind) {
  return {
    ...sessionFlags,
    json: jsonFlag(`the new ${kind.noun}'s id, name, scopes, created_at, expires_at and the ${kind.noun} itself (${kind.secretField})`),
    name: Flags.string({description: `A name for the consumer (1-${MAX_NAME_LENGTH} printable characters), e.g. github-actions-prod.`, required: true}),
    org: orgFlag(),
    scopes: Flags.string({description: `Comma-separated scopes, only as many as the consumer needs (default: inference, projects.read, deployments.read, account.read). Choose from: ${SCOPE_NAMES}. Only scopes your own credential has.`}),
    ...(kind.expires
      ? {expires: Flags.string({description: `When it stops working: 12h, 30d, a day (2026-12-31, valid to its end, UTC), or never (default: ${DEFAULT_EXPIRY_DAYS}d).`, helpValue: '30d|12h|YYYY-MM-DD|never'})}
      : {}),
  }
}

export abstract class CreateCommand extends BaseCommand {
  protected abstract kind: ManagedKind

  async run(): Promise<CreatedReport> {
    const {flags} = await this.parse(this.ctor as typeof CreateCommand)
    const f = flags as unknown as {expires?: string; name: string; scopes?: string}
    const report = await createCredential(await this.context(contextFlags(flags)), this.kind, {expires: f.expires, json: this.jsonEnabled(), name: f.name, scopes: f.scopes})
    if (!this.jsonEnabled()) this.log('token' in report ? report.token : report.key)
    return report
  }
}

export function listFlags(kind: ManagedKind) {
  return {
    ...sessionFlags,
    json: jsonFlag(`an array of your ${kind.noun}s (id, name, scopes, org, created_at, expires_at, last_used_at, masked, in_use; never a secret)`),
    org: orgFlag(),
  }
}

export abstract class ListCommand extends BaseCommand {
  protected abstract kind: ManagedKind

  async run(): Promise<ListedCredential[]> {
    const {flags} = await this.parse(this.ctor as typeof ListCommand)
    const {records, usedFrom} = await listCredentials(await this.context(contextFlags(flags)), this.kind)
    if (!this.jsonEnabled()) this.log(formatCredentialTable(records, this.kind, usedFrom))
    return records
  }
}

export function revokeArgs(kind: ManagedKind) {
  return {id: Args.string({description: `The id of the ${kind.noun} to revoke (\`latch ${kind.command} list\` shows them); several may be given.`, required: true})}
}

export function revokeFlags(kind: ManagedKind) {
  return {
    ...sessionFlags,
    json: jsonFlag(`the revoked ${kind.noun}s and, per id, why one could not be revoked`),
    force: Flags.boolean({char: 'f', description: 'Do not ask for confirmation (required without a terminal).'}),
  }
}

export abstract class RevokeCommand extends BaseCommand {
  protected abstract kind: ManagedKind

  async run(): Promise<RevokeResult> {
    const {argv, flags} = await this.parse(this.ctor as typeof RevokeCommand)
    const result = await revokeCredentials(await this.context(contextFlags(flags)), this.kind, argv as string[], {force: (flags as {force?: boolean}).force, json: this.jsonEnabled()})
    if (result.errors.length > 0) {
      // On stderr with --json too (as every error is), besides the report's `errors` on stdout.
      for (const error of result.errors) process.stderr.write(errorLines(error, undefined))
      process.exitCode = result.errors[0].exit
    }

    return result
  }
}

export function rotateFlags(kind: ManagedKind) {
  return {
    ...sessionFlags,
    json: jsonFlag(`the new ${kind.noun} (as create prints it), the one it replaced, and the error of a rotation that stopped after the new one was verified`),
    name: Flags.string({description: `The replacement's name (default: the old name with -2, -3, ... appended).`}),
    scopes: Flags.string({description: `Narrower scopes for the replacement, comma-separated (default: the old ${kind.noun}'s scopes).`}),
  }
}

export abstract class RotateCommand extends BaseCommand {
  protected abstract kind: ManagedKind

  async run(): Promise<RotationReport> {
    const {args, flags} = await this.parse(this.ctor as typeof RotateCommand)
    const f = flags as {name?: string; scopes?: string}
    const context = await this.context(contextFlags(flags))
    const report = await whileInterruptible(this.jsonEnabled(), (signal) =>
      rotateCredential(context, this.kind, (args as {id: string}).id, {json: this.jsonEnabled(), name: f.name, scopes: f.scopes, signal}),
    )
    if (!this.jsonEnabled()) this.log('token' in report ? report.token : report.key)
    if (report.error) {
      process.stderr.write(errorLines(report.error, undefined))
      process.exitCode = report.error.exit
    }

    return report
  }
}

/**
 * Runs `work` with a signal that the first Ctrl-C (or SIGTERM) aborts: the rotation then stops at its
 * next safe point and says where things stand. A second one quits at once, as things are.
 */
async function whileInterruptible<T>(json: boolean, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const handler = (name: 'SIGINT' | 'SIGTERM') => () => {
    if (controller.signal.aborted) {
      // Give the cursor back in case a spinner hid it.
      if (process.stderr.isTTY) process.stderr.write('\u001B[?25h')
      process.stderr.write('Quitting at once: see `latch tokens list` / `latch keys list` for where things stand.\n')
      process.exit(name === 'SIGTERM' ? 143 : 130)
    }

    controller.abort(name)
    if (!json) process.stderr.write(`\n${name === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'}: stopping at the next safe point (a rotation past verification finishes); press Ctrl-C again to quit at once.\n`)
  }

  const onSigint = handler('SIGINT')
  const onSigterm = handler('SIGTERM')
  process.on('SIGINT', onSigint).on('SIGTERM', onSigterm)
  try {
    return await work(controller.signal)
  } finally {
    process.off('SIGINT', onSigint).off('SIGTERM', onSigterm)
  }
}

export function rotateArgs(kind: ManagedKind) {
  return {id: Args.string({description: `The id of the ${kind.noun} to replace (\`latch ${kind.command} list\` shows them).`, required: true})}
}
