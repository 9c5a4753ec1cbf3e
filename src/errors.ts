/**
 * Every error a person can see, with its exit code and hint, in one table.
 * Services throw `LatchError`; the base command prints it as one line plus a hint and exits with its code.
 */

export const ErrorKind = {
  /** Anything not classified below. */
  General: 'general',
  /** Bad flags, arguments or input format (oclif uses 2 for its own parse errors too). */
  Usage: 'usage',
  /** The server could not be reached, timed out, or answered with something unusable. */
  Network: 'network',
  /** No credential at all. */
  NotAuthenticated: 'not_authenticated',
  /** A credential exists but the server rejects it. */
  TokenInvalid: 'token_invalid',
  /** The credential lacks a scope the request needs. */
  InsufficientScope: 'insufficient_scope',
  /** No project access key, or the server rejects it. */
  AccessKey: 'access_key',
  /** The person denied the device login. */
  LoginDenied: 'login_denied',
  /** The device code expired before anyone approved it. */
  LoginExpired: 'login_expired',
  /** The credentials file is unreadable, corrupt, of an unknown version, or not a regular file. */
  CredentialsFile: 'credentials_file',
  /** The stored credentials belong to another issuer than the one a flag or env var names. */
  IssuerMismatch: 'issuer_mismatch',
  /** The platform refuses by a role or principal rule: a member creating a bot, a bot creating a key, a credential of another organization. */
  Forbidden: 'forbidden',
  /** No such organization, bot or key among the ones the credential may see. */
  NotFound: 'not_found',
  /** A name that must be unique is taken (a bot's name in its organization). */
  Conflict: 'conflict',
  /** The server's TLS certificate is not trusted here: unknown CA (a TLS-inspecting proxy?), expired, or for another host. */
  Tls: 'tls',
  /** The user pressed Ctrl-C or the process got SIGINT. */
  Cancelled: 'cancelled',
  /** The process got SIGTERM. */
  Terminated: 'terminated',
} as const

export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind]

/** Exit codes, documented in docs/troubleshooting.md. */
export const EXIT_CODES: Record<ErrorKind, number> = {
  general: 1,
  usage: 2,
  network: 3,
  not_authenticated: 4,
  token_invalid: 5,
  insufficient_scope: 6,
  access_key: 7,
  login_denied: 8,
  login_expired: 9,
  credentials_file: 10,
  issuer_mismatch: 11,
  forbidden: 12,
  not_found: 13,
  conflict: 14,
  tls: 15,
  cancelled: 130,
  terminated: 143,
}

export class LatchError extends Error {
  readonly kind: ErrorKind
  readonly hint?: string

  constructor(kind: ErrorKind, message: string, options: {cause?: unknown; hint?: string} = {}) {
    super(message, {cause: options.cause})
    this.name = 'LatchError'
    this.kind = kind
    this.hint = options.hint
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind]
  }

  toJSON(): {error: {code: ErrorKind; exit: number; hint?: string; message: string}} {
    return {error: {code: this.kind, exit: this.exitCode, hint: this.hint, message: this.message}}
  }
}

export function isLatchError(error: unknown): error is LatchError {
  return error instanceof LatchError
}
