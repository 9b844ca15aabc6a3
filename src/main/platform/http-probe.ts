import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

export interface HttpProbe {
  url: string
  /** The answer's status, or null when there was none. */
  status: number | null
  /** Why there was no answer (refused, timed out…), or null. */
  error: string | null
}

/**
 * One GET of a service URL, on a fresh connection closed afterwards: a kept-alive socket to the
 * process being restarted would hold up its shutdown and, worse, could be answered by it.
 * Never throws; the body is read and dropped.
 */
export function probeHttp(url: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<HttpProbe> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Promise.resolve({ url, status: null, error: 'not a URL' })
  }
  const send = parsed.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve) => {
    let settled = false
    const settle = (probe: Omit<HttpProbe, 'url'>): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ url, ...probe })
    }
    const request = send(
      parsed,
      {
        method: 'GET',
        agent: false,
        headers: { connection: 'close', accept: '*/*' },
        ...(options.signal === undefined ? {} : { signal: options.signal })
      },
      (response) => {
        response.resume()
        response.on('end', () => settle({ status: response.statusCode ?? null, error: null }))
        response.on('error', (error) => settle({ status: response.statusCode ?? null, error: error.message }))
      }
    )
    const timer = setTimeout(() => {
      settle({ status: null, error: `no answer within ${options.timeoutMs} ms` })
      request.destroy()
    }, options.timeoutMs)
    request.on('error', (error: NodeJS.ErrnoException) =>
      settle({ status: null, error: error.code === 'ECONNREFUSED' ? 'connection refused' : error.message })
    )
    request.end()
  })
}
