/** How a failed engine request reads: unreachable engine, the engine's own words, or "not found". */

/** A failure as docker-modem and Node's sockets report it. */
export interface EngineHttpError extends Error {
  statusCode?: number
  json?: { message?: string } | null
  code?: string
  reason?: string
}

export function isNotFound(error: unknown): boolean {
  return (error as EngineHttpError | null)?.statusCode === 404
}

/**
 * Why the engine could not be reached, in words; null when the failure is something else.
 * `connectTimeoutMs` is the bound that the agent and the ssh handshake were given.
 */
export function connectionFailure(
  error: EngineHttpError,
  socketPath: string | undefined,
  connectTimeoutMs: number
): string | null {
  const code = error.code ?? ''
  const sshLevel = (error as { level?: string }).level
  switch (code) {
    case 'ECONNREFUSED':
      return socketPath === undefined ? 'connection refused' : `connection refused on ${socketPath}`
    case 'ENOENT':
      return `no socket at ${socketPath ?? 'the configured path'}`
    case 'EACCES':
    case 'EPERM':
      return `permission denied on ${socketPath ?? 'the socket'}; is your user allowed to use Docker?`
    case 'ERR_RAMPART_CONNECT_TIMEOUT':
      return `no connection within ${connectTimeoutMs / 1000} s`
    case 'ETIMEDOUT':
      return 'the connection timed out'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host name not found (${error.message})`
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host'
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return 'the connection was closed by the engine'
  }
  if (error.message === 'aborted') return 'the connection was closed by the engine'
  if (sshLevel === 'client-timeout') return `the ssh handshake did not finish within ${connectTimeoutMs / 1000} s`
  if (sshLevel === 'client-authentication') return 'ssh authentication failed'
  if (sshLevel === 'client-socket') return `ssh: ${error.message}`
  return null
}

/** The engine's own words: from the JSON body, or (for streamed requests) from docker-modem's message. */
export function engineMessage(failure: EngineHttpError): string {
  if (typeof failure.json?.message === 'string') return failure.json.message
  const cause = /^\(HTTP code \d+\) .*? - ([\s\S]*)$/.exec(failure.message)?.[1]?.trim()
  if (cause !== undefined && cause !== '' && cause !== '[object Object]') return cause
  return failure.reason ?? failure.message
}
