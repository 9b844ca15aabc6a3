import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  buildMigrationSet,
  migrationChecksum,
  requireMigrationSet,
  type MigrationSourceFile
} from '@main/database/core/migration-files'
import { RampartError } from '@shared/errors'

function file(fileName: string, text: string): MigrationSourceFile {
  return { fileName, bytes: new TextEncoder().encode(text) }
}

function problemsOf(files: MigrationSourceFile[]): string[] {
  return buildMigrationSet(files).problems.map((problem) =>
    problem.line === undefined
      ? `${problem.fileName}: ${problem.message}`
      : `${problem.fileName}:${problem.line}: ${problem.message}`
  )
}

describe('buildMigrationSet: names and pairing', () => {
  it('orders forward files by version number, not by text', () => {
    const { migrations, problems } = buildMigrationSet([
      file('10_ten.sql', 'SELECT 10'),
      file('002_two.sql', 'SELECT 2'),
      file('1_one.sql', 'SELECT 1')
    ])
    expect(problems).toEqual([])
    expect(migrations.map((migration) => [migration.version, migration.name])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [10, 'ten']
    ])
  })

  it('pairs NNN_name.down.sql and rollback_name.sql with their forward files', () => {
    const { migrations, problems } = buildMigrationSet([
      file('001_baseline.sql', 'CREATE TABLE a (x int)'),
      file('001_baseline.down.sql', 'DROP TABLE a'),
      file('002_llm_management_tables.sql', 'CREATE TABLE b (x int)'),
      file('rollback_llm_management_tables.sql', 'DROP TABLE b'),
      file('003_no_rollback.sql', 'SELECT 1')
    ])
    expect(problems).toEqual([])
    expect(migrations.map((migration) => migration.rollback?.fileName ?? null)).toEqual([
      '001_baseline.down.sql',
      'rollback_llm_management_tables.sql',
      null
    ])
  })

  it('ignores files that are not .sql', () => {
    const { migrations, problems } = buildMigrationSet([file('README.md', '# x'), file('001_a.sql', 'SELECT 1')])
    expect(problems).toEqual([])
    expect(migrations).toHaveLength(1)
  })

  it('names both files of a duplicate version', () => {
    expect(problemsOf([file('002_a.sql', 'SELECT 1'), file('2_b.sql', 'SELECT 2')])).toEqual([
      '2_b.sql: has version 2, which 002_a.sql already has; each version must be unique'
    ])
  })

  it.each(['002-llm.sql', 'llm.sql', '002_.sql', '000_zero.sql', 'V2__flyway.sql', '002_a.b.sql'])(
    'names the unparsable file %s',
    (fileName) => {
      const problems = problemsOf([file(fileName, 'SELECT 1')])
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatch(new RegExp(`^${fileName.replace(/\./g, '\\.')}: `))
    }
  )

  it('names a rollback without its forward file, in either naming', () => {
    expect(problemsOf([file('003_x.down.sql', 'SELECT 1'), file('rollback_y.sql', 'SELECT 1')])).toEqual([
      '003_x.down.sql: is a rollback for version 3, but there is no forward migration 003_x.sql',
      'rollback_y.sql: is a rollback for "y", but there is no forward migration NNN_y.sql'
    ])
  })

  it('refuses a .down.sql whose name differs from its forward file', () => {
    expect(problemsOf([file('003_x.sql', 'SELECT 1'), file('003_y.down.sql', 'SELECT 1')])[0]).toContain(
      "that version's forward file is 003_x.sql"
    )
  })

  it('refuses two rollbacks for one migration', () => {
    const problems = problemsOf([
      file('002_llm.sql', 'SELECT 1'),
      file('002_llm.down.sql', 'SELECT 1'),
      file('rollback_llm.sql', 'SELECT 1')
    ])
    expect(problems).toEqual([
      'rollback_llm.sql: is a second rollback for 002_llm.sql (002_llm.down.sql is one already); keep only one'
    ])
  })

  it('refuses a rollback_name.sql that fits two forward files', () => {
    const problems = problemsOf([
      file('002_llm.sql', 'SELECT 1'),
      file('005_llm.sql', 'SELECT 1'),
      file('rollback_llm.sql', 'SELECT 1')
    ])
    expect(problems[0]).toContain('could roll back any of 002_llm.sql, 005_llm.sql')
  })

  it('refuses a file that is not UTF-8', () => {
    expect(problemsOf([{ fileName: '001_a.sql', bytes: Uint8Array.from([0x53, 0xff, 0xfe]) }])).toEqual([
      '001_a.sql: is not valid UTF-8 text'
    ])
  })

  it('throws one bad_input error listing every problem with the directory', () => {
    let caught: unknown
    try {
      requireMigrationSet(
        [file('002_a.sql', 'SELECT 1'), file('2_b.sql', 'SELECT 1'), file('oops.sql', 'x')],
        '/srv/migrations'
      )
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(RampartError)
    expect((caught as RampartError).code).toBe('bad_input')
    expect((caught as RampartError).message).toContain('/srv/migrations/2_b.sql: has version 2')
    expect((caught as RampartError).message).toContain('/srv/migrations/oops.sql: is not a migration name')
  })
})

