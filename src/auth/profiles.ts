/**
 * `latch profiles`, `latch profiles pin`/`unpin` and `latch switch`: the logins in credentials.json,
 * and the three ways to choose one that outlive a command (the order is decided in src/config.ts,
 * resolveProfile).
 */
import {join} from 'node:path'

import {checkProfileName, findPin, pinFileName, type ProfileReason, profileOrigin} from '../config.js'
import type {Context} from '../context.js'
import {DEFAULT_PROFILE, profileOf} from '../credentials/schema.js'
import {ErrorKind, LatchError} from '../errors.js'
import {nodeFs} from '../node-fs.js'
import {safeText} from '../ui/terminal-text.js'
import {printedExpiry} from './instant.js'

export interface ProfileEntry {
  /** Whether this is the profile commands here use. */
  active: boolean
  issuer: string
  name: string
  /** Whether a project access key is linked. */
  project_linked: boolean
  token: null | {expires_at: null | string; type: 'oauth' | 'pat'}
  user: null | {id: string; name: string}
}

export interface ProfilesReport {
  /** The profile in use here, why, and whether it holds a login. */
  active: {name: string; origin: string; reason: ProfileReason; signed_in: boolean; why: string}
  credentials_path: string
  profiles: ProfileEntry[]
}

/** Every stored profile, from the file alone (no server is asked: `whoami --all` does that). */
export function listProfiles(context: Context): ProfilesReport {
  const {profile} = context.config
  const profiles = Object.entries(context.credentialsFile?.profiles ?? {}).map(([name, login]): ProfileEntry => ({
    active: name === profile.value,
    issuer: login.issuer,
    name,
    project_linked: Boolean(login.access_key),
    token: login.token ? {expires_at: printedExpiry(login.token.expires_at), type: login.token.type} : null,
    user: login.user ? {id: login.user.id, name: login.user.name} : null,
  }))
  return {
    active: {
      name: profile.value,
      origin: profile.origin,
      reason: profile.reason,
      signed_in: Boolean(profileOf(context.credentialsFile, profile.value)),
      why: profile.reason === 'default' ? 'the default' : `from ${profileOrigin(profile, context.bin)}`,
    },
    credentials_path: context.store.path,
    profiles,
  }
}

export interface SwitchResult {
  active: string
  credentials_path: string
  /** Set when something else chooses the profile here, so the switch does not apply in this shell or directory. */
  overridden_by?: string
}

/**
 * `latch switch NAME`: saves NAME as the active profile in credentials.json (`default` clears it). Only
 * a profile that holds a login can be chosen, so a typo cannot sign every shell out at once.
 */
export async function switchProfile(context: Context, raw: string): Promise<SwitchResult> {
  const name = checkProfileName(raw.trim(), 'the argument')
  if (name !== DEFAULT_PROFILE && !profileOf(context.credentialsFile, name)) throw unknownProfile(context, name)
  const {updateProfiles} = await import('../credentials/lock.js')
  await updateProfiles(context.store, (current) => {
    if (!current || (current.active ?? DEFAULT_PROFILE) === name) return undefined
    // Checked again on the file as it is now: a logout may have removed the profile meanwhile.
    if (name !== DEFAULT_PROFILE && !profileOf(current, name)) throw unknownProfile(context, name)
    const {active: _previous, ...rest} = current
    return name === DEFAULT_PROFILE ? rest : {...rest, active: name}
  })
  context.note(`Switched to the profile ${safeText(name)}.`)
  const overridden = overriddenBy(context)
  if (overridden) context.note(`Note: ${overridden} chooses the profile ${safeText(context.config.profile.value)} here, and wins over \`${context.bin} switch\`.`)
  return {active: name, credentials_path: context.store.path, ...(overridden ? {overridden_by: overridden} : {})}
}

export interface PinResult {
  pin_file: string
  profile: string
}

/** `latch profiles pin NAME`: writes the pin file in `cwd`, so that commands run there or below use NAME. */
export async function pinProfile(context: Context, raw: string, cwd: string): Promise<PinResult> {
  const name = checkProfileName(raw.trim(), 'the argument')
  if (!profileOf(context.credentialsFile, name)) throw unknownProfile(context, name)
  const path = join(cwd, pinFileName(context.bin))
  await writeSmallFile(path, `${name}\n`)
  context.note(`Pinned the profile ${safeText(name)} in ${path}: commands run in ${cwd} and below use it.`)
  const {env, profile} = context.config
  if (profile.reason === 'flag' || profile.reason === 'env') context.note(`Note: ${profile.reason === 'flag' ? '--profile' : env.profile} wins over the pin.`)
  return {pin_file: path, profile: name}
}

export interface UnpinResult {
  /** The pin file removed, or null when none applied here. */
  removed: null | string
}

/** `latch profiles unpin`: removes the pin file that applies in `cwd` (the nearest one, walking up). */
export async function unpinProfile(context: Context, cwd: string): Promise<UnpinResult> {
  const pin = findPin(context.bin, cwd, (path, owner) => context.note(`Ignoring the pin file ${path}: it belongs to another user (uid ${owner}).`))
  if (!pin) {
    context.note(`No ${pinFileName(context.bin)} in ${cwd} or above it; nothing to remove.`)
    return {removed: null}
  }

  try {
    nodeFs.unlinkSync(pin.path)
  } catch (error) {
    throw new LatchError(ErrorKind.General, `Cannot remove the pin file ${pin.path}: ${(error as Error).message}`, {hint: `remove it yourself: \`rm ${pin.path}\``})
  }

  context.note(`Removed ${pin.path}; the profile ${safeText(pin.profile)} is no longer pinned here.`)
  return {removed: pin.path}
}

/** What chooses the profile here ahead of the switch: --profile, LATCH_PROFILE or a pin file. */
function overriddenBy(context: Context): string | undefined {
  const {profile} = context.config
  if (profile.reason === 'flag' || profile.reason === 'env' || profile.reason === 'pin') return profileOrigin(profile, context.bin)
  return undefined
}

function unknownProfile(context: Context, name: string): LatchError {
  const known = Object.keys(context.credentialsFile?.profiles ?? {})
  return new LatchError(ErrorKind.Usage, `No profile named ${safeText(name)}${known.length > 0 ? ` (there are: ${known.join(', ')})` : ' (there are none yet)'}`, {
    hint: `run \`${context.bin} login --profile ${name}\` to create it`,
  })
}

/** Writes a small, non-secret file through a temp file and a rename: a symlink at `path` is replaced, never followed. */
async function writeSmallFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    nodeFs.writeFileSync(temporary, text, {flag: 'wx', mode: 0o644})
    nodeFs.renameSync(temporary, path)
  } catch (error) {
    nodeFs.rmSync(temporary, {force: true})
    throw new LatchError(ErrorKind.General, `Cannot write the pin file ${path}: ${(error as Error).message}`, {hint: 'run it in a directory you can write to'})
  }
}
