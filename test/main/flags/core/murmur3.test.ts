import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { murmur3x86_32, murmur3x86_32String } from '@main/flags/core/murmur3'

// Published MurmurHash3 x86_32 vectors, each re-derived with an independent implementation
// of the reference algorithm before being written down here.
const BYTE_VECTORS: Array<{ bytes: number[]; seed: number; hash: number }> = [
  { bytes: [], seed: 0, hash: 0 },
  { bytes: [], seed: 1, hash: 0x514e28b7 },
  { bytes: [], seed: 0xffffffff, hash: 0x81f16f39 },
  { bytes: [0xff, 0xff, 0xff, 0xff], seed: 0, hash: 0x76293b50 },
  { bytes: [0x21, 0x43, 0x65, 0x87], seed: 0, hash: 0xf55b516b },
  { bytes: [0x21, 0x43, 0x65, 0x87], seed: 0x5082edee, hash: 0x2362f9de },
  { bytes: [0x21, 0x43, 0x65], seed: 0, hash: 0x7e4a8634 },
  { bytes: [0x21, 0x43], seed: 0, hash: 0xa0f7b07a },
  { bytes: [0x21], seed: 0, hash: 0x72661cf4 },
  { bytes: [0, 0, 0, 0], seed: 0, hash: 0x2362f9de },
  { bytes: [0, 0, 0], seed: 0, hash: 0x85f0b427 },
  { bytes: [0, 0], seed: 0, hash: 0x30f4c306 },
  { bytes: [0], seed: 0, hash: 0x514e28b7 }
]

const STRING_VECTORS: Array<{ text: string; seed: number; hash: number }> = [
  { text: '', seed: 0, hash: 0 },
  { text: 'hello', seed: 0, hash: 0x248bfa47 },
  { text: 'abc', seed: 0, hash: 0xb3dd93fa },
  { text: 'abcd', seed: 0, hash: 0x43ed676a },
  { text: 'Hello, world!', seed: 1234, hash: 0xfaf6cdb3 },
  { text: 'Hello, world!', seed: 0x9747b28c, hash: 0x24884cba },
  { text: 'aaaa', seed: 0x9747b28c, hash: 0x5a97808a },
  { text: 'The quick brown fox jumps over the lazy dog', seed: 0x9747b28c, hash: 0x2fa826cd },
  { text: 'ππππππππ', seed: 0x9747b28c, hash: 0xd58063c1 },
  { text: 'ユーザー123', seed: 0, hash: 0xd6177bb8 },
  { text: '👩\u200d💻dev', seed: 0, hash: 0x0dbf5b2a },
  { text: 'e\u0301lodie', seed: 0, hash: 0x642be583 },
  { text: '\u00e9lodie', seed: 0, hash: 0xbe9cb732 }
]

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`
}

describe('murmur3x86_32', () => {
  it.each(BYTE_VECTORS.map((v) => ({ ...v, name: `[${v.bytes.map(hex).join(',')}] seed ${hex(v.seed)}` })))(
    'hashes $name to the reference value',
    ({ bytes, seed, hash }) => {
      expect(hex(murmur3x86_32(Uint8Array.from(bytes), seed))).toBe(hex(hash))
    }
  )

  it('uses seed 0 when no seed is given', () => {
    expect(murmur3x86_32(Uint8Array.from([0x21, 0x43, 0x65, 0x87]))).toBe(0xf55b516b)
  })

  it('returns an unsigned 32-bit integer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), (bytes, seed) => {
        const hash = murmur3x86_32(bytes, seed)
        expect(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff).toBe(true)
      })
    )
  })
})

describe('murmur3x86_32String', () => {
  it.each(STRING_VECTORS.map((v) => ({ ...v, name: JSON.stringify(v.text) })))(
    'hashes the UTF-8 bytes of $name to the reference value',
    ({ text, seed, hash }) => {
      expect(hex(murmur3x86_32String(text, seed))).toBe(hex(hash))
    }
  )

  it('equals the byte hash of the UTF-8 encoding for any string, lone surrogates included', () => {
    const anyCodeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) })
    const anyText = fc.oneof(fc.string({ unit: 'binary' }), anyCodeUnits, fc.string())
    fc.assert(
      fc.property(anyText, fc.nat(), (text, seed) => {
        expect(murmur3x86_32String(text, seed)).toBe(murmur3x86_32(Buffer.from(text, 'utf8'), seed))
      }),
      { numRuns: 2000 }
    )
  })

  it('is not affected by a longer string hashed before it', () => {
    const before = murmur3x86_32String('hello')
    murmur3x86_32String('用'.repeat(100_000))
    expect(murmur3x86_32String('hello')).toBe(before)
    expect(before).toBe(0x248bfa47)
  })

  it('hashes 100,000-character strings to the reference value', () => {
    expect(hex(murmur3x86_32String('用'.repeat(100_000)))).toBe(hex(0xb4d419f9))
    expect(hex(murmur3x86_32String('😀'.repeat(50_000)))).toBe(hex(0x7de8de20))
  })
})
