/**
 * Where a JSON text first breaks the grammar (RFC 8259), as a line and column an operator can go
 * to. JSON.parse only sometimes says where ("Unexpected token '}', ... is not valid JSON" has no
 * position on Node 20), so the text is scanned here instead.
 */
export interface JsonSyntaxError {
  /** 1-based. */
  line: number
  /** 1-based, in UTF-16 code units like an editor's column. */
  column: number
  problem: string
}

/** The first syntax error in `text`, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const scanner = new JsonScanner(text)
  try {
    scanner.document()
    return null
  } catch (error) {
    if (!(error instanceof JsonSyntaxFailure)) throw error
    return { ...lineAndColumn(text, error.offset), problem: error.problem }
  }
}

class JsonSyntaxFailure extends Error {
  constructor(
    readonly offset: number,
    readonly problem: string
  ) {
    super(problem)
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't'])

class JsonScanner {
  private at = 0

  constructor(private readonly text: string) {}

  document(): void {
    this.skipWhitespace()
    this.value()
    this.skipWhitespace()
    if (this.at < this.text.length) this.fail(`unexpected ${this.describeHere()} after the end of the JSON value`)
  }

  private value(): void {
    const char = this.text[this.at]
    if (char === '{') return this.object()
    if (char === '[') return this.array()
    if (char === '"') return this.string()
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.number()
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length
        return
      }
    }
    this.fail(`expected a value but found ${this.describeHere()}`)
  }

  private object(): void {
    this.at += 1
    this.skipWhitespace()
    if (this.text[this.at] === '}') {
      this.at += 1
      return
    }
    for (;;) {
      this.skipWhitespace()
      if (this.text[this.at] !== '"') {
        this.fail(`expected a property name in double quotes but found ${this.describeHere()}`)
      }
      this.string()
      this.skipWhitespace()
      this.expect(':', 'after a property name')
      this.skipWhitespace()
      this.value()
      this.skipWhitespace()
      if (this.text[this.at] === ',') {
        this.at += 1
        continue
      }
      this.expect('}', 'after a property value (a "," or "}" is missing)')
      return
    }
  }

  private array(): void {
    this.at += 1
    this.skipWhitespace()
    if (this.text[this.at] === ']') {
      this.at += 1
      return
    }
    for (;;) {
      this.skipWhitespace()
      this.value()
      this.skipWhitespace()
      if (this.text[this.at] === ',') {
        this.at += 1
        continue
      }
      this.expect(']', 'after a list item (a "," or "]" is missing)')
      return
    }
  }

  private string(): void {
    const start = this.at
    this.at += 1
    for (;;) {
      const char = this.text[this.at]
      if (char === undefined) this.fail('the string is never closed', start)
      if (char === '"') {
        this.at += 1
        return
      }
      if (char === '\\') {
        const escaped = this.text[this.at + 1]
        if (escaped === 'u') {
          if (!/^[0-9A-Fa-f]{4}$/.test(this.text.slice(this.at + 2, this.at + 6)))
            this.fail('"\\u" needs four hex digits')
          this.at += 6
          continue
        }
        if (escaped === undefined || !ESCAPES.has(escaped)) this.fail(`"\\${escaped ?? ''}" is not a JSON escape`)
        this.at += 2
        continue
      }
      if (char < ' ') this.fail('a control character (such as a line break) must be escaped inside a string')
      this.at += 1
    }
  }

  private number(): void {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.at))
    if (match === null) this.fail(`expected a number but found ${this.describeHere()}`)
    this.at += match[0].length
  }

  private expect(char: string, context: string): void {
    if (this.text[this.at] !== char) this.fail(`expected "${char}" ${context} but found ${this.describeHere()}`)
    this.at += 1
  }

  private skipWhitespace(): void {
    while (this.at < this.text.length && WHITESPACE.has(this.text[this.at]!)) this.at += 1
  }

  private describeHere(): string {
    const char = this.text[this.at]
    if (char === undefined) return 'the end of the file'
    if (char === '\uFEFF') return 'a byte-order mark (save the file as UTF-8 without BOM)'
    return JSON.stringify(char)
  }

  private fail(problem: string, offset = this.at): never {
    throw new JsonSyntaxFailure(offset, problem)
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return { line, column: offset - before.lastIndexOf('\n') }
}
