/**
 * Any text at all, not only well-formed env files: parsing either gives back exactly the bytes it
 * read, or refuses with a bad_input RampartError naming the file and a line of it. Nothing else
 * may escape (a TypeError here would surface as a stack trace in the console).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EnvFileDocument } from '@main/flags/core/env-file-document'
import { RampartError } from '@shared/errors'

const FILE = '/srv/ops-center/.env'

// Pieces that make env-file lines interesting to a parser: quotes, escapes, comments, `=`, `export`.
const piece = fc.oneof(
  fc.constantFrom('=', ' ', '\t', '#', "'", '"', '\\', '\\"', 'export ', '$', '`', '\r', '\n', '\r\n', '\uFEFF'),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,6}$/),
  fc.string({ maxLength: 6, unit: 'grapheme' })
)
const anyText = fc.oneof(
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join(''))
)

function lineCount(text: string): number {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text
  return body.split('\n').length
}

describe('EnvFileDocument.parse over arbitrary text', () => {
  it('round-trips byte for byte, or refuses with bad_input naming the file and a line in it', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        let document: EnvFileDocument
        try {
          document = EnvFileDocument.parse(text, FILE)
        } catch (error) {
          expect(error).toBeInstanceOf(RampartError)
          const refused = error as RampartError
          expect(refused.code).toBe('bad_input')
          expect(refused.message).toContain(FILE)
          const line = (refused.detail as { line: number }).line
          expect(line).toBeGreaterThanOrEqual(1)
          expect(line).toBeLessThanOrEqual(lineCount(text))
          expect(refused.message).toContain(`line ${line}`)
          return
        }
        expect(Buffer.from(document.toString(), 'utf8').equals(Buffer.from(text, 'utf8'))).toBe(true)
      }),
      { numRuns: 3000 }
    )
  })

  it('sets any value a write accepts on any file it parsed, changing nothing else, or refuses with bad_input', () => {
    fc.assert(
      fc.property(anyText, fc.string({ maxLength: 20, unit: 'grapheme' }), (text, value) => {
        let document: EnvFileDocument
        try {
          document = EnvFileDocument.parse(text, FILE)
        } catch {
          return
        }
        const key = document.keys()[0] ?? 'FEATURE_X'
        let written: string
        try {
          written = document.setValue(key, value)
        } catch (error) {
          expect(error).toBeInstanceOf(RampartError)
          expect((error as RampartError).code).toBe('bad_input')
          expect((error as RampartError).message).toContain(FILE)
          return
        }
        const after = EnvFileDocument.parse(written, FILE)
        expect(after.getValue(key)?.value).toBe(value)
        for (const other of document.keys()) {
          if (other !== key) expect(after.getValue(other)).toEqual(document.getValue(other))
        }
      }),
      { numRuns: 3000 }
    )
  })
})
