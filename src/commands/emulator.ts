import {Flags} from '@oclif/core'

import {BaseCommand, jsonFlag} from '../base-command.js'
import {seededUsernames} from '../emulator/accounts.js'
import {ErrorKind, LatchError} from '../errors.js'
import {emulatorAllowed} from '../host.js'

export default class Emulator extends BaseCommand {
  static summary = 'Run a local authorization server and platform API to sign in against.'

  static description = `Starts a real OAuth authorization server (device flow, refresh-token rotation, revocation, introspection) \
with the platform API on one local address, and stays in the foreground until Ctrl-C. Users alice and bob are seeded; \
signing in means picking one of them, no password. See docs/emulator.md for the endpoints and the control API.

With --json, the first line on stdout is one JSON object with the issuer URL, the client id and the users, so a \
script can start it with --port 0 and read where it is.`

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --port 0 --json',
    '<%= config.bin %> <%= command.id %> --auto-approve alice --interval 1',
    '<%= config.bin %> <%= command.id %> --no-rotate-refresh-tokens --known-scopes openid,offline_access,account.read',
    '<%= config.bin %> <%= command.id %> --https --tls-dir ~/.latch-emulator-tls',
  ]

  static flags = {
    json: jsonFlag('the issuer URL, client id, users and poll interval (the first line on stdout)'),
    host: Flags.string({default: '127.0.0.1', description: 'Address to listen on.'}),
    port: Flags.integer({default: 4848, description: 'Port to listen on; 0 picks a free one.'}),
    https: Flags.boolean({
      default: false,
      description: 'Serve https with a certificate from a local certificate authority (made in --tls-dir, whose ca.pem clients must trust: LATCH_CA_FILE).',
    }),
    'tls-dir': Flags.string({
      description: 'Where --https keeps its local CA (ca.pem, ca-key.pem), reused on the next start (default: a new temporary directory, printed).',
      helpValue: 'DIR',
    }),
    'tls-flaw': Flags.string({
      description: 'With --https: serve a certificate that is wrong on purpose: expired, or for another host (wrong-host).',
      helpGroup: 'SERVER BEHAVIOUR',
      options: ['expired', 'wrong-host'],
    }),
    interval: Flags.string({default: '5', description: 'Seconds between polls the server asks clients for (fractions allowed).'}),
    'device-code-ttl': Flags.integer({default: 900, description: 'Seconds a device code stays valid.'}),
    'access-token-ttl': Flags.integer({default: 3600, description: 'Seconds an access token stays valid.'}),
    'refresh-token-ttl': Flags.integer({default: 14 * 24 * 60 * 60, description: 'Seconds a refresh token stays valid.'}),
    'auto-approve': Flags.string({
      description: 'Approve every device request as this user, about one interval after it is made.',
      helpValue: 'USER',
    }),
    'slow-down-polls': Flags.integer({
      default: 0,
      description: 'Answer the first N polls of every device code with slow_down (each adds 5 s to its interval), as a server would to a client polling too fast.',
      helpGroup: 'SERVER BEHAVIOUR',
    }),
    'rotate-refresh-tokens': Flags.boolean({
      allowNo: true,
      default: true,
      description: 'Give a new refresh token on every refresh (--no-rotate-refresh-tokens keeps the same one).',
      helpGroup: 'SERVER BEHAVIOUR',
    }),
    'reuse-revokes-grant': Flags.boolean({
      allowNo: true,
      default: true,
      description: 'Revoke the whole grant when a retired refresh token is used again (--no-reuse-revokes-grant only refuses that token).',
      helpGroup: 'SERVER BEHAVIOUR',
    }),
    'revocation-requires-client-auth': Flags.boolean({
      default: false,
      description: 'Answer every revocation request 401 invalid_client, like a server that wants a confidential client.',
      helpGroup: 'SERVER BEHAVIOUR',
    }),
    'known-scopes': Flags.string({
      description: 'Comma-separated scopes the server knows; it grants only those of the requested ones, and says nothing about the rest.',
      helpGroup: 'SERVER BEHAVIOUR',
      helpValue: 'SCOPES',
    }),
    'bare-refresh-errors': Flags.boolean({
      default: false,
      description: 'Answer a refused refresh with a bare 400 and an empty body.',
      helpGroup: 'SERVER BEHAVIOUR',
    }),
    'bare-401': Flags.boolean({
      default: false,
      description: 'Answer a rejected token at userinfo and the platform API with a bare 401: no WWW-Authenticate, no body.',
      helpGroup: 'SERVER BEHAVIOUR',
    }),
    'plain-oauth': Flags.boolean({
      default: false,
      description: 'Act as a plain OAuth 2.0 server: RFC 8414 metadata only, no OpenID discovery, userinfo, ID tokens or platform API.',
      helpGroup: 'SERVER BEHAVIOUR',
    }),
  }

  async run(): Promise<void> {
    // A host CLI gets the emulator only when its package.json says so (oclif.latch.emulator): answered
    // as the unknown command it is there.
    if (!emulatorAllowed(this.hostSettings())) {
      throw new LatchError(ErrorKind.Usage, `Unknown command: ${this.id}`, {
        hint: `run \`${this.config.bin} help\` to see the commands (a CLI offers \`emulator\` only with "emulator": true in its package.json oclif.latch)`,
      })
    }

    const {flags} = await this.parse(Emulator)
    const interval = Number(flags.interval)
    if (flags.port < 0 || flags.port > 65_535) {
      throw usage(`--port must be between 0 and 65535, not ${flags.port}`, 'use --port 0 to pick a free port')
    }

    if (!Number.isFinite(interval) || interval <= 0) {
      throw usage(`--interval must be a positive number of seconds, not "${flags.interval}"`, 'e.g. --interval 5, or --interval 0.2 in tests')
    }

    for (const name of ['device-code-ttl', 'access-token-ttl', 'refresh-token-ttl'] as const) {
      if (flags[name] <= 0) throw usage(`--${name} must be a positive number of seconds, not ${flags[name]}`, `e.g. --${name} 60`)
    }

    if (flags['auto-approve'] !== undefined && !seededUsernames().includes(flags['auto-approve'])) {
      throw usage(`--auto-approve: unknown user "${flags['auto-approve']}"`, `the seeded users are ${seededUsernames().join(' and ')}`)
    }

    const knownScopes = flags['known-scopes']?.split(',').map((scope) => scope.trim()).filter(Boolean)
    const behaviour = {
      bare_401: flags['bare-401'],
      bare_refresh_errors: flags['bare-refresh-errors'],
      known_scopes: knownScopes ?? null,
      plain_oauth: flags['plain-oauth'],
      reuse_revokes_grant: flags['reuse-revokes-grant'],
      revocation_requires_client_auth: flags['revocation-requires-client-auth'],
      rotate_refresh_tokens: flags['rotate-refresh-tokens'],
      slow_down_polls: flags['slow-down-polls'],
    }
    const {DEFAULT_BEHAVIOUR, validateBehaviour} = await import('../emulator/settings.js')
    try {
      validateBehaviour(behaviour)
    } catch (error) {
      const flag = /"(\w+)"/.exec((error as Error).message)?.[1]?.replaceAll('_', '-') ?? 'a flag'
      throw usage(`--${flag}: ${(error as Error).message.replace(/^"\w+" /, '')}`, 'see `latch emulator --help` for the accepted values')
    }

    if ((flags['tls-dir'] !== undefined || flags['tls-flaw'] !== undefined) && !flags.https) {
      throw usage(`--${flags['tls-dir'] === undefined ? 'tls-flaw' : 'tls-dir'} needs --https`, 'add --https')
    }

    let tls: undefined | {caFile: string; cert: string; dir: string; key: string}
    if (flags.https) {
      const {absolutePath} = await import('../config.js')
      const {mkdtemp} = await import('node:fs/promises')
      const {tmpdir} = await import('node:os')
      const {join} = await import('node:path')
      const dir = flags['tls-dir'] ? absolutePath(flags['tls-dir'], '--tls-dir') : await mkdtemp(join(tmpdir(), 'latch-emulator-tls-'))
      const {emulatorTls} = await import('../emulator/tls.js')
      const host = flags.host === '0.0.0.0' || flags.host === '::' ? '127.0.0.1' : flags.host
      try {
        tls = {...(await emulatorTls(dir, [...new Set([host, '127.0.0.1', 'localhost', '::1'])], flags['tls-flaw'] as 'expired' | 'wrong-host' | undefined)), dir}
      } catch (error) {
        throw new LatchError(ErrorKind.General, `cannot make the emulator's certificates in ${dir}: ${(error as Error).message}`, {
          cause: error,
          hint: 'use a --tls-dir you can write to',
        })
      }
    }

    // Listening for the signals before starting: a stop that arrives during start-up is still a clean stop.
    const stopRequested = untilSignalled()
    // Loaded here so that oidc-provider is never imported by the other commands.
    const {AddressInUseError, startEmulator} = await import('../emulator/server.js')
    let emulator
    try {
      emulator = await startEmulator({
        accessTokenTtl: flags['access-token-ttl'],
        autoApprove: flags['auto-approve'],
        behaviour,
        deviceCodeTtl: flags['device-code-ttl'],
        host: flags.host,
        interval,
        // People watching the emulator's terminal see each sign-in step; scripts reading --json do not.
        onActivity: this.jsonEnabled() ? undefined : (line) => this.log(line),
        port: flags.port,
        refreshTokenTtl: flags['refresh-token-ttl'],
        tls,
      })
    } catch (error) {
      if (error instanceof AddressInUseError) {
        throw new LatchError(ErrorKind.General, `cannot listen on ${error.address}: the address is already in use`, {
          cause: error,
          hint: 'stop whatever uses that port, or pass --port 0 to pick a free one',
        })
      }

      throw error
    }

    if (emulator.exposed) {
      // On stderr, whatever the output mode: this must not go unseen.
      process.stderr.write(
        `WARNING: the emulator listens on ${emulator.listening}, which other machines may reach. Anyone who can reach it ` +
          'can mint tokens and keys for every seeded user, with no password (the control API needs no authentication). ' +
          'Use it only on a network you trust, or keep the default --host 127.0.0.1.\n',
      )
    }

    if (this.jsonEnabled()) {
      // One line, first thing on stdout: scripts read where the emulator is from it.
      process.stdout.write(
        `${JSON.stringify({
          issuer: emulator.issuer,
          listening: emulator.listening,
          client_id: emulator.clientId,
          users: emulator.users,
          interval,
          verification_uri: `${emulator.issuer}/device`,
          ...(tls ? {ca_file: tls.caFile} : {}),
        })}\n`,
      )
    } else {
      this.log(`${this.config.bin} emulator listening on ${emulator.exposed ? `${emulator.listening} (reachable from other machines)` : emulator.issuer}`)
      this.log(`  issuer:     ${emulator.issuer}`)
      this.log(`  client id:  ${emulator.clientId}`)
      this.log(`  users:      ${emulator.users.join(', ')} (sign in by picking one; no passwords)`)
      this.log(`  device page: ${emulator.issuer}/device`)
      if (tls) {
        this.log(`  TLS:        a local CA in ${tls.dir}; trust it with LATCH_CA_FILE=${tls.caFile}`)
        if (flags['tls-flaw']) this.log(`  TLS flaw:   the certificate is ${flags['tls-flaw'] === 'expired' ? 'expired' : 'for another host'}, on purpose`)
      }
      if (flags['auto-approve']) this.log(`  auto-approve: every device request, as ${flags['auto-approve']}`)
      const changed = describeBehaviour(behaviour, DEFAULT_BEHAVIOUR)
      if (changed) this.log(`  behaviour:  ${changed}`)
      this.log('Ready. Press Ctrl-C to stop.')
    }

    await stopRequested
    await emulator.close()
  }
}

/** The settings that differ from the defaults, as flags: what this emulator does unlike the default one. */
function describeBehaviour<T extends object>(behaviour: T, defaults: T): string {
  return Object.entries(behaviour)
    .filter(([key, value]) => JSON.stringify(value) !== JSON.stringify((defaults as Record<string, unknown>)[key]))
    .map(([key, value]) => {
      const flag = `--${key.replaceAll('_', '-')}`
      if (value === true) return flag
      if (value === false) return `--no-${key.replaceAll('_', '-')}`
      return `${flag} ${Array.isArray(value) ? value.join(',') : String(value)}`
    })
    .join(' ')
}

function usage(message: string, hint: string): LatchError {
  return new LatchError(ErrorKind.Usage, message, {hint})
}

/** Resolves on the first Ctrl-C or SIGTERM: stopping the emulator is its normal, successful end. */
function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }

    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
