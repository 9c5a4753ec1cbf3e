/**
 * The debug trace: `DEBUG=latch:http` (or `latch:*`, `*`, comma or space lists, `-name` to exclude),
 * matched the way the `debug` package matches, so the names people already type work. Written to
 * stderr, one line per event. No dependency: this module is on the start-up path of `latch token`.
 *
 * Nothing secret is ever passed in; the helpers below strip what a server could echo back.
 */

/** Whether `namespace` is switched on by DEBUG (debug's rules: skips first, `*` matches anything). */
export function debugEnabled(namespace: string, setting: string | undefined = process.env.DEBUG): boolean {
  if (!setting) return false
  const names = setting.split(/[\s,]+/).filter(Boolean)
  const matches = (pattern: string) => new RegExp(`^${pattern.replaceAll(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*?')}$`).test(namespace)
  if (names.some((name) => name.startsWith('-') && matches(name.slice(1)))) return false
  return names.some((name) => !name.startsWith('-') && matches(name))
}

/** Writes `namespace message` to stderr when the namespace is on. */
export function debugLog(namespace: string, message: () => string, stream: NodeJS.WritableStream = process.stderr): void {
  if (!debugEnabled(namespace)) return
  stream.write(`${namespace} ${message()}\n`)
}

/** Query parameters that never carry a secret; every other value is replaced. */
const PLAIN_PARAMETERS = new Set(['client_id', 'grant_type', 'response_type', 'scope', 'token_type_hint'])

/** The URL with its credentials, fragment and every query value but the harmless ones redacted. */
export function redactUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return '<unparsable URL>'
  }

  if (parsed.username || parsed.password) {
    parsed.username = 'redacted'
    parsed.password = ''
  }

  for (const name of [...new Set(parsed.searchParams.keys())]) {
    if (!PLAIN_PARAMETERS.has(name)) parsed.searchParams.set(name, 'redacted')
  }

  parsed.hash = ''
  return parsed.href
}

/**
 * Text a server sent (an error description), safe for the trace: one line, short, and without anything
 * that looks like a token or key (a server may echo the token it refused).
 */
export function redactText(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replaceAll(/[\u0000-\u001F\u007F-\u009F]+/g, ' ').trim()
  const redacted = clean.replaceAll(/\bsk_[a-z]+_[\w-]+/g, 'sk_<redacted>').replaceAll(/[\w\-.~+/]{20,}=*/g, '<redacted>')
  return redacted.length > max ? `${redacted.slice(0, max)}…` : redacted
}