describe('buildMigrationSet: checksums', () => {
  it('is the SHA-256 of the file bytes', () => {
    const text = 'CREATE TABLE a (x int);\n'
    const [migration] = buildMigrationSet([file('001_a.sql', text)]).migrations
    expect(migration?.checksum).toBe(createHash('sha256').update(text).digest('hex'))
  })

  it('reads CRLF as LF and ignores a byte-order mark, so a Windows checkout is not an edit', () => {
    const unix = migrationChecksum(new TextEncoder().encode('SELECT 1;\nSELECT 2;\n'))
    const windows = migrationChecksum(
      Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('SELECT 1;\r\nSELECT 2;\r\n')])
    )
    expect(windows).toBe(unix)
  })

  it('changes with any other byte', () => {
    expect(migrationChecksum(new TextEncoder().encode('SELECT 1;'))).not.toBe(
      migrationChecksum(new TextEncoder().encode('SELECT 1; '))
    )
  })

  it('drops the byte-order mark from the SQL sent to Postgres', () => {
    const [migration] = buildMigrationSet([
      { fileName: '001_a.sql', bytes: Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('SELECT 1')]) }
    ]).migrations
    expect(migration?.sql).toBe('SELECT 1')
  })
})

describe('buildMigrationSet: the no-transaction header and transaction control', () => {
  it('runs a file in a transaction unless its first line is the header', () => {
    const { migrations } = buildMigrationSet([
      file('001_a.sql', 'CREATE TABLE a (x int); CREATE TABLE b (x int);'),
      file('002_b.sql', '-- rampart:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a_x ON a (x);\n')
    ])
    expect(migrations.map((migration) => migration.transactional)).toEqual([true, false])
  })

  it('accepts one statement after the header, with strings, comments and dollar quotes holding semicolons', () => {
    const sql =
      '-- rampart:no-transaction\r\n/* build it; online */\n' +
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx;x" ON a (x) WHERE note <> \'a;b\' -- ok;\n;\n-- trailing; comment\n'
    expect(buildMigrationSet([file('002_b.sql', sql)]).problems).toEqual([])
  })

  it('names the file and the line of a second statement after the header', () => {
    const sql =
      "-- rampart:no-transaction\nCREATE INDEX CONCURRENTLY a_x ON a (x);\n\nINSERT INTO log VALUES ('done');\n"
    const problems = problemsOf([file('004_index.sql', sql)])
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(
      /^004_index\.sql:4: a second statement starts here \(INSERT INTO log VALUES \('done'\)\)/
    )
  })

  it('refuses a header with no statement', () => {
    expect(problemsOf([file('004_index.sql', '-- rampart:no-transaction\n-- nothing\n')])[0]).toContain(
      'but no statement'
    )
  })

  it('names a header that is not on the first line', () => {
    expect(problemsOf([file('004_index.sql', 'SELECT 1;\n-- rampart:no-transaction\n')])).toEqual([
      '004_index.sql:2: has the -- rampart:no-transaction header on line 2; it only counts on the first line'
    ])
  })

  it.each([
    ['BEGIN;\nCREATE TABLE a (x int);\nCOMMIT;', ['BEGIN', 'COMMIT'], [1, 3]],
    ['START TRANSACTION;\nSELECT 1;\nEND;', ['START TRANSACTION', 'END'], [1, 3]],
    ['SELECT 1;\nROLLBACK;', ['ROLLBACK'], [2]]
  ])('refuses transaction control in %j, naming each line', (sql, words, lines) => {
    const { problems } = buildMigrationSet([file('003_tx.sql', sql)])
    expect(problems.map((problem) => problem.line)).toEqual(lines)
    expect(problems.map((problem) => problem.message.split(' controls')[0])).toEqual(words)
  })

  it('allows ROLLBACK TO SAVEPOINT and BEGIN inside a function body', () => {
    const sql =
      'SAVEPOINT s;\nROLLBACK TO SAVEPOINT s;\nDO $$ BEGIN PERFORM 1; COMMIT; END $$;\n' +
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;'
    expect(problemsOf([file('003_ok.sql', sql)])).toEqual([])
  })

  it('checks rollback files by the same rules', () => {
    const problems = problemsOf([file('003_a.sql', 'SELECT 1'), file('003_a.down.sql', 'BEGIN; DROP TABLE a; COMMIT;')])
    expect(problems.every((problem) => problem.startsWith('003_a.down.sql:1: '))).toBe(true)
    expect(problems).toHaveLength(2)
  })

  it('names the line where an unclosed string opens', () => {
    expect(problemsOf([file('003_a.sql', "SELECT 1;\nSELECT 'oops;\nSELECT 2;")])).toEqual([
      "003_a.sql:2: the string opened here with ' is never closed"
    ])
  })
})
