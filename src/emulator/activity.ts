/**
 * One line on the emulator's own terminal for each step of a sign-in: a device code issued, approved,
 * denied, tokens issued or refreshed; and one per API key exchanged. User codes are printed (they are
 * short-lived and shown on the device's screen anyway); tokens, device codes and keys never are (a key
 * by its masked form only). Text a client sent (its User-Agent) is stripped of control characters and
 * cut short before it reaches the terminal.
 */
export type ActivitySink = (line: string) => void

const MAX_FIELD = 80

export class Activity {
  readonly #sink: ActivitySink | undefined

  constructor(sink?: ActivitySink) {
    this.#sink = sink
  }

  deviceCodeIssued(userCode: string, from: {ip?: string; userAgent?: string}): void {
    this.#say(`device code ${displayCode(userCode)} issued to ${terminalSafe(from.userAgent || 'an unnamed program')} at ${terminalSafe(from.ip || 'an unknown address')}`)
  }

  approved(userCode: string, username: string, scope: string): void {
    this.#say(`${displayCode(userCode)} approved by ${username}: ${scope || '(no scopes)'}`)
  }

  denied(userCode: string | undefined, how: string): void {
    this.#say(`${userCode === undefined ? 'a device request' : displayCode(userCode)} denied ${how}`)
  }

  tokensIssued(grant: 'device code' | 'refresh', username: string | undefined, scope: string): void {
    const who = username ?? 'an unknown user'
    this.#say(grant === 'refresh' ? `tokens refreshed for ${who}: ${scope || '(no scopes)'}` : `tokens issued to ${who}: ${scope || '(no scopes)'}`)
  }

  /** An API key traded for an access token (RFC 8693): named by its masked form, never its value. */
  keyExchanged(username: string, masked: string, scope: string): void {
    this.#say(`API key ${terminalSafe(masked)} of ${username} exchanged for an access token: ${scope || '(no scopes)'}`)
  }

  #say(text: string): void {
    if (!this.#sink) return
    this.#sink(`${new Date().toISOString().slice(11, 19)}  ${text}`)
  }
}

/** A user code as the device shows it (`WDJB-MJHT`), whichever form it was stored or typed in. */
function displayCode(userCode: string): string {
  const bare = userCode.toUpperCase().replaceAll(/\W/g, '')
  return terminalSafe(bare.length === 8 ? `${bare.slice(0, 4)}-${bare.slice(4)}` : bare)
}

/** Control characters (C0, DEL, C1) become `?`, so a client cannot move the cursor or recolour the terminal. */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = text.replaceAll(/[\u0000-\u001F\u007F-\u009F]/g, '?')
  return cleaned.length > MAX_FIELD ? `${cleaned.slice(0, MAX_FIELD - 1)}…` : cleaned
}
