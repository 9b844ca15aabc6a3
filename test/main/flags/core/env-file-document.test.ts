import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EnvFileDocument, type EnvAssignmentLine, type EnvLine } from '@main/flags/core/env-file-document'
import { RampartError } from '@shared/errors'
import { MIXED_ENV_TEXT } from '@test/fixtures/env-file-text'

const FILE = '/srv/ops-center/.env'

function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8')
}

function parse(text: string): EnvFileDocument {
  return EnvFileDocument.parse(text, FILE)
}

function parseError(text: string): RampartError {
  try {
    parse(text)
  } catch (error) {
    if (error instanceof RampartError) return error
    throw error
  }
  throw new Error('expected the text to be refused')
}

function renderLine(line: EnvLine): string {
  return line.kind === 'assignment' ? line.head + line.rawValue + line.tail + line.ending : line.text + line.ending
}

describe('parsing', () => {
  it('gives back the exact text it read, byte for byte', () => {
    expect(bytes(parse(MIXED_ENV_TEXT).toString()).equals(bytes(MIXED_ENV_TEXT))).toBe(true)
  })

  it('records each line ending as LF, CRLF, or none for a last line without a newline', () => {
    const endings = parse(MIXED_ENV_TEXT).lines.map((line) => line.ending)
    expect(endings.slice(0, 6)).toEqual(['\n', '\n', '\r\n', '\n', '\r\n', '\r\n'])
    expect(endings.at(-1)).toBe('')
  })

  it('decodes unquoted, single-quoted and double-quoted values with their 1-based line numbers', () => {
    const document = parse(MIXED_ENV_TEXT)
    expect(document.getValue('FEATURE_UNIFIED_LLM_HUB')).toEqual({ value: 'true', line: 8 })
    expect(document.getValue('FEATURE_LLM_HUB_ROLLOUT')).toEqual({ value: '10', line: 9 })
    expect(document.getValue('FEATURE_LLM_HUB_WHITELIST')).toEqual({
      value: 'admin@your-domain.com,admin@example.com',
      line: 10
    })
    expect(document.getValue('FEATURE_LLM_HUB_START_DATE')).toEqual({ value: '2025-10-27', line: 12 })
    expect(document.getValue('REDIS_URL')).toEqual({ value: 'redis://localhost:6379/1', line: 4 })
    expect(document.getValue('GREETING')).toEqual({ value: 'say "hi"\tthen wait', line: 14 })
    expect(document.getValue('LOG_LEVEL')).toEqual({ value: 'DEBUG', line: 15 })
  })

  it('reads white space then # after an unquoted value, even right after =, as a comment', () => {
    const document = parse('A=1 # one\nB= # nothing\nC=a#b\n')
    expect(document.getValue('A')?.value).toBe('1')
    expect(document.getValue('B')?.value).toBe('')
    expect(document.getValue('C')?.value).toBe('a#b')
  })

  it('reports a missing variable as undefined', () => {
    expect(parse(MIXED_ENV_TEXT).getValue('FEATURE_NOT_THERE')).toBeUndefined()
  })

  it('keeps a UTF-8 byte order mark and still reads the first variable', () => {
    const text = '\uFEFFFEATURE_X=true\n'
    const document = parse(text)
    expect(document.getValue('FEATURE_X')).toEqual({ value: 'true', line: 1 })
    expect(document.setValue('FEATURE_X', 'false')).toBe('\uFEFFFEATURE_X=false\n')
  })

  it('refuses a duplicated key, naming the file, both lines and the variable', () => {
    const error = parseError('A=1\nFEATURE_LLM_HUB_ROLLOUT=10\n# c\nFEATURE_LLM_HUB_ROLLOUT=25\n')
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain(FILE)
    expect(error.message).toContain('FEATURE_LLM_HUB_ROLLOUT')
    expect(error.message).toContain('line 2 and line 4')
    expect(error.detail).toMatchObject({ file: FILE, line: 4, variable: 'FEATURE_LLM_HUB_ROLLOUT' })
  })

  it('counts a key with and without export as the same key', () => {
    expect(parseError('export A=1\nA=2\n').message).toContain('A is set twice')
  })

  it.each([
    ['a double quote', 'A=1\r\nFEATURE_LLM_HUB_WHITELIST="admin@example.com\r\nB=2\r\n', '"'],
    ['a single quote', "A=1\nFEATURE_LLM_HUB_WHITELIST='admin@example.com\n", "'"],
    ['a double quote ending in an escaped quote', 'A=1\nFEATURE_LLM_HUB_WHITELIST="admin\\"\n', '"']
  ])('refuses %s left unterminated, naming the file, line and variable', (_, text, quote) => {
    const error = parseError(text)
    expect(error.code).toBe('bad_input')
    expect(error.message).toBe(
      `FEATURE_LLM_HUB_WHITELIST in ${FILE} line 2 has an unterminated ${quote} quote ` +
        '(values must close their quote on the same line)'
    )
    expect(error.detail).toEqual({ file: FILE, line: 2, variable: 'FEATURE_LLM_HUB_WHITELIST' })
  })

  it('refuses text after a closing quote that is not a comment', () => {
    const error = parseError("A='x'y\n")
    expect(error.message).toContain(`A in ${FILE} line 1 has text after its closing ' quote`)
  })

  it('refuses a line that is neither an assignment, a comment nor blank', () => {
    const error = parseError('A=1\n\nexport FEATURE_X\n')
    expect(error.message).toContain(`${FILE} line 3 is not a KEY=value assignment`)
    expect(error.message).toContain('export FEATURE_X')
  })
})

