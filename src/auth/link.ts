/**
 * `latch link`: bind a project access key, checked for shape and with the server before it is stored.
 */
import {checkStoredIssuer} from '../config.js'
import type {Context} from '../context.js'
import {updateCredentials} from '../credentials/lock.js'
import {ErrorKind, LatchError} from '../errors.js'
import type {Project} from '../platform/client.js'
import {safeText} from '../ui/terminal-text.js'
import {activeToken, withActiveToken} from './active-token.js'

/** 32 or more URL-safe characters, with a ceiling so that no absurd value is ever sent to a server. */
export const ACCESS_KEY_PATTERN = /^sk_proj_[\w-]{32,256}$/

export interface LinkResult {
  credentials_path: string
  linked: true
  project: Project
}

export async function link(context: Context, keyArgument: string | undefined): Promise<LinkResult> {
  // The key is saved into the stored record: never into one that belongs to another server than the one it is checked with.
  checkStoredIssuer(context.config, context.bin)
  await activeToken(context)
  await context.store.checkWritable()
  const key = keyArgument?.trim() || (await readKey(context))
  checkAccessKeyFormat(key, context.brand.tokenPrefixes.projectKey)
  const project = await withActiveToken(context, (token) =>
    context.platform.currentProject(
      {origin: token.origin, scopes: token.value.scopes, secret: token.value.accessToken, source: token.source === 'env' ? 'env' : 'file'},
      {origin: keyArgument ? 'the argument' : 'the input', secret: key, source: 'input'},
    ),
  )

  // Re-read under the lock: another process may have rotated the refresh token since this one started.
  await updateCredentials(context.store, (previous) => ({
    ...previous,
    access_key: key,
    api_url: previous ? previous.api_url : context.config.apiUrl.value,
    created_at: previous?.created_at ?? new Date().toISOString(),
    issuer: previous?.issuer ?? context.config.issuer.value,
    version: 1,
  }))
  context.note(`Linked project ${safeText(project.name)} (${safeText(project.id)}).`)
  if (context.config.shadowed.accessKey || context.config.accessKey?.source === 'env') {
    context.note(`Warning: ${context.config.env.accessKey} is set; it will keep taking precedence over the key saved here.`)
  }

  return {credentials_path: context.store.path, linked: true, project}
}

async function readKey(context: Context): Promise<string> {
  try {
    return await context.readSecret('project access key', `echo "$KEY" | ${context.bin} link`)
  } catch (error) {
    // No key at all (none given, stdin ended, or stayed silent) is "Access key required"; a key too long stays a usage error.
    if (error instanceof LatchError && error.kind === ErrorKind.Usage && error.message.startsWith('No ')) {
      throw new LatchError(ErrorKind.AccessKey, `Access key required: ${lowerFirst(error.message)}`, {
        hint: `run \`${context.bin} link ${context.brand.tokenPrefixes.projectKey}...\` (or pipe the key in), or set ${context.config.env.accessKey}`,
      })
    }

    throw error
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}

/** `prefix`: the CLI's (package.json oclif.latch); the rest of the key as ACCESS_KEY_PATTERN says. */
export function checkAccessKeyFormat(key: string, prefix = 'sk_proj_'): void {
  if (key.startsWith(prefix) && /^[\w-]{32,256}$/.test(key.slice(prefix.length))) return
  const problem = key.startsWith(prefix) ? `it must have 32 to 256 letters, digits, - or _ after ${prefix}` : `it does not start with ${prefix}`
  throw new LatchError(ErrorKind.Usage, `Invalid project access key: ${problem}`, {
    hint: 'copy the whole key from the project settings in the console',
  })
}
