/**
 * Splits PostgreSQL script text into statements the way psql does: a semicolon ends a statement
 * unless it is inside a '…' string ('' escapes; E'…' also \ escapes), a "quoted identifier",
 * a -- comment or a (nested) block comment, a $tag$ dollar-quoted body, or the BEGIN … END body of a
 * SQL-standard CREATE FUNCTION/PROCEDURE.
 */

export interface SqlStatement {
  /** The statement's text without the terminating semicolon, comments kept. */
  text: string
  /** 1-based line of the statement's first significant character. */
  line: number
  /** Offsets into the input: first significant character, and just past the last character before `;`/end. */
  start: number
  end: number
  /** The first few words, upper-cased, comments and quoting skipped (e.g. ["CREATE", "INDEX", "CONCURRENTLY"]). */
  leadingWords: string[]
}

interface UnterminatedToken {
  kind: 'string' | 'identifier' | 'comment' | 'dollar-quote'
  /** 1-based line where it opened. */
  line: number
  /** What opened it: `'`, `E'`, `"`, `/*`, or the `$tag$`. */
  opener: string
}

export interface SqlSplit {
  statements: SqlStatement[]
  /** Set when the text ends inside a string, identifier, comment or dollar quote. */
  unterminated: UnterminatedToken | null
}

const LEADING_WORDS_KEPT = 6

/** Characters that may continue an identifier; `$` included, so `a$b$` is a name, not a quote. */
function isIdentifierChar(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9_$\u0080-\uFFFF]/.test(char)
}

function isIdentifierStart(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z_\u0080-\uFFFF]/.test(char)
}

/** A dollar-quote opener at `index` (`$$` or `$tag$`), or null. */
function dollarTagAt(text: string, index: number): string | null {
  const match = /^\$([A-Za-z_\u0080-\uFFFF][A-Za-z0-9_\u0080-\uFFFF]*)?\$/.exec(text.slice(index, index + 200))
  return match === null ? null : match[0]
}

export function splitSqlStatements(text: string): SqlSplit {
  const statements: SqlStatement[] = []
  let line = 1
  let index = 0

  // The statement being read.
  let start = -1
  let startLine = 0
  let words: string[] = []
  // BEGIN/CASE … END nesting outside parentheses, counted only in CREATE FUNCTION/PROCEDURE, as psql does.
  let blockDepth = 0
  let parenDepth = 0

  const finish = (endIndex: number): void => {
    if (start >= 0) {
      let end = endIndex
      while (end > start && /\s/.test(text[end - 1]!)) end--
      statements.push({ text: text.slice(start, end), line: startLine, start, end, leadingWords: words })
    }
    start = -1
    words = []
    blockDepth = 0
    parenDepth = 0
  }
  const mark = (at: number, atLine: number): void => {
    if (start < 0) {
      start = at
      startLine = atLine
    }
  }
  const isRoutineDefinition = (): boolean => {
    if (words[0] !== 'CREATE') return false
    const rest = words[1] === 'OR' && words[2] === 'REPLACE' ? words.slice(3) : words.slice(1)
    return rest[0] === 'FUNCTION' || rest[0] === 'PROCEDURE'
  }

  while (index < text.length) {
    const char = text[index]!
    const next = text[index + 1]

    if (char === '\n') {
      line++
      index++
      continue
    }
    if (/\s/.test(char)) {
      index++
      continue
    }

    // -- comment to the end of the line
    if (char === '-' && next === '-') {
      while (index < text.length && text[index] !== '\n') index++
      continue
    }

    // /* comment */, nested
    if (char === '/' && next === '*') {
      const openLine = line
      let depth = 1
      index += 2
      while (index < text.length && depth > 0) {
        if (text[index] === '/' && text[index + 1] === '*') {
          depth++
          index += 2
        } else if (text[index] === '*' && text[index + 1] === '/') {
          depth--
          index += 2
        } else {
          if (text[index] === '\n') line++
          index++
        }
      }
      if (depth > 0) return { statements, unterminated: { kind: 'comment', line: openLine, opener: '/*' } }
      continue
    }

    if (char === ';') {
      if (blockDepth > 0) {
        index++
        continue
      }
      finish(index)
      index++
      continue
    }

    mark(index, line)

    // '…' and E'…' strings (also B'', X'', U&'' which follow the plain rules)
    const escapePrefix = (char === 'E' || char === 'e') && next === "'" && !isIdentifierChar(text[index - 1])
    if (char === "'" || escapePrefix) {
      const openLine = line
      const opener = escapePrefix ? `${char}'` : "'"
      index += escapePrefix ? 2 : 1
      let closed = false
      while (index < text.length) {
        const current = text[index]!
        if (current === '\n') line++
        if (escapePrefix && current === '\\') {
          if (text[index + 1] === '\n') line++
          index += 2
          continue
        }
        if (current === "'") {
          if (text[index + 1] === "'") {
            index += 2
            continue
          }
          index++
          closed = true
          break
        }
        index++
      }
      if (!closed) return { statements, unterminated: { kind: 'string', line: openLine, opener } }
      continue
    }

    // "quoted identifier", "" escapes a quote
    if (char === '"') {
      const openLine = line
      index++
      let closed = false
      let name = ''
      while (index < text.length) {
        const current = text[index]!
        if (current === '\n') line++
        if (current === '"') {
          if (text[index + 1] === '"') {
            name += '"'
            index += 2
            continue
          }
          index++
          closed = true
          break
        }
        name += current
        index++
      }
      if (!closed) return { statements, unterminated: { kind: 'identifier', line: openLine, opener: '"' } }
      // Quoted names are never keywords: record them so they take their place among the leading words.
      if (words.length < LEADING_WORDS_KEPT) words.push(`"${name}"`)
      continue
    }

    // $tag$ … $tag$ (not a $1 parameter, not a $ inside an identifier)
    if (char === '$' && !isIdentifierChar(text[index - 1])) {
      const tag = dollarTagAt(text, index)
      if (tag !== null) {
        const openLine = line
        const close = text.indexOf(tag, index + tag.length)
        if (close < 0) return { statements, unterminated: { kind: 'dollar-quote', line: openLine, opener: tag } }
        for (let at = index + tag.length; at < close; at++) if (text[at] === '\n') line++
        index = close + tag.length
        continue
      }
    }

    // A word: keyword or plain identifier.
    if (isIdentifierStart(char)) {
      let end = index + 1
      while (end < text.length && isIdentifierChar(text[end])) end++
      const word = text.slice(index, end).toUpperCase()
      if (words.length < LEADING_WORDS_KEPT) words.push(word)
      if (parenDepth === 0 && isRoutineDefinition()) {
        if (word === 'BEGIN') blockDepth++
        // CASE also ends with END; it only matters inside a BEGIN.
        else if (word === 'CASE' && blockDepth > 0) blockDepth++
        else if (word === 'END' && blockDepth > 0) blockDepth--
      }
      index = end
      continue
    }

    if (char === '(') parenDepth++
    else if (char === ')' && parenDepth > 0) parenDepth--
    index++
  }
  finish(text.length)
  return { statements, unterminated: null }
}

/** 1-based line of a character offset, for errors that Postgres reports as a position. */
export function lineAtOffset(text: string, offset: number): number {
  let line = 1
  const limit = Math.min(offset, text.length)
  for (let index = 0; index < limit; index++) if (text[index] === '\n') line++
  return line
}
