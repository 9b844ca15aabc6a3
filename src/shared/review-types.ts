import { z } from 'zod'
import type { HistoryEvent } from './history-types'
import type { RunbookRunView } from './runbook-types'
import { FlagNameSchema, RequestedEnvironmentSchema } from './schemas/names'

/** How a rollout ended, as a reviewer reads it (a replayed incident is a rollout of its own). */
const ROLLOUT_OUTCOMES = ['completed', 'rolled_back', 'killed', 'in_progress', 'replayed'] as const
export type RolloutOutcome = (typeof ROLLOUT_OUTCOMES)[number]

/** One rollout, from the move that started it to the one that ended it. */
export interface RolloutSummaryView {
  /** The seq of its first event: stable, and unique in the history file. */
  id: number
  flag: string
  environment: string
  startedAt: string
  /** Null while it is in progress. */
  endedAt: string | null
  /** The highest percentage it exposed, or null when no event carried one. */
  highestPhase: number | null
  outcome: RolloutOutcome
  /** Who moved it (an applied move's actor); the first event's actor when nobody moved it. */
  actors: string[]
  events: number
  trips: number
  /** From the emergency rollback's intent to verified safe, when one ended it. */
  timeToSafeMs: number | null
  lastSeq: number
}

const IsoInstant = z.iso.datetime({ offset: true })

export const ReviewFilterSchema = z
  .object({
    flag: FlagNameSchema.optional(),
    environment: RequestedEnvironmentSchema.optional(),
    /** Rollouts active at or after this instant. */
    from: IsoInstant.optional(),
    /** Rollouts started at or before this instant. */
    to: IsoInstant.optional(),
    outcome: z.enum(ROLLOUT_OUTCOMES).optional(),
    /** Text found in the flag, environment, an actor or a reason (case-insensitive). */
    search: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(10_000).optional()
  })
  .strict()
export type ReviewFilter = z.infer<typeof ReviewFilterSchema>

/** The thresholds a chart draws: the error-rate limit, and the latency limit as a factor of control p95. */
export interface ChartThresholds {
  maxErrorRate: number
  maxLatencyDegradation: number
}

/**
 * A rollout's guard windows for a chart: one point per window while they fit, else one per bucket
 * of neighbouring windows with the worst figures and decision in it, so no breach or trip is lost
 * when the chart cannot show every window.
 */
export interface GuardChartView {
  points: GuardChartPoint[]
  /** How many windows each point stands for (1: not downsampled). */
  windowsPerPoint: number
  windows: number
  thresholds: ChartThresholds | null
}

/** A chart point as the history file aggregates it: severity 0 pass, 1 hold, 2 breach, 3 trip. */
export interface AggregatedWindows {
  windowStart: string
  treatmentErrorRate: number | null
  treatmentP95Ms: number | null
  controlP95Ms: number | null
  severity: number
}

export interface GuardChartPoint {
  /** The first window's start, epoch milliseconds. */
  startMs: number
  treatmentErrorRate: number | null
  treatmentP95Ms: number | null
  controlP95Ms: number | null
  /** The worst decision among the windows it stands for. */
  decision: 'pass' | 'hold' | 'breach' | 'trip'
}

/** A rollout's windows at a glance, for a report's summary table and the Review page. */
export interface WindowSummary {
  windows: number
  pass: number
  hold: number
  breach: number
  trip: number
  maxTreatmentErrorRate: number | null
  maxTreatmentP95Ms: number | null
  first: string | null
  last: string | null
}

export interface RolloutDetailView {
  summary: RolloutSummaryView
  events: HistoryEvent[]
  chart: GuardChartView
  windowSummary: WindowSummary
  /** The runbook runs its events name (`detail.runId`), with their steps, oldest first. */
  runs: RunbookRunView[]
}
