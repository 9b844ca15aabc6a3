import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ByteLineSplitter } from '@main/guards/core/byte-line-splitter'

const utf8 = new TextEncoder()

function splitAll(chunks: Uint8Array[], maxLineBytes?: number): string[] {
  const splitter = new ByteLineSplitter(maxLineBytes)
  const lines: string[] = []
  for (const chunk of chunks) splitter.push(chunk, lines)
  splitter.end(lines)
  return lines
}

function cutAt(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const cuts = [...new Set(positions.map((position) => position % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const cut of cuts) {
    chunks.push(bytes.slice(start, cut))
    start = cut
  }
  chunks.push(bytes.slice(start))
  return chunks
}

describe('ByteLineSplitter', () => {
  it('gives the lines of the text whatever way the bytes are cut, multi-byte characters included', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'é', '€', '𝄞', '{', '"', ' ', '\r'), maxLength: 30 })
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (lines, positions) => {
          const text = lines.join('\n') + '\n'
          const expected = lines.map((each) => (each.endsWith('\r') ? each.slice(0, -1) : each))
          expect(splitAll(cutAt(utf8.encode(text), positions))).toEqual(expected)
        }
      ),
      { numRuns: 500 }
    )
  })

  it('returns a last line that has no newline at the end of the input', () => {
    expect(splitAll([utf8.encode('one\ntwo')])).toEqual(['one', 'two'])
  })

  it('drops a byte order mark at the start only', () => {
    expect(splitAll([utf8.encode('\uFEFFfirst\n\uFEFFsecond\n')])).toEqual(['first', '\uFEFFsecond'])
  })

  it('cuts an overlong line to its first bytes and skips the rest of it', () => {
    const long = 'x'.repeat(100)
    expect(splitAll(cutAt(utf8.encode(`short\n${long}\nafter\n`), [3, 20, 50, 90]), 16)).toEqual([
      'short',
      'x'.repeat(16),
      'after'
    ])
  })
})
