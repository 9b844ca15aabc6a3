import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { beforeEach, describe, expect, it } from 'vitest'
import { jsonLines, type CliRun, useSeedCliFolder } from '@test/fixtures/rampart-cli'
import { seedEnvText } from '@test/fixtures/service-workspace'

const FLAG = 'unified_llm_hub'

const folder = useSeedCliFolder('rampart-cli-')

const rampart = folder.rampart

function expectOk(run: CliRun): CliRun {
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  return run
}

/** What someone with the sqlite3 shell could do: drop the append-only trigger and edit an event. */
function tamperWithEvent(seq: number): void {
  const db = new Database(path.join(folder.home, 'history.db'))
  try {
    db.exec('DROP TRIGGER events_no_update')
    db.prepare("UPDATE events SET reason = 'it was always like this' WHERE seq = ?").run(seq)
  } finally {
    db.close()
  }
}

/** One JSON object on one stderr line, and nothing on stdout. */
function jsonError(run: CliRun): { code: string; message: string } {
  const lines = run.stderr.split('\n').filter((line) => line !== '')
  expect(lines).toHaveLength(1)
  const parsed = JSON.parse(lines[0]!) as { error: { code: string; message: string } }
  expect(Object.keys(parsed)).toEqual(['error'])
  return parsed.error
}

describe('rampart flags list', () => {
  it('prints one JSON line per declared flag and exits 0', () => {
    const lines = jsonLines(expectOk(rampart('flags', 'list', '--json')).stdout)
    expect(lines).toEqual([
      expect.objectContaining({
        environment: 'local',
        flag: FLAG,
        origin: path.join(folder.dir, '.env'),
        state: expect.objectContaining({ enabled: true, rollout_percentage: 25 }),
        error: null,
        position: { kind: 'phase', phase: 25 }
      })
    ])
  })

  it('shows an unreadable .env as an error in the listing, not a crash, and exits 2', () => {
    writeFileSync(path.join(folder.dir, '.env'), seedEnvText('abc'))
    const run = rampart('flags', 'list', '--json')
    expect(run.status).toBe(2)
    const [view] = jsonLines(run.stdout) as Array<{
      state: unknown
      error: { message: string }
    }>
    expect(view!.state).toBeNull()
    expect(view!.error.message).toContain(`FEATURE_LLM_HUB_ROLLOUT=abc in ${path.join(folder.dir, '.env')} line 6`)
  })
})

