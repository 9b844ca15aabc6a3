import { z } from 'zod'
import { parseOrBadInput } from '@main/platform/input-validation'
import { RampartError } from '@shared/errors'
import { RollbackEmergencyInputSchema, type RollbackEmergencyInput } from '@shared/runbook-operation-inputs'
import { RUNBOOKS, type EmergencyRollbackOutcome, type EmergencyRollbackResult } from '@shared/runbook-types'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { HistoryStore } from '@main/history/history-store'
import type { Clock } from '@main/platform/clock'
import type { EnvironmentHandle, EnvironmentRegistry } from '@main/flags/environment-registry'
import { disableFlag, FLAG_KILL_NOTE, type FlagKillNote } from './flag-kill'
import type { RolloutService } from '@main/rollouts/rollout-service'
import type { RegisteredRunbook, RunbookBuild, RunbookStep, RunNotes } from './runbook-definition'
import type { RunbookRunner, RunOptions } from './runbook-runner'
import { verifyUrlsUntil, waitUntilServing } from '@main/docker/service-readiness'
import { captureLogLines } from '@main/docker/service-log-capture'

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

interface EmergencyContext {
  input: RecordedInput
  handle: EnvironmentHandle
  engine: DockerEngine
}

const LOG_LINES = 50
const VERIFY_PROBE_TIMEOUT_MS = 5_000

/**
 * The seed's "Emergency Rollback (< 5 minutes)", done in seconds: the intent is recorded, then a
 * resumable runbook disables the flag in its source, restarts the service container when the
 * source is an env file (the service reads it at start), waits for health, checks the verify
 * URLs, captures the last 50 log lines and records the time from intent to verified safe.
 */
export class EmergencyRollback {
  private readonly timings: EmergencyTimings

  constructor(private readonly deps: EmergencyRollbackDeps) {
    this.timings = { ...DEFAULT_EMERGENCY_TIMINGS, ...deps.timings }
  }

  async run(request: RollbackEmergencyInput, options: RunOptions = {}): Promise<EmergencyRollbackOutcome> {
    const input = parseOrBadInput(RollbackEmergencyInputSchema, request, 'emergency rollback')
    const handle = this.deps.environments.get(input.environment)
    this.deps.environments.requireFlag(handle, input.flag)
    const reason = input.reason.trim()
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
    const recorded: RecordedInput = {
      environment: handle.name,
      flag: input.flag,
      reason,
      intentSeq: intent.seq,
      intentAt: intent.at,
      stopTimeoutSeconds: input.stopTimeoutSeconds ?? this.timings.stopTimeoutSeconds,
      healthTimeoutMs: this.timings.healthTimeoutMs,
      pollIntervalMs: this.timings.pollIntervalMs
    }
    const run = await this.deps.runbooks.start(RUNBOOKS.emergencyRollback, recorded, options)
    return { result: run.result as EmergencyRollbackResult, run }
  }

  /** For the registry: how a recorded run is rebuilt. */
  runbook(): RegisteredRunbook<RecordedInput, EmergencyContext> {
    return {
      name: RUNBOOKS.emergencyRollback,
      parseInput: (input) => RecordedInputSchema.parse(input),
      build: (input) => this.build(input)
    }
  }

  private build(input: RecordedInput): RunbookBuild<EmergencyContext> {
    const handle = this.deps.environments.get(input.environment)
    const context: EmergencyContext = { input, handle, engine: this.deps.docker.forEnvironment(handle.name) }
    const service = handle.config.service
    const restartNeeded = handle.flagSource.kind === 'env-file'
    const steps: Array<RunbookStep<EmergencyContext>> = [
      {
        name: `Disable ${input.flag} in ${handle.flagOrigin}`,
        run: (c, report, tools) => this.disable(c, tools.notes, report)
      },
      ...(restartNeeded
        ? [
            {
              name: `Restart container ${service.container}`,
              run: (c: EmergencyContext, _r: unknown, tools: { notes: RunNotes }) => this.restart(c, tools.notes)
            }
          ]
        : []),
      {
        name: `Wait for health: ${service.health_url ?? `container ${service.container}`}`,
        cancellable: true,
        run: async (c, report, tools) => {
          const outcome = await waitUntilServing(
            { container: service.container, healthUrl: service.health_url },
            c.engine,
            {
              timeoutMs: input.healthTimeoutMs,
              intervalMs: input.pollIntervalMs,
              signal: tools.signal,
              report
            }
          )
          tools.notes.set('health', outcome.check)
          return `${outcome.check} answered after ${Math.round(outcome.waitedMs)} ms (${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'})`
        }
      },
      {
        name:
          service.verify_urls.length === 0
            ? 'Check verify URLs (none configured)'
            : `Check ${service.verify_urls.length} verify URL${service.verify_urls.length === 1 ? '' : 's'}`,
        cancellable: true,
        run: async (_c, _report, tools) => {
          const verified = await verifyUrlsUntil(service.verify_urls, {
            timeoutMs: input.healthTimeoutMs,
            intervalMs: input.pollIntervalMs,
            probeTimeoutMs: VERIFY_PROBE_TIMEOUT_MS,
            signal: tools.signal
          })
          tools.notes.set('verifiedUrls', verified)
          // The first verification is when it became safe; a re-run after a crash keeps it.
          if (tools.notes.get('safeAt') === undefined) tools.notes.set('safeAt', this.deps.clock.now().toISOString())
          return verified.length === 0 ? 'no verify URLs configured' : verified.join(', ')
        }
      },
      {
        name: `Capture the last ${LOG_LINES} log lines of ${service.container}`,
        run: async (c, _report, tools) => {
          const captured = await captureLogLines(c.engine, service.container, LOG_LINES)
          tools.notes.set('logLines', captured.lines)
          return captured.problem ?? `${captured.lines.length} lines captured`
        }
      },
      {
        name: 'Record the time to safe',
        run: (c, _report, tools) => Promise.resolve(this.recordTimeToSafe(c, tools.notes, tools.runId))
      }
    ]
    return {
      context,
      definition: {
        runbook: RUNBOOKS.emergencyRollback,
        environment: handle.name,
        flag: input.flag,
        reason: input.reason,
        input,
        steps,
        result: (c, notes) => resultOf(c.input, notes, restartNeeded)
      }
    }
  }

