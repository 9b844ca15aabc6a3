import { z } from 'zod'
import { parseOrBadInput } from '@main/platform/input-validation'
import { RampartError } from '@shared/errors'
import { RollbackEmergencyInputSchema, type RollbackEmergencyInput } from '@shared/runbook-operation-inputs'
import { RUNBOOKS, type EmergencyRollbackOutcome, type EmergencyRollbackResult } from '@shared/runbook-types'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { HistoryStore } from '@main/history/history-store'
import type { Clock } from '@main/platform/clock'
import type { EnvironmentHandle, EnvironmentRegistry } from '@main/flags/environment-registry'
import { historyFailure } from '@main/history/history-file'
import type { RolloutService } from '@main/rollouts/rollout-service'
import { killJournaled, KillNotRecordedError, type UnrecordedKill } from '@main/rollouts/unrecorded-kill'
import { defineRunbook, type BoundRunbook, type Step, type TypedNotes } from './define-runbook'
import type { RunbookRunner, RunOptions } from './runbook-runner'
import { captureLogs, CaptureLogsNotesSchema } from './steps/capture-logs'
import { disableFlagStep, DisableFlagNotesSchema, FLAG_KILL_NOTE } from './steps/disable-flag'
import { restartService, RestartServiceNotesSchema } from './steps/restart-service'
import { verifyUrls, VerifyUrlsNotesSchema, type VerifyUrlsNotes } from './steps/verify-urls'
import { HealthNotesSchema, waitForHealth } from './steps/wait-for-health'

/** Timings, short by default: every second here is a second of the incident. */
export interface EmergencyTimings {
  /** SIGTERM, then SIGKILL after this long (the demo service exits on SIGTERM at once). */
  stopTimeoutSeconds: number
  healthTimeoutMs: number
  pollIntervalMs: number
}

export const DEFAULT_EMERGENCY_TIMINGS: EmergencyTimings = {
  stopTimeoutSeconds: 5,
  healthTimeoutMs: 30_000,
  pollIntervalMs: 10
}

export interface EmergencyRollbackDeps {
  environments: EnvironmentRegistry
  docker: { forEnvironment(name: string | undefined): DockerEngine }
  rollout: RolloutService
  history: Pick<HistoryStore, 'events'>
  runbooks: RunbookRunner
  clock: Clock
  actor: string
  timings?: Partial<EmergencyTimings>
  /** The kill without the history file, when the run's records cannot be written. */
  unrecordedKill?: Pick<UnrecordedKill, 'kill'>
}

/** What the run records as its input: enough to rebuild it after a crash, no secrets. */
const RecordedInputSchema = z
  .object({
    environment: z.string(),
    flag: z.string(),
    reason: z.string(),
    intentSeq: z.number().int(),
    intentAt: z.string(),
    stopTimeoutSeconds: z.number().int().min(0),
    healthTimeoutMs: z.number().int().min(0),
    pollIntervalMs: z.number().int().min(1)
  })
  .strict()
type RecordedInput = z.infer<typeof RecordedInputSchema>

const EmergencyNotesSchema = z.object({
  ...DisableFlagNotesSchema.shape,
  ...RestartServiceNotesSchema.shape,
  ...HealthNotesSchema.shape,
  ...VerifyUrlsNotesSchema.shape,
  /** When the verify URLs first answered: the service was safe from then on. */
  safeAt: z.string(),
  ...CaptureLogsNotesSchema.shape,
  /** The 'verified_safe' event, once recorded, so a re-run does not record it twice. */
  safeEventSeq: z.number().int()
})
type EmergencyNotes = z.infer<typeof EmergencyNotesSchema>

const LOG_LINES = 50

const emergencyRollbackRunbook = defineRunbook({
  name: RUNBOOKS.emergencyRollback,
  input: RecordedInputSchema,
  notes: EmergencyNotesSchema,
  context: (input, deps: EmergencyRollbackDeps) => {
    const handle = deps.environments.get(input.environment)
    return {
      deps,
      handle,
      service: handle.config.service,
      engine: deps.docker.forEnvironment(handle.name),
      // The service reads an env file only when it starts: a flag written there needs a restart.
      restartNeeded: handle.flagSource.kind === 'env-file'
    }
  },
  steps: (input, { deps, handle, service, engine, restartNeeded }) => [
    disableFlagStep(deps, handle, input),
    restartNeeded && restartService(engine, service.container, input.stopTimeoutSeconds),
    waitForHealth(engine, service, input),
    notingSafeTime(verifyUrls(service.verify_urls, input), deps.clock),
    captureLogs(engine, service.container, LOG_LINES),
    recordTimeToSafe(input, deps)
  ],
  result: (input, notes, { restartNeeded }) => resultOf(input, notes, restartNeeded)
})

/**
 * The seed's "Emergency Rollback (< 5 minutes)", done in seconds: the intent is recorded, then a
 * resumable runbook disables the flag in its source, restarts the service container when the
 * source is an env file (the service reads it at start), waits for health, checks the verify
 * URLs, captures the last 50 log lines and records the time from intent to verified safe.
 */
export class EmergencyRollback {
  private readonly timings: EmergencyTimings
  private readonly bound: BoundRunbook<RecordedInput, EmergencyRollbackResult>

