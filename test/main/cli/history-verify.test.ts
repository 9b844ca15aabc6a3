/**
 * What `rampart history verify` and every other command say about a history that was damaged and
 * replaced, or cut back and rewritten: the built executable, on real files.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { beforeEach, describe, expect, it } from 'vitest'
import { createAppContext } from '@main/app/app-context'
import { cliTestBudget, jsonLines, type CliRun, useSeedCliFolder } from '@test/fixtures/rampart-cli'

const FLAG = 'unified_llm_hub'

const folder = useSeedCliFolder('rampart-history-verify-')
let historyFile: string

beforeEach(() => {
  historyFile = path.join(folder.home, 'history.db')
})

const rampart = folder.rampart

function expectOk(run: CliRun): CliRun {
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  return run
}

function threeEvents(): void {
  expectOk(rampart('rollout', 'back', '--flag', FLAG, '--reason', 'latency', '--no-restart'))
  expectOk(rampart('rollout', 'rollback', '--flag', FLAG, '--reason', 'more latency', '--no-restart'))
  expectOk(rampart('rollout', 'kill', '--flag', FLAG, '--reason', 'incident', '--no-restart'))
}

/** The moved-aside copies of the history file in its folder. */
function movedAside(): string[] {
  return readdirSync(folder.home)
    .filter((name) => name.startsWith('history.db.corrupt-') && !/-(wal|shm)$/.test(name))
    .map((name) => path.join(folder.home, name))
}

describe('a damaged history file, moved aside', () => {
  beforeEach(() => {
    threeEvents()
    // What a crash mid-copy or a stray `> history.db` leaves: not a database any more.
    for (const suffix of ['-wal', '-shm']) rmSync(historyFile + suffix, { force: true })
    writeFileSync(historyFile, 'truncated')
  })

  it(
    'is named on stderr by every command, and history verify exits 1, until it is acknowledged',
    () => {
      const first = rampart('history', 'list')
      expect(first.status).toBe(0)
      const [aside] = movedAside()
      expect(aside).toBeDefined()
      expect(first.stderr).toContain(aside)

      for (const args of [
        ['history', 'list'],
        ['rollout', 'status', '--flag', FLAG],
        ['flags', 'list'],
        ['status'],
        ['rollout', 'kill', '--flag', FLAG, '--reason', 'still off', '--no-restart']
      ]) {
        const run = rampart(...args)
        expect(run.stderr, args.join(' ')).toContain(aside!)
        expect(run.stderr, args.join(' ')).toContain('rampart history acknowledge')
      }

      const verify = rampart('history', 'verify')
      expect(verify.status).toBe(1)
      expect(verify.stdout).toContain(aside!)
      expect(verify.stderr).toContain(aside!)
      const verifyJson = rampart('history', 'verify', '--json')
      expect(verifyJson.status).toBe(1)
      expect(jsonLines(verifyJson.stdout)[0]).toMatchObject({
        ok: true,
        movedAside: [expect.objectContaining({ file: aside, reason: expect.stringContaining('not a SQLite database') })]
      })
    },
    cliTestBudget(8)
  )

  it(
    'is acknowledged once with history acknowledge, recorded as an event naming the file, and then quiet',
    () => {
      rampart('history', 'list')
      const [aside] = movedAside()

      const acknowledged = rampart('history', 'acknowledge', '--reason', 'copied it to the incident folder')
      expect(acknowledged.status).toBe(0)
      expect(acknowledged.stdout).toContain(aside!)

      const events = jsonLines(expectOk(rampart('history', 'list', '--json')).stdout) as Array<{
        kind: string
        actor: string
        reason: string
        detail: { movedAside: string }
      }>
      expect(events.at(-1)).toMatchObject({
        kind: 'history_acknowledged',
        actor: 'cli-tester',
        reason: 'copied it to the incident folder',
        detail: { movedAside: aside }
      })
      expectOk(rampart('rollout', 'status', '--flag', FLAG))
      expect(expectOk(rampart('history', 'verify')).stdout).not.toContain('moved aside')
      expect(expectOk(rampart('history', 'acknowledge')).stdout).toContain('nothing to acknowledge')
      expect(existsSync(aside!)).toBe(true)
    },
    cliTestBudget(6)
  )

  it(
    "keeps the console's workspace.describe historyWarning in step with the files to acknowledge",
    async () => {
      rampart('history', 'list')
      const [aside] = movedAside()
      const context = await createAppContext({
        cwd: folder.dir,
        env: { RAMPART_HOME: folder.home, RAMPART_ACTOR: 'console' }
      })
      try {
        expect(context.services.workspace.describe().historyWarning).toContain(aside)
        expectOk(rampart('history', 'acknowledge'))
        expect(context.services.workspace.describe().historyWarning).toBeNull()
      } finally {
        context.close()
      }
    },
    cliTestBudget(2)
  )
})