describe('rampart rollout', () => {
  it('prints the status as one JSON line with the moves on offer', () => {
    const [status] = jsonLines(expectOk(rampart('rollout', 'status', '--flag', FLAG, '--json')).stdout) as Array<{
      position: unknown
      options: Array<{ move: string; available: boolean }>
    }>
    expect(status!.position).toEqual({ kind: 'phase', phase: 25 })
    expect(status!.options.map((option) => [option.move, option.available])).toEqual([
      ['advance', false],
      ['back', true],
      ['rollback', true],
      ['kill', true]
    ])
  })

  it('exits 1 for a refused move, names why, records it, and leaves the .env alone', () => {
    const run = rampart('rollout', 'advance', '--flag', FLAG, '--reason', 'ship it')
    expect(run.status).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain(
      'cannot advance unified_llm_hub from 25 % to 50 %: guards have no verdict yet, not pass'
    )
    expect(readFileSync(path.join(folder.dir, '.env'), 'utf8')).toBe(seedEnvText(25))
    const events = jsonLines(expectOk(rampart('history', 'list', '--json')).stdout)
    expect(events).toEqual([
      expect.objectContaining({ kind: 'refused', actor: 'cli-tester', reason: 'ship it', outcome: 'refused' })
    ])
  })

  it('reports a refused move with --json as one JSON object on stderr', () => {
    const run = rampart('rollout', 'advance', '--flag', FLAG, '--reason', 'ship it', '--json')
    expect(run.status).toBe(1)
    expect(run.stdout).toBe('')
    expect(jsonError(run)).toMatchObject({
      code: 'refused',
      message: expect.stringContaining('guards have no verdict yet')
    })
  })

  it('exits 0 for an applied move and prints it as one JSON line', () => {
    const [result] = jsonLines(
      expectOk(rampart('rollout', 'back', '--flag', FLAG, '--reason', 'latency', '--json')).stdout
    ) as Array<{
      state: { rollout_percentage: number }
      event: { kind: string; actor: string }
    }>
    expect(result!.state.rollout_percentage).toBe(10)
    expect(result!.event).toMatchObject({ kind: 'phase_move', actor: 'cli-tester' })
    expect(readFileSync(path.join(folder.dir, '.env'), 'utf8')).toBe(seedEnvText(10))
  })

  it('exits 1 with a conflict when the .env was edited by hand since the last move', () => {
    expectOk(rampart('rollout', 'back', '--flag', FLAG, '--reason', 'latency'))
    writeFileSync(path.join(folder.dir, '.env'), seedEnvText(37))
    const run = rampart('rollout', 'kill', '--flag', FLAG, '--reason', 'incident', '--json')
    expect(run.status).toBe(1)
    expect(jsonError(run).code).toBe('conflict')
  })

  it(
    'kills past a percentage mistyped by hand, ' +
      'says what is still to fix, and shows no percentage it could not read',
    () => {
      const envFile = path.join(folder.dir, '.env')
      writeFileSync(
        envFile,
        seedEnvText(25).replace('FEATURE_LLM_HUB_ROLLOUT = 25 #', 'FEATURE_LLM_HUB_ROLLOUT = 25 percent #')
      )
      const status = rampart('rollout', 'status', '--flag', FLAG)
      expect(status.status).toBe(2)
      expect(status.stderr).toContain(`FEATURE_LLM_HUB_ROLLOUT=25 percent in ${envFile} line`)

      const lines = expectOk(
        rampart('rollout', 'kill', '--flag', FLAG, '--reason', 'incident 4714', '--no-restart')
      ).stdout.split('\n')
      expect(lines[0]).toMatch(/^unified_llm_hub: enabled -> disabled {2}\(recorded as #\d+ by cli-tester\)$/)
      expect(lines[1]).toMatch(
        new RegExp(
          `^  still to fix by hand: FEATURE_LLM_HUB_ROLLOUT=25 percent in ` +
            `${envFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line \\d+ is not a percentage`
        )
      )
      expect(lines[2]).toMatch(/^ {2}service: not restarted/)
      expect(readFileSync(envFile, 'utf8')).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
    }
  )

  it('turns a killed flag on again at 0 % with rollout enable, and exits 1 when it is already on', () => {
    expectOk(rampart('rollout', 'kill', '--flag', FLAG, '--reason', 'incident', '--no-restart'))
    const enabled = expectOk(rampart('rollout', 'enable', '--flag', FLAG, '--reason', 'fixed', '--no-restart'))
    expect(enabled.stdout.split('\n')[0]).toMatch(/^unified_llm_hub: disabled \(25%\) -> 0% {2}\(recorded as #\d+/)
    expect(readFileSync(path.join(folder.dir, '.env'), 'utf8')).toContain('export FEATURE_UNIFIED_LLM_HUB=true\n')

    const again = rampart('rollout', 'enable', '--flag', FLAG, '--reason', 'twice', '--no-restart')
    expect(again.status).toBe(1)
    expect(again.stderr).toContain('the flag is already enabled')
  })

  it('adopts a phase set by hand with rollout adopt, and says which gate opens the next phase', () => {
    expectOk(rampart('rollout', 'status', '--flag', FLAG))
    writeFileSync(path.join(folder.dir, '.env'), seedEnvText(50))
    const status = expectOk(rampart('rollout', 'status', '--flag', FLAG)).stdout
    expect(status).toMatch(/adopt +-> 50% +open/)
    expect(status).toContain('gate: the guards pass, for the soak time')
    const adopted = expectOk(rampart('rollout', 'adopt', '--flag', FLAG, '--reason', 'set in the call', '--no-restart'))
    expect(adopted.stdout.split('\n')[0]).toMatch(/^unified_llm_hub: 25% -> 50% {2}\(recorded as #\d+ by cli-tester\)$/)
    expect(readFileSync(path.join(folder.dir, '.env'), 'utf8')).toBe(seedEnvText(50))
  })

  it('exits 2 when a move has no --reason', () => {
    const run = rampart('rollout', 'kill', '--flag', FLAG)
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('--reason is required')
  })

  it('exits 2 for an undeclared flag, naming the declared ones', () => {
    const run = rampart('rollout', 'status', '--flag', 'unified_llm', '--json')
    expect(run.status).toBe(2)
    expect(jsonError(run)).toEqual({
      code: 'bad_input',
      message: 'Flag "unified_llm" is not declared in environment "local" (declared: unified_llm_hub)'
    })
  })
})

describe('rampart history', () => {
  beforeEach(() => {
    expectOk(rampart('rollout', 'back', '--flag', FLAG, '--reason', 'latency'))
    rampart('rollout', 'advance', '--flag', FLAG, '--reason', 'again')
    expectOk(rampart('rollout', 'kill', '--flag', FLAG, '--reason', 'incident 4711'))
  })

  it('lists the events as JSON lines, oldest first', () => {
    const events = jsonLines(expectOk(rampart('history', 'list', '--json')).stdout) as Array<{
      seq: number
      kind: string
    }>
    expect(events.map((event) => [event.seq, event.kind])).toEqual([
      [1, 'phase_move'],
      [2, 'refused'],
      [3, 'kill']
    ])
    expect(jsonLines(expectOk(rampart('history', 'list', '--limit', '1', '--json')).stdout)).toEqual([
      expect.objectContaining({ seq: 3 })
    ])
  })

  it('verifies an untouched history (exit 0) and fails one whose event was edited (exit 1)', () => {
    const intact = expectOk(rampart('history', 'verify', '--json'))
    expect(jsonLines(intact.stdout)).toEqual([
      expect.objectContaining({
        ok: true,
        count: 3,
        file: path.join(folder.home, 'history.db'),
        storage: { ok: true, problems: [] }
      })
    ])
    expect(expectOk(rampart('history', 'verify')).stdout).toContain(
      '\nstorage: sound (SQLite quick_check of every page)\n'
    )

    tamperWithEvent(2)
    const broken = rampart('history', 'verify')
    expect(broken.status).toBe(1)
    expect(broken.stdout).toContain('CHAIN BROKEN')
    expect(broken.stdout).toContain('#2 edited')
    expect(broken.stderr).toContain(`history ${path.join(folder.home, 'history.db')} failed verification`)
  })

  it('exports a self-contained HTML report and JSON lines that state the chain head', () => {
    const html = expectOk(rampart('history', 'export', '--format', 'html')).stdout
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toMatch(/Chain verified: 3 event\(s\), head #3 [0-9a-f]{64}\./)
    expect(html).toContain('Rollout #1: unified_llm_hub in local — killed')
    const [chain, first] = jsonLines(expectOk(rampart('history', 'export', '--format', 'jsonl')).stdout) as Array<
      Record<string, unknown>
    >
    expect(chain).toMatchObject({ kind: 'chain', head: { seq: 3 }, verification: { ok: true, count: 3 } })
    expect(first).toMatchObject({ kind: 'phase_move', seq: 1 })
  })

  it('exports a markdown report to a new file, and refuses to overwrite an existing one', () => {
    const out = path.join(folder.dir, 'report.md')
    const first = expectOk(rampart('history', 'export', '--format', 'md', '--out', 'report.md'))
    expect(first.stdout).toBe(`exported 3 events and 0 guard windows to ${out}\n`)
    const report = readFileSync(out, 'utf8')
    expect(report).toContain('Chain verified: 3 event(s)')
    expect(report).toContain('| incident 4711 |')

    writeFileSync(out, 'the reviewer has annotated this copy\n')
    const second = rampart('history', 'export', '--format', 'md', '--out', 'report.md')
    expect(second.status).not.toBe(0)
    expect(second.stderr).toContain(`cannot write ${out}: it already exists (not overwritten)`)
    expect(readFileSync(out, 'utf8')).toBe('the reviewer has annotated this copy\n')
    expect(readdirSync(folder.dir).filter((name) => name.includes('partial'))).toEqual([])
  })

  it('says in the exported report that the chain is broken after an edit', () => {
    tamperWithEvent(1)
    expectOk(rampart('history', 'export', '--format', 'md', '--out', 'report.md'))
    expect(readFileSync(path.join(folder.dir, 'report.md'), 'utf8')).toMatch(
      /\*\*Chain broken: #1 edited; head #3 [0-9a-f]{64}\./
    )
  })

  it('exports JSON lines to stdout', () => {
    const lines = jsonLines(expectOk(rampart('history', 'export', '--format', 'jsonl')).stdout)
    expect(lines).toHaveLength(4)
    expect(lines[0]).toMatchObject({ kind: 'chain' })
  })

  it('refuses an unknown export format, naming it', () => {
    const run = rampart('history', 'export', '--format', 'pdf', '--out', 'r.pdf')
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('--format pdf is not one of md, html, jsonl')
    expect(existsSync(path.join(folder.dir, 'r.pdf'))).toBe(false)
  })
})

describe('rampart usage errors', () => {
  it('exits 2 for an unknown command, with --json as one JSON object', () => {
    const run = rampart('flags', 'frobnicate', '--json')
    expect(run.status).toBe(2)
    expect(jsonError(run)).toEqual({ code: 'bad_input', message: 'unknown command "flags frobnicate"' })
  })

  it('exits 2 for an invalid workspace, naming file and line', () => {
    writeFileSync(
      path.join(folder.dir, 'rampart.config.yaml'),
      'environments:\n  local:\n    postgres:\n      port: "5432"\n'
    )
    const run = rampart('flags', 'list')
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(
      `${path.join(folder.dir, 'rampart.config.yaml')} line 4: environments.local.postgres.port`
    )
  })
})
