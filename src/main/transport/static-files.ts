import { realpath, stat } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8'
}

export interface StaticFile {
  path: string
  contentType: string
  sizeBytes: number
}

/**
 * Maps a request path to a regular file inside `rootDir`, or null. Refuses anything that
 * escapes the folder: `..` segments (also percent-encoded), backslashes, NUL bytes, and
 * symbolic links pointing outside it.
 */
export async function findStaticFile(rootDir: string, requestPath: string): Promise<StaticFile | null> {
  let decoded: string
  try {
    decoded = decodeURIComponent(requestPath)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\') || !decoded.startsWith('/')) return null
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.')) return null

  let root: string
  let real: string
  try {
    root = await realpath(resolve(rootDir))
    real = await realpath(resolve(root, `.${decoded}`))
  } catch {
    return null
  }
  if (!real.startsWith(root + sep)) return null
  const info = await stat(real)
  if (!info.isFile()) return null
  return {
    path: real,
    contentType: CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
    sizeBytes: info.size
  }
}
