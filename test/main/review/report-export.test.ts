import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppContext } from '@main/app/app-context'
import type { ReportFormat } from '@main/review/report-export'
import { seedEnvText, ServiceWorkspace } from '@test/fixtures/service-workspace'

const FLAG = 'unified_llm_hub'

let workspace: ServiceWorkspace
let context: AppContext

beforeEach(async () => {
  workspace = new ServiceWorkspace({ envText: seedEnvText(50) })
  context = await workspace.open()
})

afterEach(() => {
  workspace.cleanup()
})

/** Back 50 → 25 with guard windows (one a breach), a refused advance, a rollback, then a kill: two rollouts. */
async function recordRollouts(): Promise<void> {
  const rollout = context.services.rollout
  await rollout.move({ flag: FLAG, move: 'back', reason: 'p95 up | watch it' })
  workspace.recordPasses(2)
  workspace.history().guardWindows.recordGuardWindow({
    flag: FLAG,
    environment: 'local',
    windowStart: workspace.clock.iso(120),
    windowSeconds: 60,
    decision: 'breach',
    figures: {
      window_start: workspace.clock.iso(120),
      treatment: { requests: 300, failures: 30, error_rate: 0.1, p95_ms: 180 },
      control: { requests: 900, failures: 9, error_rate: 0.01, p95_ms: 120 },
      decision: 'breach',
      reasons: ['treatment error rate 0.1 > 0.05'],
      settings: {
        window_seconds: 60,
        min_requests: 100,
        max_error_rate: 0.05,
        max_latency_degradation: 0.5,
        breach_windows: 2
      }
    }
  })
  workspace.clock.advanceSeconds(200)
  await rollout.move({ flag: FLAG, move: 'advance', reason: 'try again' }).catch(() => undefined)
  workspace.clock.advanceSeconds(60)
  await rollout.move({ flag: FLAG, move: 'rollback', reason: 'errors\nat 25' })
  workspace.clock.advanceSeconds(60)
  await rollout.move({ flag: FLAG, move: 'kill', reason: 'incident 4711' })
}

async function report(format: ReportFormat, scope = {}): Promise<string> {
  const chunks: string[] = []
  await context.services.reports.write(format, scope, workspace.clock.now(), (chunk) => void chunks.push(chunk))
  return chunks.join('')
}

function tamperWithEvent(seq: number): void {
  const db = new Database(context.historyPath)
  try {
    db.exec('DROP TRIGGER events_no_update')
    db.prepare("UPDATE events SET reason = 'nothing to see here' WHERE seq = ?").run(seq)
  } finally {
    db.close()
  }
}

describe('the Markdown report', () => {
  it('states the chain head and that it verified, then each rollout with its windows and every event', async () => {
    await recordRollouts()
    const text = await report('md')
    const head = context.services.store.events.head()
    expect(text).toContain(`Generated ${workspace.clock.iso()} from 4 event(s), every flag and environment.`)
    expect(text).toContain(`Chain verified: 4 event(s), head #4 ${head.hash}.`)
    expect(text).toContain(`## Rollout #1: ${FLAG} in local — rolled back`)
    expect(text).toContain(`## Rollout #4: ${FLAG} in local — killed`)
    expect(text).toContain('| 3 | 2 | 0 | 1 | 0 | 10.0 % | 180 ms |')
    const rows = text.split('\n').filter((line) => /^\| \d+ \| 20/.test(line))
    expect(rows).toHaveLength(4)
    expect(rows[0]).toContain('| 50% | 25% | applied | p95 up \\| watch it |')
    expect(rows[1]).toContain('| refused |')
    expect(rows[2]).toContain('| 25% | 0% | applied | errors at 25 |')
    expect(rows[3]).toContain('| 0% | off (0%) | applied | incident 4711 |')
  })

  it('says the chain is broken, and where, when an event was edited', async () => {
    await recordRollouts()
    tamperWithEvent(3)
    const text = await report('md')
    expect(text).toMatch(/\*\*Chain broken: #3 edited; head #4 [0-9a-f]{64}\. Entries may have been edited/)
    expect(text).not.toContain('Chain verified')
  })

  it('reports an empty history as verified with no events', async () => {
    const text = await report('md')
    expect(text).toContain('from 0 event(s)')
    expect(text).toContain('Chain verified: 0 event(s), head #0')
  })
})

describe('the HTML report', () => {
  it('is one self-contained file: inline SVG charts with the threshold and the breach marked, no request', async () => {
    await recordRollouts()
    const text = await report('html')
    expect(text.startsWith('<!doctype html>')).toBe(true)
    expect(text).toContain("default-src 'none'")
    expect(text).toContain(`Chain verified: 4 event(s), head #4 ${context.services.store.events.head().hash}.`)
    expect(text.match(/<svg /g)).toHaveLength(2)
    expect(text).toContain('max error rate 5.0 %')
    expect(text).toMatch(/<rect [^>]*fill="#f59e0b"[^>]*><title>breach at /)
    // Nothing that loads: no src, no href, no CSS url() or @import, no script.
    expect(text).not.toMatch(/\ssrc=|\shref=|url\(|@import|<script|<link/i)
    const withoutNamespaces = text.replaceAll('xmlns="http://www.w3.org/2000/svg"', '').replace('http-equiv', '')
    expect(withoutNamespaces).not.toContain('http')
  })

  it('escapes what the history holds, so a reason cannot inject markup', async () => {
    await context.services.rollout.move({ flag: FLAG, move: 'back', reason: '<img src=x onerror=alert(1)>' })
    const text = await report('html')
    expect(text).not.toContain('<img')
    expect(text).toContain('&#60;img src=x onerror=alert(1)&#62;')
  })
})

describe('the JSON lines report', () => {
  it('holds the chain, every event and one line per stored window in the contract’s shape', async () => {
    await recordRollouts()
    const lines = (await report('jsonl', { flag: FLAG }))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines[0]).toMatchObject({ kind: 'chain', head: { seq: 4 }, verification: { ok: true, count: 4 } })
    expect(lines.slice(1, 5).map((line) => line.kind)).toEqual(['phase_move', 'refused', 'rollback', 'kill'])
    const windows = lines.filter((line) => line.kind === 'guard_window')
    expect(windows).toHaveLength(3)
    expect(Object.keys(windows[2])).toEqual([
      'kind',
      'flag',
      'environment',
      'window_start',
      'treatment',
      'control',
      'decision',
      'reasons'
    ])
    expect(windows[2]).toMatchObject({
      flag: FLAG,
      environment: 'local',
      treatment: { requests: 300, failures: 30, error_rate: 0.1, p95_ms: 180 },
      decision: 'breach',
      reasons: ['treatment error rate 0.1 > 0.05']
    })
  })
})
