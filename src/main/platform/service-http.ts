import { RampartError } from '@shared/errors'

/**
 * A configured service's base URL (the flag API, Unleash, Prometheus): http or https, a trailing
 * slash so that relative paths resolve under any path prefix, no query or fragment. A user name or
 * password in it is refused: fetch cannot send them, and the token belongs in its own field, where
 * a `${VAR}` reference keeps it out of the workspace file.
 */
export function serviceBaseUrl(text: string, names: { field: string; example: string; tokenField: string }): URL {
  let base: URL
  try {
    base = new URL(text)
  } catch {
    throw new RampartError('bad_input', `${names.field} "${text}" is not a URL (e.g. ${names.example})`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new RampartError('bad_input', `${names.field} "${text}" must start with http:// or https://`)
  }
  if (base.username !== '' || base.password !== '') {
    base.username = ''
    base.password = ''
    throw new RampartError(
      'bad_input',
      `${names.field} ${base.toString()} carries a user name or password, which Rampart does not send: ` +
        `give the service's token in ${names.tokenField}, e.g. as a \${VAR} reference`
    )
  }
  if (!base.pathname.endsWith('/')) base.pathname += '/'
  base.search = ''
  base.hash = ''
  return base
}

/** A base URL as shown in names and messages: no trailing slash. */
export function shownBaseUrl(base: URL): string {
  return base.toString().replace(/\/$/, '')
}

export interface ServiceAnswer {
  status: number
  text: string
}

/**
 * One request with a deadline over the whole answer, body included; redirects are refused so a
 * token never follows one. When there is no answer, a RampartError `unreachable` says in words why:
 * "`subject` is unreachable: `where` `why`".
 */
export async function fetchServiceText(
  url: URL,
  init: Pick<RequestInit, 'method' | 'headers' | 'body'>,
  options: { timeoutMs: number; subject: string; where?: string }
): Promise<ServiceAnswer> {
  const signal = AbortSignal.timeout(options.timeoutMs)
  try {
    const response = await fetch(url, { ...init, signal, redirect: 'error' })
    return { status: response.status, text: await response.text() }
  } catch (error) {
    const why = signal.aborted ? `did not answer within ${options.timeoutMs / 1000} s` : whyUnreachable(error)
    const where = options.where === undefined ? '' : `${options.where} `
    throw new RampartError('unreachable', `${options.subject} is unreachable: ${where}${why}`, { url: url.toString() })
  }
}

/** Why fetch failed, in words: refused, no such host, closed… */
function whyUnreachable(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'failed: connection refused (is the service running?)'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'failed: host name not found'
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'failed: the connection was closed'
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'failed: no route to the host'
  }
  return `failed: ${cause?.message ?? (error as Error).message}`
}