describe('setting values', () => {
  it('changes only the targeted value in a mixed file; every other byte stays', () => {
    const written = parse(MIXED_ENV_TEXT).setValue('FEATURE_LLM_HUB_ROLLOUT', '25')
    const expected = MIXED_ENV_TEXT.replace('FEATURE_LLM_HUB_ROLLOUT = 10 #', 'FEATURE_LLM_HUB_ROLLOUT = 25 #')
    expect(expected).not.toBe(MIXED_ENV_TEXT)
    expect(bytes(written).equals(bytes(expected))).toBe(true)
  })

  it('keeps single quotes, double quotes, export and the CRLF ending of the lines it changes', () => {
    const written = parse(MIXED_ENV_TEXT).setValues({
      FEATURE_LLM_HUB_WHITELIST: 'admin@example.com',
      FEATURE_LLM_HUB_START_DATE: '2025-11-01',
      FEATURE_LLM_HUB_BLACKLIST: 'mallory@example.com'
    })
    const expected = MIXED_ENV_TEXT.replace(
      "FEATURE_LLM_HUB_WHITELIST='admin@your-domain.com,admin@example.com'\n",
      "FEATURE_LLM_HUB_WHITELIST='admin@example.com'\n"
    )
      .replace('export FEATURE_LLM_HUB_START_DATE="2025-10-27"\n', 'export FEATURE_LLM_HUB_START_DATE="2025-11-01"\n')
      .replace('FEATURE_LLM_HUB_BLACKLIST=\r\n', 'FEATURE_LLM_HUB_BLACKLIST=mallory@example.com\r\n')
    expect(bytes(written).equals(bytes(expected))).toBe(true)
  })

  it('fills an empty value in front of its inline comment', () => {
    const written = parse(MIXED_ENV_TEXT).setValue('FEATURE_LLM_HUB_END_DATE', '2025-12-31')
    expect(written).toContain('FEATURE_LLM_HUB_END_DATE=2025-12-31 # open-ended\n')
    expect(parse(written).getValue('FEATURE_LLM_HUB_END_DATE')?.value).toBe('2025-12-31')
  })

  it('empties a value without turning its inline comment into the value', () => {
    const written = parse('FEATURE_X_END_DATE=2025-12-31 # last day\n').setValue('FEATURE_X_END_DATE', '')
    expect(written).toBe('FEATURE_X_END_DATE= # last day\n')
    expect(parse(written).getValue('FEATURE_X_END_DATE')?.value).toBe('')
  })

  it('quotes a value that unquoted would read differently, in single quotes', () => {
    const written = parse('NOTE=x # why\n').setValue('NOTE', 'two words')
    expect(written).toBe("NOTE='two words' # why\n")
  })

  it('switches a single-quoted value holding a quote to double quotes, escaping as needed', () => {
    const written = parse("NOTE='x'\n").setValue('NOTE', `it's a "test" \\ ok`)
    expect(written).toBe('NOTE="it\'s a \\"test\\" \\\\ ok"\n')
    expect(parse(written).getValue('NOTE')?.value).toBe(`it's a "test" \\ ok`)
  })

  it('switches a double-quoted value holding a $ to single quotes so a shell does not expand it', () => {
    expect(parse('NOTE="x"\n').setValue('NOTE', 'costs $5')).toBe("NOTE='costs $5'\n")
  })

  it("refuses a value holding both ' and $, which no quoting writes the same for shells and dotenv", () => {
    expect(() => parse('NOTE=x\n').setValue('NOTE', "it's $5")).toThrow(/NOTE .*both a single quote and a \$/)
  })

  it.each(['a\nb', 'a\r\nb', 'a\rb'])('refuses a value with a line break (%j), naming the variable', (value) => {
    expect(() => parse('A=1\n').setValue('A', value)).toThrow(`the new value of A for ${FILE} contains a line break`)
  })

  it('leaves a value that is already written the same as it was', () => {
    expect(parse(MIXED_ENV_TEXT).setValue('LOG_LEVEL', 'DEBUG')).toBe(MIXED_ENV_TEXT)
  })

  it('appends a missing variable after adding the final newline the file lacked, in its dominant CRLF', () => {
    const text = 'A=1\r\nB=2\r\n# note\nC=3'
    expect(parse(text).setValue('FEATURE_X_ROLLOUT', '10')).toBe(
      'A=1\r\nB=2\r\n# note\nC=3\r\nFEATURE_X_ROLLOUT=10\r\n'
    )
  })

  it('appends with LF in a file that mostly uses LF and already ends with a newline', () => {
    const text = 'A=1\nB=2\r\nC=3\n'
    expect(parse(text).setValue('D', '4')).toBe('A=1\nB=2\r\nC=3\nD=4\n')
  })

  it('appends with export when most variables in the file are exported', () => {
    const text = 'export A=1\nexport B=2\nC=3\n'
    expect(parse(text).setValue('D', '4')).toBe('export A=1\nexport B=2\nC=3\nexport D=4\n')
  })

  it('appends several missing variables in the order given', () => {
    expect(parse('').setValues({ B: '2', A: '1' })).toBe('B=2\nA=1\n')
  })

  it('refuses to append a name that is not a variable name', () => {
    expect(() => parse('A=1\n').setValue('BAD NAME', '1')).toThrow(
      `"BAD NAME" is not a valid variable name for ${FILE}`
    )
  })
})

