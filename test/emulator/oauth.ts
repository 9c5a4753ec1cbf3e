/**
 * The client side of the OAuth endpoints, by hand: form-encoded POSTs with client_id=latch-cli, as
 * RFC 8628 and RFC 6749 describe them. (The CLI's real client, openid-client, is tested elsewhere.)
 */
export const CLIENT_ID = 'latch-cli'
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
export const LOGIN_SCOPE = 'openid offline_access inference projects.read deployments.read account.read'

export interface JsonResponse {
  status: number
  headers: Headers
  body: Record<string, unknown>
}

export interface DeviceAuthorization {
  device_code: string
  user_code: string
  verification_uri: string
  verification_uri_complete: string
  expires_in: number
  interval: number
}

export async function postForm(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const response = await fetch(url, {
    body: new URLSearchParams(params),
    headers,
    method: 'POST',
  })
  return {body: (await response.json()) as Record<string, unknown>, headers: response.headers, status: response.status}
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const response = await fetch(url, {headers})
  return {body: (await response.json()) as Record<string, unknown>, headers: response.headers, status: response.status}
}

export async function postJson(url: string, body: unknown): Promise<JsonResponse> {
  const response = await fetch(url, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: {'content-type': 'application/json'},
    method: 'POST',
  })
  return {body: (await response.json()) as Record<string, unknown>, headers: response.headers, status: response.status}
}

export async function startDeviceAuthorization(
  issuer: string,
  scope = LOGIN_SCOPE,
  headers: Record<string, string> = {},
): Promise<DeviceAuthorization> {
  const response = await postForm(`${issuer}/device/auth`, {client_id: CLIENT_ID, scope}, headers)
  if (response.status !== 200) throw new Error(`device authorization failed: ${JSON.stringify(response.body)}`)
  return response.body as unknown as DeviceAuthorization
}

export function pollToken(issuer: string, deviceCode: string): Promise<JsonResponse> {
  return postForm(`${issuer}/token`, {client_id: CLIENT_ID, device_code: deviceCode, grant_type: DEVICE_GRANT})
}

/** Polls at the server's interval until the answer is anything but authorization_pending (at most `maxPolls`). */
export async function pollUntilSettled(issuer: string, device: DeviceAuthorization, maxPolls = 100): Promise<JsonResponse> {
  for (let poll = 0; poll < maxPolls; poll++) {
    const response = await pollToken(issuer, device.device_code)
    if (response.body.error !== 'authorization_pending') return response
    await sleep(device.interval * 1000)
  }

  throw new Error(`still pending after ${maxPolls} polls`)
}

export function refresh(issuer: string, refreshToken: string): Promise<JsonResponse> {
  return postForm(`${issuer}/token`, {client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: refreshToken})
}

export function me(issuer: string, token: string): Promise<JsonResponse> {
  return getJson(`${issuer}/v1/me`, {authorization: `Bearer ${token}`})
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms)
  })
}
