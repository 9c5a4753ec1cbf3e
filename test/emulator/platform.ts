/**
 * The platform API and the token exchange grant, by hand: bearer-authenticated JSON requests to `/v1`,
 * and the RFC 8693 form POST to the token endpoint, as any client would send them.
 */
import type {RunningEmulator} from '../helpers/emulator.js'
import {CLIENT_ID, type JsonResponse, pollToken, postForm, startDeviceAuthorization} from './oauth.js'

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'

export async function api(
  issuer: string,
  method: 'DELETE' | 'GET' | 'POST',
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<JsonResponse> {
  const headers: Record<string, string> = token === undefined ? {} : {authorization: `Bearer ${token}`}
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(`${issuer}${path}`, {body: body === undefined ? undefined : JSON.stringify(body), headers, method})
  const text = await response.text()
  return {body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), headers: response.headers, status: response.status}
}

/** Trades an API key for an access token at the token endpoint (RFC 8693). */
export function exchange(issuer: string, subjectToken: string, extra: Record<string, string> = {}): Promise<JsonResponse> {
  return postForm(`${issuer}/token`, {
    client_id: CLIENT_ID,
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN_TYPE,
    ...extra,
  })
}

/** An OAuth access token from a device sign-in as `user`, asking for (and granted) `scopes`. */
export async function signIn(emulator: RunningEmulator, user: string, scopes: string[]): Promise<string> {
  const device = await startDeviceAuthorization(emulator.issuer, ['openid', ...scopes].join(' '))
  await emulator.approve(device.user_code, user)
  const {body, status} = await pollToken(emulator.issuer, device.device_code)
  if (status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(body)}`)
  return body.access_token as string
}

export const ALL_SCOPES = ['inference', 'projects.read', 'projects.write', 'deployments.read', 'deployments.write', 'keys.read', 'keys.write', 'account.read']