  private disable(context: EmergencyContext, notes: RunNotes, report: (message: string) => void): Promise<string> {
    const { input, handle } = context
    return disableFlag(
      {
        rollout: this.deps.rollout,
        handle,
        flag: input.flag,
        reason: input.reason,
        notes,
        now: () => this.deps.clock.now()
      },
      report
    )
  }

  /**
   * Restarts the container so it reads the file again. Before restarting, the container's start
   * time is noted: a re-run that finds a later start knows the restart happened (clock-free,
   * so a remote engine's clock does not matter).
   */
  private async restart(context: EmergencyContext, notes: RunNotes): Promise<string> {
    const { engine, input } = context
    const container = context.handle.config.service.container
    const info = await engine.inspectContainer(container)
    if (info === null)
      throw new RampartError(
        'failed',
        `container ${container} does not exist on the Docker engine at ${engine.endpoint.display}; the flag is disabled in the file, but nothing is serving it`
      )
    const before = notes.get<string | null>('startedBeforeRestart')
    if (before !== undefined && info.state === 'running' && info.startedAt !== before) {
      notes.set('restarted', true)
      return `already restarted (started at ${info.startedAt})`
    }
    notes.set('startedBeforeRestart', info.startedAt)
    await engine.restartContainer(container, { timeoutSeconds: input.stopTimeoutSeconds })
    notes.set('restarted', true)
    return `restarted (stop timeout ${input.stopTimeoutSeconds} s)`
  }

  private recordTimeToSafe(context: EmergencyContext, notes: RunNotes, runId: number): string {
    const { input } = context
    const safeAt = notes.get<string>('safeAt')
    if (safeAt === undefined)
      throw new RampartError(
        'failed',
        `run #${runId} has no verified-safe time on record; the verify step must run first`
      )
    const timeToSafeMs = Date.parse(safeAt) - Date.parse(input.intentAt)
    const recordedSeq = notes.get<number>('safeEventSeq')
    if (recordedSeq !== undefined)
      return `${formatMs(timeToSafeMs)} from intent to verified safe (recorded as event #${recordedSeq})`
    const event = this.deps.history.events.appendEvent({
      kind: 'kill',
      actor: this.deps.actor,
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
        healthCheck: notes.get<string>('health') ?? null,
        verifiedUrls: notes.get<string[]>('verifiedUrls') ?? []
      }
    })
    notes.set('safeEventSeq', event.seq)
    return `${formatMs(timeToSafeMs)} from intent to verified safe (recorded as event #${event.seq})`
  }
}

function resultOf(input: RecordedInput, notes: RunNotes, restartNeeded: boolean): EmergencyRollbackResult {
  const safeAt = notes.get<string>('safeAt') ?? input.intentAt
  const killed = notes.get<FlagKillNote>(FLAG_KILL_NOTE)
  return {
    flag: input.flag,
    environment: input.environment,
    intentAt: input.intentAt,
    safeAt,
    timeToSafeMs: Date.parse(safeAt) - Date.parse(input.intentAt),
    alreadyDisabled: killed?.alreadyDisabled ?? false,
    restarted: restartNeeded && notes.get<boolean>('restarted') === true,
    healthCheck: notes.get<string>('health') ?? '',
    verifiedUrls: notes.get<string[]>('verifiedUrls') ?? [],
    logLines: notes.get<string[]>('logLines') ?? []
  }
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`
}
