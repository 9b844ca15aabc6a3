import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lineAtOffset, splitSqlStatements } from '@main/database/core/sql-statements'

function texts(sql: string): string[] {
  const split = splitSqlStatements(sql)
  expect(split.unterminated).toBeNull()
  return split.statements.map((statement) => statement.text)
}

describe('splitSqlStatements', () => {
  it('splits on semicolons and drops empty statements and trailing whitespace', () => {
    expect(texts('SELECT 1;  SELECT 2 ;\n;\n  SELECT 3')).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3'])
  })

  it('keeps a semicolon inside a string, with doubled quotes as escapes', () => {
    expect(texts("INSERT INTO t VALUES ('a;b', 'it''s; fine'); SELECT 2")).toEqual([
      "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
      'SELECT 2'
    ])
  })

  it("reads a backslash as an escape in E'' strings only", () => {
    expect(texts("SELECT E'a\\';b'; SELECT 2")).toEqual(["SELECT E'a\\';b'", 'SELECT 2'])
    // In a standard string the backslash is literal, so the quote after it closes the string.
    expect(texts("SELECT 'a\\'; SELECT 2")).toEqual(["SELECT 'a\\'", 'SELECT 2'])
  })

  it("does not take the e ending a word for an E'' prefix", () => {
    expect(texts("SELECT some_name'x\\'; SELECT 2")).toEqual(["SELECT some_name'x\\'", 'SELECT 2'])
  })

  it('keeps a semicolon inside a quoted identifier, with "" as an escape', () => {
    expect(texts('CREATE TABLE "a;""b" (x int); SELECT 1')).toEqual(['CREATE TABLE "a;""b" (x int)', 'SELECT 1'])
  })

  it('ignores semicolons in line comments and nested block comments', () => {
    const sql = '-- a; b\nSELECT 1 /* x; /* nested; */ still; */ + 1; -- end;\nSELECT 2'
    expect(texts(sql)).toEqual(['SELECT 1 /* x; /* nested; */ still; */ + 1', 'SELECT 2'])
  })

  it('keeps a dollar-quoted body whole, tagged or not', () => {
    const sql = [
      'CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;',
      "DO $body$ BEGIN PERFORM 'x;'; RAISE NOTICE $$inner;$$; END $body$;",
      'SELECT 3'
    ].join('\n')
    expect(texts(sql)).toHaveLength(3)
  })

  it('treats $1 as a parameter and a$b$ as a name, not as dollar quotes', () => {
    expect(texts('PREPARE p AS SELECT $1; SELECT a$b$ FROM t; SELECT 3')).toEqual([
      'PREPARE p AS SELECT $1',
      'SELECT a$b$ FROM t',
      'SELECT 3'
    ])
  })

  it('keeps the BEGIN ATOMIC … END body of a SQL-standard function together', () => {
    const sql =
      'CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql\n' +
      'BEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\nSELECT 3'
    const statements = texts(sql)
    expect(statements).toHaveLength(2)
    expect(statements[1]).toBe('SELECT 3')
  })

  it('does not count a parameter named begin as a block', () => {
    expect(texts('CREATE FUNCTION f(begin int) RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql; SELECT 2')).toHaveLength(2)
  })

  it('counts BEGIN as a plain word outside function definitions', () => {
    expect(texts('BEGIN; SELECT 1; COMMIT')).toEqual(['BEGIN', 'SELECT 1', 'COMMIT'])
  })

  it('reports the line each statement starts on, comments and strings spanning lines counted', () => {
    const sql = "-- header\n\nSELECT 'a\nb';\n/* c\n*/ SELECT $$\n$$;\n\n  SELECT 3"
    expect(splitSqlStatements(sql).statements.map((statement) => statement.line)).toEqual([3, 6, 9])
  })

  it('gives the leading words upper-cased, comments skipped', () => {
    const [statement] = splitSqlStatements('/* x */ create -- y\n index concurrently foo ON t (a)').statements
    expect(statement?.leadingWords.slice(0, 3)).toEqual(['CREATE', 'INDEX', 'CONCURRENTLY'])
  })

  it.each([
    ["SELECT 'abc", 'string', "'"],
    ["SELECT E'abc\\'", 'string', "E'"],
    ['SELECT "abc', 'identifier', '"'],
    ['SELECT 1 /* a /* b */', 'comment', '/*'],
    ['DO $fn$ BEGIN END $$', 'dollar-quote', '$fn$']
  ])('reports an unterminated token in %j', (sql, kind, opener) => {
    expect(splitSqlStatements(`SELECT 0;\n${sql}`).unterminated).toEqual({ kind, line: 2, opener })
  })

  it('splits any sequence of statements built from tricky tokens back into the same statements', () => {
    const token = fc.oneof(
      fc.constantFrom('SELECT', 'x', '1', '(', ')', ',', '+', '$1', 'a$b'),
      fc.string({ maxLength: 6 }).map((s) => `'${s.replace(/'/g, "''")}'`),
      fc.string({ maxLength: 6 }).map((s) => `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`),
      fc.string({ maxLength: 6 }).map((s) => `"${s.replace(/"/g, '""')}"`),
      fc.string({ maxLength: 6 }).map((s) => `$q$${s.replace(/\$/g, '')}$q$`),
      fc.string({ maxLength: 6 }).map((s) => `/* ${s.replace(/\*|\//g, '')} /* ; */ */`),
      fc.string({ maxLength: 6 }).map((s) => `-- ${s.replace(/\n/g, '')};\n`)
    )
    const statement = fc.array(token, { minLength: 1, maxLength: 8 }).map((tokens) => `SELECT ${tokens.join(' ')}`)
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 5 }), (statements) => {
        const split = splitSqlStatements(statements.join(';\n'))
        expect(split.unterminated).toBeNull()
        expect(split.statements.map((s) => s.text)).toEqual(statements.map((s) => s.trimEnd()))
      })
    )
  })
})

describe('lineAtOffset', () => {
  it('counts the newlines before the offset', () => {
    expect(lineAtOffset('a\nb\nc', 0)).toBe(1)
    expect(lineAtOffset('a\nb\nc', 2)).toBe(2)
    expect(lineAtOffset('a\nb\nc', 4)).toBe(3)
  })
})
