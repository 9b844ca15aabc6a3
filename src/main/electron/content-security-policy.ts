/**
 * The one Content-Security-Policy of the renderer, for both transports.
 *
 * Nothing inline and nothing remote: React sets styles through the CSSOM, which style-src
 * does not govern, so 'unsafe-inline' is not needed. Browser mode adds its own WebSocket
 * origin to connect-src explicitly rather than relying on 'self' covering ws:.
 */
export function contentSecurityPolicy(options: { webSocketOrigin?: string; devServerOrigin?: string } = {}): string {
  const connectSources = ["'self'"]
  if (options.webSocketOrigin !== undefined) connectSources.push(options.webSocketOrigin)
  // `electron-vite dev` only (never a built app): React Refresh injects an inline preamble and
  // hot reload talks over the dev server's WebSocket.
  const dev = options.devServerOrigin
  if (dev !== undefined) connectSources.push(dev.replace(/^http/, 'ws'))
  return [
    "default-src 'self'",
    dev === undefined ? "script-src 'self'" : "script-src 'self' 'unsafe-inline'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    `connect-src ${connectSources.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'"
  ].join('; ')
}
