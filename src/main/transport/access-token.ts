import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A fresh per-start secret: 256 random bits, URL-safe. */
export function createAccessToken(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * Compares a presented token with the real one in constant time. Both are hashed first so
 * that neither a length mismatch nor an early difference shows in the timing.
 */
export function isAccessToken(presented: string | null | undefined, token: string): boolean {
  if (typeof presented !== 'string' || presented === '') return false
  return timingSafeEqual(digest(presented), digest(token))
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}
