import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findJsonSyntaxError } from '@main/platform/core/json-syntax-error'

function parses(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

describe('findJsonSyntaxError', () => {
  it.each([
    ['{"enabled": true, "rollout_percentage": }', 1, 41, 'expected a value but found "}"'],
    [
      '{\n  "enabled": true,\n  "rollout_percentage": 10,\n}\n',
      4,
      1,
      'expected a property name in double quotes but found "}"'
    ],
    [
      '{\n  "enabled": true\n  "rollout_percentage": 10\n}',
      3,
      3,
      'expected "}" after a property value (a "," or "}" is missing) but found "\\""'
    ],
    ['{"enabled": tru}', 1, 13, 'expected a value but found "t"'],
    ['[1, 2,]', 1, 7, 'expected a value but found "]"'],
    ['', 1, 1, 'expected a value but found the end of the file'],
    ['{"a": 1', 1, 8, 'expected "}" after a property value (a "," or "}" is missing) but found the end of the file'],
    ['{"a": 1} x', 1, 10, 'unexpected "x" after the end of the JSON value'],
    ['{"a": "open', 1, 7, 'the string is never closed'],
    ["{'a': 1}", 1, 2, `expected a property name in double quotes but found "'"`],
    ['{"a": 01}', 1, 8, 'expected "}" after a property value (a "," or "}" is missing) but found "1"'],
    ['\uFEFF{}', 1, 1, 'expected a value but found a byte-order mark (save the file as UTF-8 without BOM)']
  ])('locates the error in %j at line %i, column %i', (text, line, column, problem) => {
    expect(parses(text)).toBe(false)
    expect(findJsonSyntaxError(text)).toEqual({ line, column, problem })
  })

  it('finds nothing wrong in valid JSON', () => {
    expect(
      findJsonSyntaxError('{"whitelist_users": ["a\\u00e9", "b\\n"], "x": -1.5e3, "y": [true, false, null]}')
    ).toBeNull()
  })

  it('agrees with JSON.parse on whether any JSON-like text is valid', () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.json().map((text) => text.slice(0, Math.max(0, text.length - 1))),
      fc.stringMatching(/^[\s{}[\]",:0-9a-z\\.+-]{0,30}$/)
    )
    fc.assert(
      fc.property(jsonish, (text) => {
        expect(findJsonSyntaxError(text) === null).toBe(parses(text))
      }),
      { numRuns: 3000 }
    )
  })
})
