/**
 * Whether `candidate` is a page of the app itself, loaded from `appUrl`.
 *
 * A built app is one file:// page (its origin is the opaque "null", so the file path decides);
 * in development it is the dev server, whose origin decides. Query and hash never matter.
 */
export function isAppUrl(candidate: string, appUrl: string): boolean {
  const app = parseUrl(appUrl)
  const url = parseUrl(candidate)
  if (app === null || url === null) return false
  if (app.protocol === 'file:')
    return url.protocol === 'file:' && url.host === app.host && url.pathname === app.pathname
  return url.origin === app.origin
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text)
  } catch {
    return null
  }
}
