/**
 * The HTML a person sees during a device login. Plain pages, inline CSS, no scripts of our own and no
 * external assets. Everything that comes from a request (client names, user agents, codes) is escaped
 * here, at the point where it becomes HTML. Forms handed over by oidc-provider (`form`) carry its xsrf
 * token and are inserted as they are.
 */
import {PLATFORM_SCOPES} from '../platform/scopes.js'
import type {Account} from './accounts.js'

/** Where and when a device request was made, so a person can spot a request that is not theirs. */
export interface RequestOrigin {
  ip: string
  userAgent: string
  at: string
}

export interface ScopeLine {
  name: string
  description: string
}

/** What the verification page should say: the result of the last submission, or a fresh prompt. */
export type UserCodeOutcome = 'enter' | 'not_found' | 'expired' | 'used' | 'denied' | 'error'

/** Descriptions for the protocol scopes; the platform's own come from the catalogue. */
const PROTOCOL_SCOPE_DESCRIPTIONS: Record<string, string> = {
  offline_access: 'Stay signed in on this device (a refresh token)',
  openid: 'Know who you are (your user id)',
}

export function describeScopes(scope: string | undefined): ScopeLine[] {
  return (scope ?? '')
    .split(' ')
    .filter(Boolean)
    .map((name) => ({
      description:
        (PLATFORM_SCOPES as Record<string, string>)[name] ?? PROTOCOL_SCOPE_DESCRIPTIONS[name] ?? 'Unknown scope',
      name,
    }))
}

export function describeOrigin(deviceInfo: unknown): RequestOrigin {
  const info = (deviceInfo ?? {}) as Record<string, unknown>
  return {
    at: typeof info.at === 'string' ? info.at : 'unknown time',
    ip: typeof info.ip === 'string' ? info.ip : 'unknown address',
    userAgent: typeof info.ua === 'string' && info.ua !== '' ? info.ua : 'unknown program',
  }
}

/** Maps oidc-provider's re-render errors (by name: they are not exported) to what the page should say. */
export function userCodeOutcome(error: unknown): UserCodeOutcome {
  if (!error) return 'enter'
  switch ((error as {name?: string}).name) {
    case 'NoCodeError':
    case 'NotFoundError': {
      return 'not_found'
    }

    case 'ExpiredError': {
      return 'expired'
    }

    case 'AlreadyUsedError': {
      return 'used'
    }

    case 'AbortedError': {
      return 'denied'
    }

    default: {
      return 'error'
    }
  }
}

export function userCodePage(options: {form: string; outcome: UserCodeOutcome}): string {
  const submit = '<button type="submit" form="op.deviceInputForm">Continue</button>'
  switch (options.outcome) {
    case 'denied': {
      return layout(
        'Request denied',
        `<h1>Request denied</h1>
        <p class="bad">The device was not signed in. It will be told that the request was denied.</p>
        <p>If you did not start this request, nothing more needs to be done.</p>`,
      )
    }

    case 'expired': {
      return layout(
        'Code expired',
        `<h1>Code expired</h1>
        <p class="bad">That code has expired. Start the sign-in again on your device to get a new code.</p>
        ${options.form}${submit}`,
      )
    }

    case 'used': {
      return layout(
        'Code already used',
        `<h1>Code already used</h1>
        <p class="bad">That code has already been approved or denied. Start again on your device for a new one.</p>
        ${options.form}${submit}`,
      )
    }

    case 'not_found': {
      return layout(
        'Code not recognised',
        `<h1>Sign in a device</h1>
        <p class="bad">That code is not recognised. Check it against the one your device shows and try again.</p>
        ${options.form}${submit}`,
      )
    }

    case 'error': {
      return layout(
        'Something went wrong',
        `<h1>Sign in a device</h1>
        <p class="bad">Something went wrong with that request. Try again.</p>
        ${options.form}${submit}`,
      )
    }

    case 'enter': {
      return layout(
        'Sign in a device',
        `<h1>Sign in a device</h1>
        <p>Enter the code shown on your device.</p>
        ${options.form}${submit}`,
      )
    }
  }
}

export function confirmCodePage(options: {
  clientName: string
  form: string
  origin: RequestOrigin
  userCode: string
}): string {
  return layout(
    'Confirm the code',
    `<h1>Is this your device?</h1>
    <p><strong>${escapeHtml(options.clientName)}</strong> wants to sign in. Continue only if your device shows this code:</p>
    <p class="code">${escapeHtml(options.userCode)}</p>
    ${originTable(options.origin)}
    ${options.form}
    <div class="actions">
      <button type="submit" form="op.deviceConfirmForm">Continue</button>
      <button type="submit" form="op.deviceConfirmForm" name="abort" value="yes" class="secondary">Cancel: this is not my request</button>
    </div>`,
  )
}