  constructor(private readonly deps: EmergencyRollbackDeps) {
    this.timings = { ...DEFAULT_EMERGENCY_TIMINGS, ...deps.timings }
    this.bound = emergencyRollbackRunbook.bind(deps)
  }

  async run(request: RollbackEmergencyInput, options: RunOptions = {}): Promise<EmergencyRollbackOutcome> {
    const input = parseOrBadInput(RollbackEmergencyInputSchema, request, 'emergency rollback')
    const handle = this.deps.environments.get(input.environment)
    this.deps.environments.requireFlag(handle, input.flag)
    const reason = input.reason.trim()
    try {
      return await this.runRecorded(handle, input, reason, options)
    } catch (error) {
      // When the run's records cannot be written, the plain kill path: write, restart, verify, journaled.
      const why = historyFailure(error)
      if (why === null || this.deps.unrecordedKill === undefined) throw error
      const unrecorded = await this.deps.unrecordedKill.kill({
        environment: handle.name,
        flag: input.flag,
        reason,
        why,
        verifyUrls: true,
        alreadyJournaled: killJournaled(error),
        ...(options.signal === undefined ? {} : { signal: options.signal })
      })
      throw new KillNotRecordedError(unrecorded)
    }
  }

  private async runRecorded(
    handle: EnvironmentHandle,
    input: RollbackEmergencyInput,
    reason: string,
    options: RunOptions
  ): Promise<EmergencyRollbackOutcome> {
    // The intent goes on record before anything is touched, so even a run that cannot start is on the timeline.
    const intent = this.deps.history.events.appendEvent({
      kind: 'kill',
      actor: this.deps.actor,
      flag: input.flag,
      environment: handle.name,
      reason,
      outcome: 'intent',
      detail: {
        runbook: RUNBOOKS.emergencyRollback,
        source: handle.flagSource.kind,
        origin: handle.flagOrigin,
        container: handle.config.service.container
      }
    })
    return this.bound.start(
      {
        environment: handle.name,
        flag: input.flag,
        reason,
        intentSeq: intent.seq,
        intentAt: intent.at,
        stopTimeoutSeconds: input.stopTimeoutSeconds ?? this.timings.stopTimeoutSeconds,
        healthTimeoutMs: this.timings.healthTimeoutMs,
        pollIntervalMs: this.timings.pollIntervalMs
      },
      options
    )
  }

  /** For the registry: how a recorded run is rebuilt. */
  runbook(): BoundRunbook<RecordedInput, EmergencyRollbackResult> {
    return this.bound
  }
}

/** The first verification is when the service became safe; a re-run after a crash keeps it. */
function notingSafeTime(
  step: Step<VerifyUrlsNotes>,
  clock: Clock
): Step<Pick<EmergencyNotes, 'verifiedUrls' | 'safeAt'>> {
  return {
    ...step,
    run: async (kit) => {
      const summary = await step.run(kit)
      if (kit.notes.get('safeAt') === undefined) kit.notes.set('safeAt', clock.now().toISOString())
      return summary
    }
  }
}

function recordTimeToSafe(input: RecordedInput, deps: EmergencyRollbackDeps): Step<EmergencyNotes> {
  return {
    name: 'Record the time to safe',
    run: async ({ notes, runId }) => {
      const safeAt = notes.get('safeAt')
      if (safeAt === undefined)
        throw new RampartError(
          'failed',
          `run #${runId} has no verified-safe time on record; the verify step must run first`
        )
      const timeToSafeMs = Date.parse(safeAt) - Date.parse(input.intentAt)
      const recordedSeq = notes.get('safeEventSeq')
      if (recordedSeq !== undefined)
        return `${formatMs(timeToSafeMs)} from intent to verified safe (recorded as event #${recordedSeq})`
      const event = deps.history.events.appendEvent({
        kind: 'kill',
        actor: deps.actor,
        flag: input.flag,
        environment: input.environment,
        reason: input.reason,
        outcome: 'verified_safe',
        detail: {
          runbook: RUNBOOKS.emergencyRollback,
          runId,
          intentSeq: input.intentSeq,
          intentAt: input.intentAt,
          safeAt,
          timeToSafeMs,
          healthCheck: notes.get('health') ?? null,
          verifiedUrls: notes.get('verifiedUrls') ?? []
        }
      })
      notes.set('safeEventSeq', event.seq)
      return `${formatMs(timeToSafeMs)} from intent to verified safe (recorded as event #${event.seq})`
    }
  }
}

function resultOf(
  input: RecordedInput,
  notes: TypedNotes<EmergencyNotes>,
  restartNeeded: boolean
): EmergencyRollbackResult {
  const safeAt = notes.get('safeAt') ?? input.intentAt
  return {
    flag: input.flag,
    environment: input.environment,
    intentAt: input.intentAt,
    safeAt,
    timeToSafeMs: Date.parse(safeAt) - Date.parse(input.intentAt),
    alreadyDisabled: notes.get(FLAG_KILL_NOTE)?.alreadyDisabled ?? false,
    restarted: restartNeeded && notes.get('restarted') === true,
    healthCheck: notes.get('health') ?? '',
    verifiedUrls: notes.get('verifiedUrls') ?? [],
    logLines: notes.get('logLines') ?? []
  }
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`
}
