/**
 * How latch prints a point in time, everywhere (whoami, token --json, login --json, logout): RFC 3339
 * in UTC to the whole second, rounded down so that a printed expiry is never later than the real one.
 * The credentials file keeps what it stores; only what is shown goes through here.
 */
export function printedInstant(iso: string): string {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`
}

/** printedInstant for an optional expiry: null when there is none. */
export function printedExpiry(iso: null | string | undefined): null | string {
  return iso ? printedInstant(iso) : null
}
