/**
 * `latch whoami`: which credential is active, where it came from, whose it is, and the linked project.
 * It reports what it knows: when only the project lookup fails (a rejected key, a token without
 * projects.read), the identity and the token are still reported, with the project's error, and the
 * command still ends with that error's exit code so that scripts notice.
 */
import {checkStoredIssuer, type ProfileReason} from '../config.js'
import type {Context} from '../context.js'
import {LatchError} from '../errors.js'
import type {Credential, OrgMembership, Principal, Project, TokenType} from '../platform/client.js'
import {canRefresh, withActiveToken} from './active-token.js'
import {expiryWarning, type ExpiryWarning} from './expiry-warning.js'
import {identify} from './identity.js'
import {printedExpiry} from './instant.js'
import {platformScopes} from './scopes.js'

export interface WhoamiReport {
  /** The platform API asked, and where its URL comes from. */
  api_url: {origin: string; source: string; value: string}
  authenticated: true
  issuer: string
  /** Where the issuer comes from: `--issuer`, an env variable's name, a file path (settings or credentials), `default`. */
  issuer_origin: {origin: string; source: string}
  /** The organization the credential acts in, with the role there; null when the server has no organizations. */
  org: null | OrgMembership
  /** Why that organization: `--org`, LATCH_ORG, the stored default, the token (bound to one), or the first membership. */
  org_origin?: {origin: string; source: string}
  /** Set when LATCH_ORG (or the stored default) names another organization than the one the credential is bound to. */
  org_ignored?: {origin: string; source: string; value: string}
  /** Who acts: a user, or a bot (a bot key); null when the server names no one. */
  principal: null | Principal
  /**
   * The profile in use and why (`reason`: flag, env, pin, switch, default; `origin`: --profile, the
   * variable's name, the pin file's path, the credentials file's path, default).
   */
  profile: {name: string; origin: string; reason: ProfileReason}
  project: (Project & {source: 'env' | 'file'}) | null
  /** Why the linked project could not be read; the command then exits with `exit`. */
  project_error?: {code: string; exit: number; hint?: string; message: string}
  token: {
    expires_at: null | string
    origin: string
    /** Whether latch renews the token by itself before it expires (an OAuth login with a refresh token). */
    refreshable: boolean
    scopes: string[]
    shadows_stored: boolean
    source: 'env' | 'file'
    type: TokenType
  }
  /** Null when the server can say nothing about the token's owner (a plain OAuth 2.0 server). */
  user: null | {email?: string; id: string; name: string}
  /** Set when the token in use is a personal access token that expires within 7 days (also said on stderr). */
  expiry_warning?: ExpiryWarning
}

export async function whoami(context: Context): Promise<WhoamiReport> {
  const {credential, identity, token} = await withActiveToken(context, async (token) => {
    // A stored project key goes only to the API it was linked on, even next to a token from the environment.
    if (context.config.accessKey?.source === 'file') checkStoredIssuer(context.config, context.bin)
    const credential = {origin: token.origin, scopes: token.value.scopes, secret: token.value.accessToken, source: token.source === 'env' ? ('env' as const) : ('file' as const)}
    return {credential, identity: await identify(context, credential), token}
  })
  const principal: Principal | null = identity ? (identity.principal ?? {id: identity.id, kind: 'user', name: identity.name}) : null
  const org = await organizationOf(context, credential, identity?.org, identity?.token?.type ?? token.value.type)
  const {accessKey} = context.config
  let project: WhoamiReport['project'] = null
  let projectError: WhoamiReport['project_error']
  if (accessKey) {
    try {
      const found = await context.platform.currentProject(credential, {
        origin: accessKey.origin,
        secret: accessKey.value,
        source: accessKey.source === 'env' ? 'env' : 'file',
      })
      project = {...found, source: accessKey.source as 'env' | 'file'}
    } catch (error) {
      if (!(error instanceof LatchError)) throw error
      projectError = error.toJSON().error
    }
  }

  const {apiUrl, issuer} = context.config
  const expiresAt = printedExpiry(token.source === 'file' && token.value.expiresAt ? token.value.expiresAt : (identity?.token?.expires_at ?? token.value.expiresAt)) ?? null
  const warning = await expiryWarning(context, credential, expiresAt, identity?.token?.id)
  return {
    api_url: {origin: apiUrl.origin, source: apiUrl.source, value: apiUrl.value},
    authenticated: true,
    issuer: issuer.value,
    issuer_origin: {origin: issuer.origin, source: issuer.source},
    ...org,
    principal,
    profile: {name: context.config.profile.value, origin: context.config.profile.origin, reason: context.config.profile.reason},
    project,
    ...(projectError ? {project_error: projectError} : {}),
    token: {
      // The stored expiry first, as `latch token` reports it; the server's for a token from the environment.
      expires_at: expiresAt,
      origin: token.origin,
      // An exchanged token is renewed too: by exchanging the API key again.
      refreshable: canRefresh(context, token) || token.value.type === 'exchanged',
      scopes: platformScopes(identity?.token?.scopes ?? token.value.scopes ?? []),
      shadows_stored: context.config.shadowed.token,
      source: token.source as 'env' | 'file',
      type: identity?.token?.type ?? token.value.type,
    },
    user: identity ? {email: identity.email, id: identity.id, name: identity.name} : null,
    ...(warning ? {expiry_warning: warning} : {}),
  }
}

/**
 * The organization whoami reports: the one the command would act in. A PAT, bot key or exchanged token
 * acts only in the organization it is bound to, whatever is chosen; an OAuth login in the chosen one
 * (looked up among the memberships for the role), else in its first.
 */
async function organizationOf(
  context: Context,
  credential: Credential,
  own: OrgMembership | undefined,
  type: TokenType,
): Promise<Pick<WhoamiReport, 'org' | 'org_ignored' | 'org_origin'>> {
  const chosen = context.config.org
  if (!own) return {org: null}
  const matches = (value: string) => own.name === value || own.id === value
  if (type !== 'oauth') {
    const bound = {org: own, org_origin: {origin: 'the token (bound to one organization)', source: 'default'}}
    return chosen && !matches(chosen.value) ? {...bound, org_ignored: {origin: chosen.origin, source: chosen.source, value: chosen.value}} : bound
  }

  if (!chosen) return {org: own, org_origin: {origin: 'your first organization', source: 'default'}}
  const {resolveOrganization} = await import('../orgs/memberships.js')
  const found = matches(chosen.value) ? own : (await resolveOrganization(context, credential)).value
  return {org: found, org_origin: {origin: chosen.origin, source: chosen.source}}
}

/** The exit code `whoami` ends with: 0, or that of the project's error. */
export function whoamiExitCode(report: Pick<WhoamiReport, 'project_error'>): number {
  return report.project_error?.exit ?? 0
}
