/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's public-domain reference algorithm).
 * Flag buckets must match what Unleash SDKs compute, so this is the exact reference
 * algorithm over UTF-8 bytes, returning an unsigned 32-bit integer.
 */

const C1 = 0xcc9e2d51
const C2 = 0x1b873593

/** Hashes the first `length` bytes of `bytes`; the string path hashes part of a reused buffer. */
function hashPrefix(bytes: Uint8Array, length: number, seed: number): number {
  let h = seed >>> 0
  const blockEnd = length & ~3
  let i = 0
  while (i < blockEnd) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
    k = Math.imul(k, C1)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, C2)
    h ^= k
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
    i += 4
  }

  const tail = length & 3
  if (tail !== 0) {
    let k = 0
    if (tail === 3) k ^= bytes[i + 2]! << 16
    if (tail >= 2) k ^= bytes[i + 1]! << 8
    k ^= bytes[i]!
    k = Math.imul(k, C1)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, C2)
    h ^= k
  }

  h ^= length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** MurmurHash3 x86_32 of `bytes`, as an unsigned 32-bit integer. */
export function murmur3x86_32(bytes: Uint8Array, seed = 0): number {
  return hashPrefix(bytes, bytes.length, seed)
}

// Hashing runs once per user in bulk evaluations, so the UTF-8 bytes go into one buffer
// that is reused (and grown when a longer string arrives) instead of a fresh array per call.
const encoder = new TextEncoder()
let scratch = new Uint8Array(1024)

/** MurmurHash3 x86_32 of the UTF-8 encoding of `text` (lone surrogates become U+FFFD). */
export function murmur3x86_32String(text: string, seed = 0): number {
  // Each UTF-16 code unit becomes at most 3 UTF-8 bytes (a surrogate pair: 2 units, 4 bytes).
  const worstCase = text.length * 3
  if (scratch.length < worstCase) scratch = new Uint8Array(Math.max(worstCase, scratch.length * 2))
  const { written } = encoder.encodeInto(text, scratch)
  return hashPrefix(scratch, written, seed)
}
