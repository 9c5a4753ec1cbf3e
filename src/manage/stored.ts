/**
 * Changes to the token in credentials.json made by managing it on the server, always under the
 * credentials lock and on the file as it is then: another process may have signed in or refreshed
 * meanwhile, and only the very token that was revoked or rotated is touched.
 */
import type {Context} from '../context.js'
import type {StoredCredentials, StoredToken} from '../credentials/schema.js'

/** Removes the stored token if it is still `secret` (keeping the issuer and a linked project); returns whether it did. */
export function forgetStoredToken(context: Context, secret: string): Promise<boolean> {
  return changeStoredToken(context, secret, ({token: _revoked, ...kept}) => kept)
}

/** Puts `replacement` where the stored token `secret` was; returns whether the file still held it. */
export function replaceStoredToken(context: Context, secret: string, replacement: StoredToken): Promise<boolean> {
  return changeStoredToken(context, secret, (current) => ({...current, token: replacement}))
}

/** Under the lock, on the file as it is now: applies `change` only if the stored token is still `secret`. */
async function changeStoredToken(context: Context, secret: string, change: (current: StoredCredentials) => StoredCredentials): Promise<boolean> {
  const {withCredentialsLock} = await import('../credentials/lock.js')
  return withCredentialsLock(
    context.store.path,
    async () => {
      const current = await context.store.read()
      if (current?.token?.access_token !== secret) return false
      const next = change(current)
      await context.store.write(next)
      context.credentials = next
      return true
    },
    context.note,
  )
}