export function signInPage(options: {accounts: readonly Account[]; action: string; clientName: string}): string {
  const choices = options.accounts
    .map(
      (account) =>
        `<button type="submit" name="user" value="${escapeHtml(account.username)}">${escapeHtml(account.name)}
        <span class="muted">${escapeHtml(account.email)}</span></button>`,
    )
    .join('\n')
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
    <p>to continue to <strong>${escapeHtml(options.clientName)}</strong>.</p>
    <p class="muted">This is the latch emulator: there are no passwords, pick who you are.</p>
    <form method="post" action="${escapeHtml(options.action)}" class="choices">${choices}</form>`,
  )
}

export function consentPage(options: {
  account: Account
  approveAction: string
  clientName: string
  denyAction: string
  origin: RequestOrigin
  scopes: ScopeLine[]
}): string {
  const scopes = options.scopes
    .map((scope) => `<li><code>${escapeHtml(scope.name)}</code>: ${escapeHtml(scope.description)}</li>`)
    .join('\n')
  return layout(
    'Authorize access',
    `<h1>Authorize ${escapeHtml(options.clientName)}</h1>
    <p>Signed in as <strong>${escapeHtml(options.account.name)}</strong> (${escapeHtml(options.account.email)}).</p>
    <p><strong>${escapeHtml(options.clientName)}</strong> is asking to:</p>
    <ul class="scopes">${scopes}</ul>
    <p>The request came from:</p>
    ${originTable(options.origin)}
    <p class="warn">If you did not start this sign-in yourself, just now, from that place: deny it.</p>
    <div class="actions">
      <form method="post" action="${escapeHtml(options.approveAction)}"><button type="submit">Approve</button></form>
      <form method="post" action="${escapeHtml(options.denyAction)}"><button type="submit" class="secondary">Deny</button></form>
    </div>`,
  )
}

export function successPage(options: {clientName: string}): string {
  return layout(
    'Device signed in',
    `<h1>Device signed in</h1>
    <p class="good">You approved <strong>${escapeHtml(options.clientName)}</strong>. Your device is signed in; you can close this page.</p>`,
  )
}

export function errorPage(options: {message: string; title: string}): string {
  return layout(
    options.title,
    `<h1>${escapeHtml(options.title)}</h1>
    <p class="bad">${escapeHtml(options.message)}</p>
    <p><a href="/device">Start again with a code</a></p>`,
  )
}

export function logoutPage(options: {form: string}): string {
  return layout(
    'Sign out',
    `<h1>Sign out?</h1>
    ${options.form}
    <div class="actions">
      <button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
      <button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>
    </div>`,
  )
}

export function signedOutPage(): string {
  return layout('Signed out', '<h1>Signed out</h1><p>You are signed out of the emulator.</p>')
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

function originTable(origin: RequestOrigin): string {
  return `<table class="origin">
    <tr><th>IP address</th><td>${escapeHtml(origin.ip)}</td></tr>
    <tr><th>Program</th><td>${escapeHtml(origin.userAgent)}</td></tr>
    <tr><th>Time</th><td>${escapeHtml(origin.at)}</td></tr>
  </table>`
}

const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#f6f8fa;margin:0;padding:40px 16px}
main{max-width:460px;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:24px 28px}
h1{font-size:1.5em;margin:0 0 12px}
.muted{color:#59636e;font-size:.9em}
.bad{color:#b42318}.good{color:#1a7f37}.warn{color:#9a6700}
.code{font:600 2em/1.2 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.1em;text-align:center;margin:16px 0}
input[type=text]{box-sizing:border-box;width:100%;font:1.4em ui-monospace,Menlo,Consolas,monospace;text-transform:uppercase;text-align:center;padding:8px;margin:8px 0;border:1px solid #d0d7de;border-radius:6px}
button{display:block;width:100%;font:inherit;font-weight:600;padding:10px;margin:8px 0;border:0;border-radius:6px;background:#1f6feb;color:#fff;cursor:pointer;text-align:center}
button.secondary{background:#fff;color:#1f2328;border:1px solid #d0d7de}
.choices button{background:#fff;color:#1f2328;border:1px solid #d0d7de;text-align:left}
.choices .muted{display:block;font-weight:400}
table.origin{width:100%;border-collapse:collapse;margin:8px 0 16px;font-size:.9em}
table.origin th{text-align:left;color:#59636e;font-weight:400;padding:4px 8px 4px 0;white-space:nowrap;vertical-align:top}
table.origin td{padding:4px 0;word-break:break-all}
ul.scopes{padding-left:20px}
`

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · latch emulator</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`
}
