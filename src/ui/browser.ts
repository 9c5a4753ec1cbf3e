/**
 * Whether to open a browser, and opening it without ever waiting on it. A browser is tried only where
 * a local GUI is likely; the code and URL are printed regardless, so a failure costs nothing.
 */
import isInsideContainer from 'is-inside-container'

export type BrowserChoice = 'auto' | 'never' | 'always'

export interface BrowserDecision {
  open: boolean
  /** Why not, in words, when open is false. */
  reason?: string
}

export function decideBrowser(
  choice: BrowserChoice,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
  inContainer: () => boolean = isInsideContainer,
): BrowserDecision {
  if (choice === 'always') return {open: true}
  if (choice === 'never') return {open: false, reason: '--no-browser'}
  if (env.CI && env.CI !== 'false' && env.CI !== '0') return {open: false, reason: 'running in CI'}
  if (env.SSH_CONNECTION || env.SSH_TTY || env.SSH_CLIENT) return {open: false, reason: 'connected over SSH'}
  const display = Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
  if (!display && inContainer()) return {open: false, reason: 'in a container without a display'}
  // WSL has no DISPLAY of its own but `open` reaches the Windows browser.
  if (platform === 'linux' && !display && !env.WSL_DISTRO_NAME) return {open: false, reason: 'no display'}
  return {open: true}
}

/**
 * Starts the browser and returns at once; resolves to an error message when it could not be started.
 * The browser never sees latch's secrets: `open` takes no environment of its own, so the variables
 * named by `secrets` (see secretEnvNames in config.ts) are out of process.env while it spawns.
 *
 * A program that starts but then exits with a failure status (`LATCH_BROWSER=/bin/false`, an xdg-open
 * that finds no browser) is reported later, through `onFailure`, with its name and status; a browser
 * that stays open is never waited on.
 */
export async function openBrowser(url: string, command: string | undefined, secrets: string[], onFailure: (message: string) => void = () => {}): Promise<string | undefined> {
  try {
    const {default: open} = await import('open')
    const child = await withoutEnv(secrets, () => open(url, command ? {app: {name: command}} : {}))
    const name = command ?? 'the system URL opener'
    child.once('exit', (code, signal) => {
      if (code !== 0 && code !== null) onFailure(`the browser program ${name} failed (exit status ${code})`)
      else if (signal) onFailure(`the browser program ${name} was stopped by ${signal}`)
    })
    return await new Promise((resolve) => {
      // `open` resolves once the process is spawned; a missing command shows up as an 'error' event.
      child.once('error', (error) => resolve(error.message))
      setImmediate(() => resolve(undefined))
    })
  } catch (error) {
    return (error as Error).message
  }
}

/** Runs `spawn` with `names` removed from process.env, and puts them back however it ends. */
async function withoutEnv<T>(names: string[], spawn: () => Promise<T>): Promise<T> {
  const saved = new Map<string, string>()
  for (const name of names) {
    const value = process.env[name]
    if (value !== undefined) saved.set(name, value)
    delete process.env[name]
  }

  try {
    return await spawn()
  } finally {
    for (const [name, value] of saved) process.env[name] = value
  }
}
