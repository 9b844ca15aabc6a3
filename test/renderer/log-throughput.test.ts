/** The Logs page's plain functions for heavy logs: write pieces, rows per line, and how far behind it is. */
import { describe, expect, it } from 'vitest'
import { behindText, lagMs } from '@renderer/logs/log-lag'
import { lineWidths, rowsFor, terminalChunks } from '@renderer/logs/terminal-chunks'

describe('terminalChunks', () => {
  it('cuts at line ends into pieces no longer than asked, losing and reordering nothing', () => {
    const text = Array.from({ length: 500 }, (_, index) => `line ${index} ${'x'.repeat(index % 37)}\r\n`).join('')
    const chunks = terminalChunks(text, 1000)
    expect(chunks.join('')).toBe(text)
    expect(chunks.length).toBeGreaterThan(10)
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(1000)
      expect(chunk.endsWith('\r\n')).toBe(true)
    }
  })

  it('keeps a line longer than a piece whole, in a piece of its own', () => {
    const long = `${'y'.repeat(2500)}\r\n`
    expect(terminalChunks(`a\r\n${long}b\r\n`, 1000)).toEqual(['a\r\n', long, 'b\r\n'])
  })

  it('writes short text in one piece, and nothing for no text', () => {
    expect(terminalChunks('one\r\n', 1000)).toEqual(['one\r\n'])
    expect(terminalChunks('', 1000)).toEqual([])
  })
})

describe('lineWidths and rowsFor', () => {
  it('measures each line without its colour sequences', () => {
    expect(lineWidths('\x1b[2m12:00:00Z\x1b[0m hello\r\n\x1b[31mred\x1b[0m\r\n')).toEqual([15, 3])
  })

  it('counts the rows lines wrap onto at a width, an empty line taking one', () => {
    expect(rowsFor([0, 80, 81, 160, 161], 80)).toEqual(1 + 1 + 2 + 2 + 3)
  })
})

describe('lagMs and behindText', () => {
  const now = Date.parse('2025-11-03T09:00:15.000Z')

  it("reads Docker's nanosecond timestamp to the millisecond", () => {
    expect(lagMs('2025-11-03T09:00:12.700123456Z', now)).toBe(2300)
    expect(lagMs(null, now)).toBeNull()
    expect(lagMs('not a time', now)).toBeNull()
  })

  it('says nothing while the page keeps up, and how far behind it is once it does not', () => {
    expect(behindText(null)).toBeNull()
    expect(behindText(999)).toBeNull()
    expect(behindText(2300)).toBe('Behind: the newest line shown was written 2.3 s ago')
    expect(behindText(95_400)).toBe('Behind: the newest line shown was written 95 s ago')
  })
})
