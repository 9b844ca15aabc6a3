import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppContext } from '@main/app/app-context'
import { CHART_POINTS } from '@main/review/review-service'
import { RampartError } from '@shared/errors'
import { seedEnvText, ServiceWorkspace } from '@test/fixtures/service-workspace'

const FLAG = 'unified_llm_hub'

let workspace: ServiceWorkspace
let context: AppContext

beforeEach(async () => {
  workspace = new ServiceWorkspace({ envText: seedEnvText(0) })
  context = await workspace.open()
})

afterEach(() => {
  workspace.cleanup()
})

/** `count` windows of 60 s from now on, every `breachEvery`-th a breach and one trip at `tripAt`. */
function recordWindows(count: number, options: { breachEvery?: number; tripAt?: number } = {}): void {
  const store = workspace.history()
  store.atomically(() => {
    for (let index = 0; index < count; index++) {
      const decision =
        index === options.tripAt
          ? 'trip'
          : options.breachEvery !== undefined && index % options.breachEvery === 0
            ? 'breach'
            : 'pass'
      store.guardWindows.recordGuardWindow({
        flag: FLAG,
        environment: 'local',
        windowStart: workspace.clock.iso(index * 60),
        windowSeconds: 60,
        decision,
        figures: {
          treatment: { requests: 200, failures: 1, error_rate: decision === 'pass' ? 0.005 : 0.2, p95_ms: 100 + index },
          control: { requests: 800, failures: 4, error_rate: 0.005, p95_ms: 100 },
          decision,
          reasons: [],
          settings: { max_error_rate: 0.05, max_latency_degradation: 0.5 }
        }
      })
    }
  })
}

describe('ReviewService', () => {
  it('lists rollouts newest first with their outcome, filtered by outcome, time and search text', async () => {
    const { rollout } = context.services
    await rollout.move({ flag: FLAG, move: 'advance', reason: 'first try' })
    workspace.clock.advanceSeconds(60)
    await rollout.move({ flag: FLAG, move: 'rollback', reason: 'errors' })
    workspace.clock.advanceSeconds(3600)
    await rollout.move({ flag: FLAG, move: 'advance', reason: 'second try, INC-42 fixed' })

    const all = context.services.review.rollouts()
    expect(all.map((summary) => [summary.id, summary.outcome])).toEqual([
      [3, 'in_progress'],
      [1, 'rolled_back']
    ])
    expect(context.services.review.rollouts({ outcome: 'rolled_back' }).map((summary) => summary.id)).toEqual([1])
    expect(context.services.review.rollouts({ search: 'inc-42' }).map((summary) => summary.id)).toEqual([3])
    expect(context.services.review.rollouts({ to: all[1]!.endedAt! }).map((summary) => summary.id)).toEqual([1])
    expect(context.services.review.rollouts({ from: workspace.clock.iso() }).map((summary) => summary.id)).toEqual([3])
    expect(context.services.review.rollouts({ environment: 'staging' })).toEqual([])
  })

  it('loads one rollout: its events, its windows as a chart with thresholds, and a summary of decisions', async () => {
    await context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'go' })
    recordWindows(30, { breachEvery: 10 })
    const detail = context.services.review.rollout(1)
    expect(detail.summary).toMatchObject({ id: 1, outcome: 'in_progress', highestPhase: 10 })
    expect(detail.events.map((event) => event.kind)).toEqual(['phase_move'])
    expect(detail.chart).toMatchObject({
      windows: 30,
      windowsPerPoint: 1,
      thresholds: { maxErrorRate: 0.05, maxLatencyDegradation: 0.5 }
    })
    expect(detail.chart.points).toHaveLength(30)
    expect(detail.chart.points.filter((point) => point.decision === 'breach')).toHaveLength(3)
    expect(detail.windowSummary).toMatchObject({ windows: 30, pass: 27, breach: 3, maxTreatmentErrorRate: 0.2 })
  })

  it('downsamples a long rollout to the chart’s points, keeping the worst decision of each', async () => {
    await context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'go' })
    recordWindows(CHART_POINTS * 4 + 7, { breachEvery: 1000, tripAt: 2501 })
    const chart = context.services.review.rollout(1).chart
    expect(chart.windowsPerPoint).toBe(5)
    expect(chart.points.length).toBeLessThanOrEqual(CHART_POINTS)
    expect(chart.points.filter((point) => point.decision === 'trip')).toHaveLength(1)
    expect(chart.points.filter((point) => point.decision === 'breach')).toHaveLength(5)
    expect(Math.max(...chart.points.map((point) => point.treatmentP95Ms ?? 0))).toBe(100 + CHART_POINTS * 4 + 6)
  })

  it('pages through a rollout’s windows oldest first', async () => {
    await context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'go' })
    recordWindows(25)
    const page = context.services.review.windows(1, { offset: 20, limit: 10 })
    expect(page.total).toBe(25)
    expect(page.windows.map((window) => window.windowStart)).toEqual(
      [20, 21, 22, 23, 24].map((index) => workspace.clock.iso(index * 60))
    )
  })

  it('carries the runbook runs its events name, with each step and its duration', async () => {
    await context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'go' })
    const run = await context.services.runbooks.run(
      {
        runbook: 'review-test',
        environment: 'local',
        flag: FLAG,
        reason: 'two steps on record',
        steps: [
          { name: 'First step', run: async () => 'first done' },
          { name: 'Second step', run: async () => 'second done' }
        ]
      },
      {}
    )
    // A run of no flag is no rollout's.
    await context.services.runbooks.run({ runbook: 'review-test', environment: 'local', steps: [] }, {})

    const detail = context.services.review.rollout(1)
    expect(detail.events.map((event) => event.kind)).toEqual(['phase_move', 'runbook', 'runbook'])
    expect(detail.runs).toHaveLength(1)
    expect(detail.runs[0]).toMatchObject({ id: run.id, runbook: 'review-test', status: 'succeeded' })
    expect(detail.runs[0]!.steps.map((step) => [step.name, step.status, step.message])).toEqual([
      ['First step', 'done', 'first done'],
      ['Second step', 'done', 'second done']
    ])
    expect(detail.runs[0]!.steps.every((step) => typeof step.durationMs === 'number')).toBe(true)
  })

  it('names a rollout that does not exist', () => {
    expect(() => context.services.review.rollout(999)).toThrow(RampartError)
    expect(() => context.services.review.rollout(999)).toThrow('No rollout #999 in the history file')
  })
})