// ---- property: random documents, random changes --------------------------------------------------

const lineEnding = fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n')
const indent = fc.constantFrom('', ' ', '\t', '  ')
const commentText = fc.string({ maxLength: 12 }).filter((text) => !/[\r\n]/.test(text))
const safeUnquoted = fc.stringMatching(/^[A-Za-z0-9_@%+=:,./-]{0,10}$/)
// Unquoted values read by the parser may hold characters a writer would quote, as long as they
// cannot start a quote or comment.
const readableUnquoted = fc.stringMatching(/^([A-Za-z0-9_@:,./-][A-Za-z0-9_@:,./#$'"-]{0,10})?$/)
const lineFreeText = fc.string({ maxLength: 10 }).filter((text) => !/[\r\n]/.test(text))

interface AssignmentSpec {
  indent: string
  exported: boolean
  separator: string
  raw: string
  tail: string
}

const rawValue = fc.oneof(
  readableUnquoted,
  lineFreeText.filter((text) => !text.includes("'")).map((text) => `'${text}'`),
  lineFreeText.map((text) => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`)
)

const assignment = fc.record<AssignmentSpec>({
  indent,
  exported: fc.boolean(),
  separator: fc.constantFrom('=', ' = ', '= ', ' =', '\t=\t'),
  raw: rawValue,
  tail: fc.constantFrom('', '  ', ' # note', '\t# a # b', ' #')
})

type LineSpec =
  { kind: 'blank'; text: string } | { kind: 'comment'; text: string } | { kind: 'assignment'; spec: AssignmentSpec }

const lineSpec = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t ').map((text): LineSpec => ({ kind: 'blank', text })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(indent, commentText)
      .map(([pad, text]): LineSpec => ({ kind: 'comment', text: `${pad}#${text}` }))
  },
  { weight: 3, arbitrary: assignment.map((spec): LineSpec => ({ kind: 'assignment', spec })) }
)

const keyName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,6}$/)

/** A document as text, and the keys it assigns. */
const documentText = fc
  .tuple(
    fc.array(fc.tuple(lineSpec, lineEnding), { maxLength: 12 }),
    fc.uniqueArray(keyName, { minLength: 12, maxLength: 12 }),
    fc.boolean()
  )
  .map(([lines, keys, finalNewline]) => {
    const assigned: string[] = []
    const text = lines
      .map(([line, ending], index) => {
        const end = index === lines.length - 1 && !finalNewline ? '' : ending
        if (line.kind !== 'assignment') return line.text + end
        const key = keys[index]!
        assigned.push(key)
        const { spec } = line
        return `${spec.indent}${spec.exported ? 'export ' : ''}${key}${spec.separator}${spec.raw}${spec.tail}${end}`
      })
      .join('')
    return { text, assigned, spareKeys: keys.filter((key) => !assigned.includes(key)) }
  })

// Values a write accepts: no line breaks, and never both ' and a character a shell expands in double quotes.
const writableValue = fc
  .oneof(safeUnquoted, lineFreeText)
  .filter((value) => !(value.includes("'") && /[$`]/.test(value)))

const documentWithChanges = documentText.chain(({ text, assigned, spareKeys }) =>
  fc
    .tuple(
      fc.subarray(assigned),
      fc.subarray(spareKeys, { maxLength: 2 }),
      fc.array(writableValue, { minLength: 14, maxLength: 14 })
    )
    .map(([existing, added, values]) => {
      const changes: Record<string, string> = {}
      ;[...existing, ...added].forEach((key, index) => {
        changes[key] = values[index]!
      })
      return { text, changes, added }
    })
)

function commentOf(line: EnvAssignmentLine): string {
  const hash = line.tail.indexOf('#')
  return hash === -1 ? '' : line.tail.slice(hash)
}

describe('setting values, for random documents and random changes', () => {
  it('reads back the exact text it parsed', () => {
    fc.assert(
      fc.property(documentText, ({ text }) => {
        expect(parse(text).toString()).toBe(text)
      })
    )
  })

  it('leaves every line it does not target byte for byte, and sets each target to the new value', () => {
    fc.assert(
      fc.property(documentWithChanges, ({ text, changes, added }) => {
        const before = parse(text)
        const after = parse(before.setValues(changes))
        expect(after.lines).toHaveLength(before.lines.length + added.length)

        before.lines.forEach((line, index) => {
          const now = after.lines[index]!
          const isLast = index === before.lines.length - 1
          const gainedNewline = isLast && added.length > 0 && line.ending === ''
          if (line.kind === 'assignment' && Object.hasOwn(changes, line.key)) {
            expect(now).toMatchObject({
              kind: 'assignment',
              key: line.key,
              exported: line.exported,
              value: changes[line.key]
            })
            expect(commentOf(now as EnvAssignmentLine)).toBe(commentOf(line))
            if (!gainedNewline) expect(now.ending).toBe(line.ending)
          } else if (gainedNewline) {
            expect(renderLine(now).startsWith(renderLine(line))).toBe(true)
          } else {
            expect(bytes(renderLine(now)).equals(bytes(renderLine(line)))).toBe(true)
          }
        })
        for (const key of added) expect(after.getValue(key)?.value).toBe(changes[key])
      })
    )
  })

  it('keeps a changed line in its own quoting whenever the new value can be written in it', () => {
    fc.assert(
      fc.property(documentWithChanges, ({ text, changes }) => {
        const before = parse(text)
        const after = parse(before.setValues(changes))
        for (const line of before.lines) {
          if (line.kind !== 'assignment' || !Object.hasOwn(changes, line.key)) continue
          const value = changes[line.key]!
          const fits =
            line.quoting === 'none'
              ? /^[A-Za-z0-9_@%+=:,./-]*$/.test(value)
              : line.quoting === 'single'
                ? !value.includes("'")
                : !/[$`]/.test(value)
          const now = after.lines[line.number - 1] as EnvAssignmentLine
          if (fits) expect(now.quoting).toBe(line.quoting)
        }
      })
    )
  })
})
