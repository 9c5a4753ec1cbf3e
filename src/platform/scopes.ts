/**
 * The platform's scope catalogue. The emulator grants from it, its consent page shows the descriptions,
 * and `latch login --scopes` refuses names that are not in it before sending any request.
 */
export const PLATFORM_SCOPES = {
  inference: 'Run inference requests',
  'projects.read': 'Read project information',
  'projects.write': 'Create and modify projects',
  'deployments.read': 'View deployments and logs',
  'deployments.write': 'Trigger and manage deployments',
  'keys.read': 'View API keys',
  'keys.write': 'Create and manage API keys',
  'account.read': 'Read account information',
} as const satisfies Record<string, string>

export type PlatformScope = keyof typeof PLATFORM_SCOPES

/** Scopes the OAuth layer adds: `openid` for the user's identity, `offline_access` for a refresh token. */
export const PROTOCOL_SCOPES = ['openid', 'offline_access'] as const

/** What `latch login` asks for when no `--scopes` is given. */
export const DEFAULT_LOGIN_SCOPES: PlatformScope[] = ['inference', 'projects.read', 'deployments.read', 'account.read']

export function isPlatformScope(name: string): name is PlatformScope {
  return Object.hasOwn(PLATFORM_SCOPES, name)
}
