/**
 * Whether to open a browser, and opening it without ever waiting on it. A browser is tried only where
 * a local GUI is likely; the code and URL are printed regardless, so a failure costs nothing.
 */
import isInsideContainer from 'is-inside-container'

import {nodeFs} from '../node-fs.js'

export type BrowserChoice = 'auto' | 'never' | 'always'

export interface BrowserDecision {
  open: boolean
  /** Why not, in words, when open is false; or how, when it is not the obvious way (WSL). */
  reason?: string
  /** The reason is one a person would not guess (WSL without interop): say it next to the URL. */
  tell?: boolean
}

/** WSL, as seen from inside: whether Windows programs (the Windows browser) can be started from here. */
export interface WslInfo {
  interop: boolean
}

export function decideBrowser(
  choice: BrowserChoice,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
  inContainer: () => boolean = isInsideContainer,
  wsl: () => undefined | WslInfo = () => detectWsl(env, platform),
): BrowserDecision {
  if (choice === 'always') return {open: true}
  if (choice === 'never') return {open: false, reason: '--no-browser'}
  if (env.CI && env.CI !== 'false' && env.CI !== '0') return {open: false, reason: 'running in CI'}
  if (env.SSH_CONNECTION || env.SSH_TTY || env.SSH_CLIENT) return {open: false, reason: 'connected over SSH'}
  const display = Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
  // WSL has no display of its own (WSLg's is for Linux programs), but `open` reaches the Windows
  // browser through Windows interop (powershell.exe); with interop off, nothing can start it.
  const inWsl = platform === 'linux' ? wsl() : undefined
  if (inWsl) {
    return inWsl.interop
      ? {open: true, reason: 'WSL: through the Windows browser'}
      : {open: false, reason: 'WSL without Windows interop (the Windows browser cannot be started from here)', tell: true}
  }

  if (!display && inContainer()) return {open: false, reason: 'in a container without a display'}
  if (platform === 'linux' && !display) return {open: false, reason: 'no display'}
  return {open: true}
}

/**
 * Whether this is WSL (WSL_DISTRO_NAME, or a kernel that names Microsoft, as is-wsl checks) and whether
 * Windows interop is on (its binfmt entry, or WSL_INTEROP, which WSL sets when it is).
 */
export function detectWsl(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): undefined | WslInfo {
  if (platform !== 'linux') return undefined
  let kernel = ''
  try {
    kernel = nodeFs.readFileSync('/proc/version', 'utf8')
  } catch {}

  if (!env.WSL_DISTRO_NAME && !/microsoft/i.test(kernel)) return undefined
  const interop = Boolean(env.WSL_INTEROP) || nodeFs.existsSync('/proc/sys/fs/binfmt_misc/WSLInterop') || nodeFs.existsSync('/proc/sys/fs/binfmt_misc/WSLInterop-late')
  return {interop}
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
