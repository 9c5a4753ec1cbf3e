/**
 * Just enough of a browser to walk the emulator's pages: a cookie jar, redirects followed by hand, and
 * forms found in the HTML and submitted with their hidden fields. Cookie paths are ignored (a newer
 * cookie of the same name replaces the older one), which is all a single sequential flow needs.
 */
export interface Page {
  url: string
  status: number
  html: string
}

export interface Form {
  id?: string
  action: string
  method: string
  fields: Record<string, string>
}

export class Browser {
  readonly cookies = new Map<string, string>()
  readonly userAgent: string

  constructor(userAgent = 'test-browser/1.0') {
    this.userAgent = userAgent
  }

  get(url: string): Promise<Page> {
    return this.request(url, 'GET')
  }

  /** Submits `form`, with `extra` fields added (a clicked button's name and value, a typed code). */
  submit(page: Page, form: Form, extra: Record<string, string> = {}): Promise<Page> {
    return this.request(new URL(form.action, page.url).href, form.method, {...form.fields, ...extra})
  }

  async request(url: string, method: string, fields?: Record<string, string>): Promise<Page> {
    let current = url
    let currentMethod = method
    let body: URLSearchParams | undefined = fields ? new URLSearchParams(fields) : undefined
    for (let hop = 0; hop < 10; hop++) {
      const response = await fetch(current, {
        body,
        headers: {
          accept: 'text/html',
          'user-agent': this.userAgent,
          ...(this.cookies.size > 0 ? {cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')} : {}),
        },
        method: currentMethod,
        redirect: 'manual',
      })
      this.#store(response.headers.getSetCookie())
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer()
        current = new URL(location, current).href
        currentMethod = 'GET'
        body = undefined
        continue
      }

      return {html: await response.text(), status: response.status, url: current}
    }

    throw new Error(`too many redirects from ${url}`)
  }

  #store(setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair, ...attributes] = header.split(';')
      const separator = pair.indexOf('=')
      const name = pair.slice(0, separator).trim()
      const value = pair.slice(separator + 1).trim()
      const expired = attributes.some((attribute) => {
        const [key, attributeValue = ''] = attribute.trim().split('=')
        if (key.toLowerCase() === 'max-age') return Number(attributeValue) <= 0
        if (key.toLowerCase() === 'expires') return Date.parse(attributeValue) <= Date.now()
        return false
      })
      if (expired || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }
}

/** Every form on the page, with its hidden inputs as fields. */
export function formsOf(html: string): Form[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map(([, attributes, inner]) => {
    const fields: Record<string, string> = {}
    for (const [input] of inner.matchAll(/<input\b[^>]*>/g)) {
      if (attribute(input, 'type') !== 'hidden') continue
      const name = attribute(input, 'name')
      if (name) fields[name] = attribute(input, 'value') ?? ''
    }

    return {
      action: attribute(attributes, 'action') ?? '',
      fields,
      id: attribute(attributes, 'id'),
      method: (attribute(attributes, 'method') ?? 'GET').toUpperCase(),
    }
  })
}

export function formById(html: string, id: string): Form {
  const form = formsOf(html).find((candidate) => candidate.id === id)
  if (!form) throw new Error(`no form #${id} in:\n${html}`)
  return form
}

export function formByAction(html: string, actionEnding: string): Form {
  const form = formsOf(html).find((candidate) => candidate.action.endsWith(actionEnding))
  if (!form) throw new Error(`no form posting to …${actionEnding} in:\n${html}`)
  return form
}

/** The text of the page without tags, whitespace collapsed: what a person reads. */
export function textOf(html: string): string {
  return decode(
    html
      .replaceAll(/<style[\s\S]*?<\/style>/g, '')
      // Inline elements run on with the text around them; block elements separate it.
      .replaceAll(/<\/?(code|strong|em|span|a)\b[^>]*>/g, '')
      .replaceAll(/<[^>]+>/g, ' '),
  )
    .replaceAll(/\s+/g, ' ')
    .trim()
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag)
  return match ? decode(match[1]) : undefined
}

function decode(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&')
}
