/**
 * THE rendering boundary for text latch did not write itself: a user name, project name, scope, error
 * description or URL from a server, or a value from the credentials file (where a server's text is
 * stored and replayed on every run). On a terminal such text is data, never control: every C0 and C1
 * control character (ESC, CSI, carriage return, BEL, backspace...), DEL, and the Unicode line
 * separators and bidirectional overrides that reorder what a person reads are shown escaped as
 * `\u001b`, so no escape sequence reaches the terminal (no clear screen, window title, OSC 8 link,
 * colour, or line overwritten by a carriage return). The result is at most `maxLength` characters,
 * cut with an ellipsis.
 *
 * Human output only: `--json` keeps the data as it came (JSON escapes control characters itself).
 */

/** Long enough for any real name, id, email or scope list; short enough that no server can flood a line. */
export const DEFAULT_MAX_LENGTH = 200

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g

export function safeText(value: unknown, maxLength: number = DEFAULT_MAX_LENGTH): string {
  const text = typeof value === 'string' ? value : String(value)
  // Cut first (by code points, so no surrogate pair is split), then escape: at most 6 columns per character kept.
  const points = [...text]
  const cut = points.length > maxLength ? `${points.slice(0, Math.max(0, maxLength - 1)).join('')}…` : text
  return cut.replaceAll(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

// eslint-disable-next-line no-control-regex
const UNESCAPED_BY_JSON = /[\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g

/**
 * JSON text for stdout: the same data, with what JSON.stringify leaves raw (C1 controls, DEL, line
 * separators, bidirectional overrides) written as \u escapes too. Those characters only occur inside
 * JSON strings, so the document parses to exactly the same value.
 */
export function terminalSafeJson(text: string): string {
  return text.replaceAll(UNESCAPED_BY_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
