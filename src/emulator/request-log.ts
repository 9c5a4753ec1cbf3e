/**
 * Every request the emulator answered, in order, so a test can count device-code polls and refreshes
 * (`GET /_emulator/requests`). Bounded, because an emulator left running for days must not grow forever.
 */
export interface LoggedRequest {
  at: string
  method: string
  path: string
  /** Only for token endpoint requests: the grant_type the client sent. */
  grant_type?: string
  /** Only for token endpoint requests that failed: the OAuth error code (authorization_pending, slow_down, ...). */
  error?: string
  status: number
}

const MAX_ENTRIES = 10_000

export class RequestLog {
  readonly #entries: LoggedRequest[] = []

  record(entry: LoggedRequest): void {
    this.#entries.push(entry)
    if (this.#entries.length > MAX_ENTRIES) this.#entries.splice(0, this.#entries.length - MAX_ENTRIES)
  }

  entries(): LoggedRequest[] {
    return this.#entries.map((entry) => ({...entry}))
  }
}
