import { RampartError } from '@shared/errors'

type LineEnding = '\n' | '\r\n' | ''
export type ValueQuoting = 'none' | 'single' | 'double'

/** `KEY=value`, kept as the exact pieces it was written in so untouched parts are re-emitted byte for byte. */
export interface EnvAssignmentLine {
  kind: 'assignment'
  /** 1-based. */
  number: number
  /** Everything before the value: indentation, `export `, the key, `=` and the spacing around it. */
  head: string
  exported: boolean
  key: string
  quoting: ValueQuoting
  /** The value as written, quotes and escapes included. */
  rawValue: string
  /** The value as a program reading the file sees it. */
  value: string
  /** White space and an inline comment after the value. */
  tail: string
  ending: LineEnding
}

interface EnvTextLine {
  kind: 'blank' | 'comment'
  number: number
  text: string
  ending: LineEnding
}

export type EnvLine = EnvAssignmentLine | EnvTextLine

export interface EnvValue {
  value: string
  /** 1-based line number in the file. */
  line: number
}

/** Anything values can be looked up in: a parsed env file, or a test's stand-in. */
export interface EnvValues {
  /** The file the values came from, for messages. */
  readonly origin: string
  getValue(key: string): EnvValue | undefined
}

const BYTE_ORDER_MARK = '\uFEFF'
// Dotenv parsers accept dots and dashes in names; shells do not, but reading must not refuse what the service reads.
const ASSIGNMENT_HEAD = /^([ \t]*)(export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)([ \t]*=)/
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/
const AFTER_QUOTE = /^[ \t]*(#[^]*)?$/
const INLINE_COMMENT = /[ \t]+#/
// Characters that mean the same thing unquoted to dotenv parsers and to a shell that sources the file.
const UNQUOTED_SAFE = /^[A-Za-z0-9_@%+=:,./-]*$/

/**
 * An env file as an ordered list of lines that keeps every byte, so a write can change one value and
 * leave comments, order, quoting, `export` prefixes and line endings of everything else as they were.
 *
 * Values sit on one line each: a quote that does not close on its own line is an error rather than the
 * start of a multi-line value, because a stray quote silently swallowing the next lines is worse.
 */
export class EnvFileDocument implements EnvValues {
  private readonly byKey: Map<string, EnvAssignmentLine>

  private constructor(
    readonly origin: string,
    private readonly byteOrderMark: string,
    readonly lines: readonly EnvLine[]
  ) {
    this.byKey = new Map()
    for (const line of lines) {
      if (line.kind === 'assignment') this.byKey.set(line.key, line)
    }
  }

  /** `origin` names the file in error messages. Throws a `bad_input` RampartError naming file, line and variable. */
  static parse(text: string, origin: string): EnvFileDocument {
    const byteOrderMark = text.startsWith(BYTE_ORDER_MARK) ? BYTE_ORDER_MARK : ''
    const lines = splitLines(text.slice(byteOrderMark.length)).map(({ content, ending }, index) =>
      parseLine(content, ending, index + 1, origin)
    )
    rejectDuplicateKeys(lines, origin)
    return new EnvFileDocument(origin, byteOrderMark, lines)
  }

  keys(): string[] {
    return [...this.byKey.keys()]
  }

  getValue(key: string): EnvValue | undefined {
    const line = this.byKey.get(key)
    return line === undefined ? undefined : { value: line.value, line: line.number }
  }

  /** The file's text with one variable set; see `setValues`. */
  setValue(key: string, value: string): string {
    return this.setValues({ [key]: value })
  }

  /**
   * The file's text with the given variables set. Only the value part of each targeted line changes; the
   * line keeps its quoting when the new value can be written in it, and its `export`, comment and line
   * ending. Variables the file lacks are appended at the end, in the order given.
   */
  setValues(changes: Readonly<Record<string, string>>): string {
    const replaced = new Map<number, string>()
    const appended: string[] = []
    const ending = this.dominantLineEnding()
    const exportPrefix = this.mostlyExported() ? 'export ' : ''
    for (const [key, value] of Object.entries(changes)) {
      this.rejectUnwritableValue(key, value)
      const line = this.byKey.get(key)
      if (line === undefined) {
        appended.push(`${exportPrefix}${key}=${this.quoteValue(key, value, 'none')}${ending}`)
      } else {
        const rawValue = this.quoteValue(key, value, line.quoting)
        replaced.set(line.number, `${line.head}${rawValue}${line.tail}${line.ending}`)
      }
    }
    const body = this.lines.map((line) => replaced.get(line.number) ?? renderLine(line))
    const last = this.lines.at(-1)
    if (appended.length > 0 && last !== undefined && last.ending === '') {
      // The file had no final newline; the new line must not be glued onto the last one.
      body[body.length - 1] += ending
    }
    return this.byteOrderMark + body.join('') + appended.join('')
  }

  toString(): string {
    return this.byteOrderMark + this.lines.map(renderLine).join('')
  }

  private dominantLineEnding(): '\n' | '\r\n' {
    let crlf = 0
    let lf = 0
    for (const line of this.lines) {
      if (line.ending === '\r\n') crlf += 1
      else if (line.ending === '\n') lf += 1
    }
    return crlf > lf ? '\r\n' : '\n'
  }

  private mostlyExported(): boolean {
    const assignments = this.lines.filter((line): line is EnvAssignmentLine => line.kind === 'assignment')
    const exported = assignments.filter((line) => line.exported).length
    return exported * 2 > assignments.length
  }

  private rejectUnwritableValue(key: string, value: string): void {
    if (!VARIABLE_NAME.test(key)) {
      throw new RampartError('bad_input', `"${key}" is not a valid variable name for ${this.origin}`, {
        file: this.origin,
        variable: key
      })
    }
    if (/[\r\n]/.test(value)) {
      throw new RampartError(
        'bad_input',
        `the new value of ${key} for ${this.origin} contains a line break; an env file holds one line per variable`,
        { file: this.origin, variable: key }
      )
    }
  }

  /** Writes the value in the preferred quoting if it fits, else in the quoting that means the same to every reader. */
  private quoteValue(key: string, value: string, preferred: ValueQuoting): string {
    const order: ValueQuoting[] =
      preferred === 'none'
        ? ['none', 'single', 'double']
        : preferred === 'single'
          ? ['single', 'double']
          : ['double', 'single']
    for (const quoting of order) {
      const written = writeInQuoting(value, quoting)
      if (written !== undefined) return written
    }
    throw new RampartError(
      'bad_input',
      `the new value of ${key} for ${this.origin} holds both a single quote and a $ or backtick; ` +
        'it cannot be written so that shells and dotenv readers agree',
      { file: this.origin, variable: key }
    )
  }
}

function writeInQuoting(value: string, quoting: ValueQuoting): string | undefined {
  switch (quoting) {
    case 'none':
      return UNQUOTED_SAFE.test(value) ? value : undefined
    case 'single':
      return value.includes("'") ? undefined : `'${value}'`
    case 'double':
      // A shell expands $ and backticks inside double quotes; dotenv readers do not. Avoid the disagreement.
      return /[$`]/.test(value) ? undefined : `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
  }
}

function splitLines(text: string): { content: string; ending: LineEnding }[] {
  const lines: { content: string; ending: LineEnding }[] = []
  let start = 0
  while (start < text.length) {
    const newline = text.indexOf('\n', start)
    if (newline === -1) {
      lines.push({ content: text.slice(start), ending: '' })
      break
    }
    const crlf = newline > start && text[newline - 1] === '\r'
    lines.push({ content: text.slice(start, crlf ? newline - 1 : newline), ending: crlf ? '\r\n' : '\n' })
    start = newline + 1
  }
  return lines
}

function parseLine(content: string, ending: LineEnding, number: number, origin: string): EnvLine {
  if (/^[ \t]*$/.test(content)) return { kind: 'blank', number, text: content, ending }
  if (/^[ \t]*#/.test(content)) return { kind: 'comment', number, text: content, ending }
  const head = ASSIGNMENT_HEAD.exec(content)
  if (head === null) {
    const shown = content.length > 60 ? `${content.slice(0, 60)}…` : content
    throw new RampartError(
      'bad_input',
      `${origin} line ${number} is not a KEY=value assignment, a comment or a blank line: ${JSON.stringify(shown)}`,
      { file: origin, line: number }
    )
  }
  const key = head[3] ?? ''
  const exported = head[2] !== undefined
  const rest = content.slice(head[0].length)
  const value = parseValue(rest, { key, number, origin })
  return {
    kind: 'assignment',
    number,
    head: head[0] + value.spacing,
    exported,
    key,
    quoting: value.quoting,
    rawValue: value.rawValue,
    value: value.value,
    tail: value.tail,
    ending
  }
}

interface ParsedValue {
  /** White space between `=` and the value, when it belongs to the head. */
  spacing: string
  quoting: ValueQuoting
  rawValue: string
  value: string
  tail: string
}

interface LinePosition {
  key: string
  number: number
  origin: string
}

function parseValue(rest: string, at: LinePosition): ParsedValue {
  const spacing = /^[ \t]*/.exec(rest)?.[0] ?? ''
  const afterSpacing = rest.slice(spacing.length)
  if (afterSpacing.startsWith("'") || afterSpacing.startsWith('"')) {
    return { spacing, ...parseQuotedValue(afterSpacing, at) }
  }
  // `#` after white space starts a comment, including right after `=`: `KEY= # note` is an empty value.
  const comment = INLINE_COMMENT.exec(rest)
  const beforeComment = comment === null ? rest : rest.slice(0, comment.index)
  const value = beforeComment.slice(spacing.length).replace(/[ \t]+$/, '')
  if (value === '') return { spacing: '', quoting: 'none', rawValue: '', value: '', tail: rest }
  return {
    spacing,
    quoting: 'none',
    rawValue: value,
    value,
    tail: rest.slice(spacing.length + value.length)
  }
}

function parseQuotedValue(text: string, at: LinePosition): Omit<ParsedValue, 'spacing'> {
  const quote = text[0]
  let close = -1
  if (quote === "'") {
    close = text.indexOf("'", 1)
  } else {
    for (let i = 1; i < text.length; i += 1) {
      if (text[i] === '\\') i += 1
      else if (text[i] === '"') {
        close = i
        break
      }
    }
  }
  if (close === -1) {
    throw new RampartError(
      'bad_input',
      `${at.key} in ${at.origin} line ${at.number} has an unterminated ${quote} quote ` +
        '(values must close their quote on the same line)',
      { file: at.origin, line: at.number, variable: at.key }
    )
  }
  const tail = text.slice(close + 1)
  if (!AFTER_QUOTE.test(tail)) {
    throw new RampartError(
      'bad_input',
      `${at.key} in ${at.origin} line ${at.number} has text after its closing ${quote} quote: ${JSON.stringify(tail)}`,
      { file: at.origin, line: at.number, variable: at.key }
    )
  }
  const inner = text.slice(1, close)
  return {
    quoting: quote === "'" ? 'single' : 'double',
    rawValue: text.slice(0, close + 1),
    value: quote === "'" ? inner : unescapeDoubleQuoted(inner),
    tail
  }
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' }

/** The escapes dotenv readers agree on; any other backslash is kept as written. */
function unescapeDoubleQuoted(inner: string): string {
  return inner.replace(/\\([^])/g, (sequence, c: string) => ESCAPES[c] ?? sequence)
}

function rejectDuplicateKeys(lines: readonly EnvLine[], origin: string): void {
  const firstLine = new Map<string, number>()
  for (const line of lines) {
    if (line.kind !== 'assignment') continue
    const first = firstLine.get(line.key)
    if (first !== undefined) {
      throw new RampartError(
        'bad_input',
        `${line.key} is set twice in ${origin} (line ${first} and line ${line.number}); ` +
          'readers disagree on which wins, so remove one',
        { file: origin, line: line.number, variable: line.key, firstLine: first }
      )
    }
    firstLine.set(line.key, line.number)
  }
}

function renderLine(line: EnvLine): string {
  return line.kind === 'assignment'
    ? `${line.head}${line.rawValue}${line.tail}${line.ending}`
    : `${line.text}${line.ending}`
}