/** Someone with the sqlite3 shell removes the last `count` events and points the head at what remains. */
function cutBack(count: number): void {
  const db = new Database(historyFile)
  try {
    db.exec('DROP TRIGGER events_no_delete')
    const last = db.prepare<[], { seq: number }>('SELECT max(seq) AS seq FROM events').get()!.seq
    db.prepare('DELETE FROM events WHERE seq > ?').run(last - count)
    const head = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM events ORDER BY seq DESC').get()!
    db.prepare('UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1').run(head.seq, head.hash)
  } finally {
    db.close()
  }
}

describe('history verify --expect-head', () => {
  it(
    'prints the head, and fails when the chain was cut back and rewritten so that head is gone',
    () => {
      threeEvents()
      const verify = expectOk(rampart('history', 'verify'))
      const match = /head #(\d+) ([0-9a-f]{64})/.exec(verify.stdout)
      expect(match).not.toBeNull()
      const [, seq, hash] = match!
      expect(seq).toBe('3')
      expect(jsonLines(expectOk(rampart('history', 'verify', '--json')).stdout)[0]).toMatchObject({
        head: { seq: 3, hash }
      })

      expectOk(rampart('history', 'verify', '--expect-head', hash!))
      expectOk(rampart('history', 'verify', '--expect-head', `${seq}:${hash}`))
      // Still there after more events.
      expectOk(rampart('rollout', 'enable', '--flag', FLAG, '--reason', 'fixed', '--no-restart'))
      expectOk(rampart('history', 'verify', '--expect-head', `${seq}:${hash}`))

      cutBack(2)
      // Nothing inside the file shows the cut: the chain that remains is sound.
      expectOk(rampart('history', 'verify'))
      const anchored = rampart('history', 'verify', '--expect-head', `${seq}:${hash}`)
      expect(anchored.status).toBe(1)
      expect(anchored.stdout).toContain(`#${seq} ${hash}`)
      expect(anchored.stderr).toMatch(/expected head .* is not in the chain/)
      const json = rampart('history', 'verify', '--expect-head', hash!, '--json')
      expect(json.status).toBe(1)
      expect(jsonLines(json.stdout)[0]).toMatchObject({ expectedHead: { hash, found: false } })
    },
    cliTestBudget(12)
  )

  it('refuses a head that is not SEQ:HASH or a 64-digit hash with exit 2', () => {
    for (const value of ['abc', '3:xyz', `x:${'a'.repeat(64)}`]) {
      const run = rampart('history', 'verify', '--expect-head', value)
      expect(run.status, value).toBe(2)
      expect(run.stderr, value).toContain('--expect-head')
    }
  })

  it(
    'fails a head whose seq does not match its hash',
    () => {
      threeEvents()
      const hash = /head #\d+ ([0-9a-f]{64})/.exec(expectOk(rampart('history', 'verify')).stdout)![1]!
      const run = rampart('history', 'verify', '--expect-head', `2:${hash}`)
      expect(run.status).toBe(1)
    },
    cliTestBudget(5)
  )
})
