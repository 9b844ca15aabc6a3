import { z } from 'zod'
import { parseOrBadInput } from '@main/platform/input-validation'
import { RampartError } from '@shared/errors'
import { RunbookFullRollbackInputSchema, type RunbookFullRollbackInput } from '@shared/runbook-operation-inputs'
import { RUNBOOKS, type FullRollbackOutcome, type FullRollbackResult } from '@shared/runbook-types'
import { requireConfirmation } from '@main/platform/core/destructive-confirmation'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { Clock } from '@main/platform/clock'
import { PREVIOUS_IMAGE_NOTE, switchContainerImage } from './container-image-switch'
import type { DbRollbackInput, DbStatusInput } from '@shared/db-operation-inputs'
import type { DbRollbackResult, DbStatusResult } from '@shared/db-types'
import type { EnvironmentHandle, EnvironmentRegistry } from '@main/flags/environment-registry'
import { DEFAULT_EMERGENCY_TIMINGS, type EmergencyTimings } from './emergency-rollback'
import { disableFlag } from './flag-kill'
import type { RolloutService } from '@main/rollouts/rollout-service'
import type { RegisteredRunbook, RunbookBuild, RunbookStep, RunNotes } from './runbook-definition'
import type { RunbookRunner, RunOptions } from './runbook-runner'
import { verifyUrlsUntil, waitUntilServing } from '@main/docker/service-readiness'

/** What the full rollback needs of the database feature (wired in by the app, which sits above both). */
export interface FullRollbackDatabase {
  status(input: DbStatusInput): Promise<DbStatusResult>
  rollback(input: DbRollbackInput): Promise<DbRollbackResult>
}

export interface FullRollbackDeps {
  environments: EnvironmentRegistry
  docker: { forEnvironment(name: string | undefined): DockerEngine }
  rollout: RolloutService
  /** The database feature's status and rollback (backup, rollback scripts, verification), as the contract has them. */
  database: FullRollbackDatabase
  runbooks: RunbookRunner
  clock: Clock
  actor: string
  timings?: Partial<EmergencyTimings>
}

/** The run's recorded input: the request, resolved and confirmed (the confirmation is the database name, not a secret). */
const RecordedInputSchema = z
  .object({
    environment: z.string(),
    toVersion: z.number().int().min(0),
    image: z.string().nullable(),
    flag: z.string().nullable(),
    reason: z.string(),
    database: z.string(),
    confirmation: z.string().nullable(),
    stopTimeoutSeconds: z.number().int().min(0),
    healthTimeoutMs: z.number().int().min(0),
    pollIntervalMs: z.number().int().min(1)
  })
  .strict()
type RecordedInput = z.infer<typeof RecordedInputSchema>

interface FullRollbackContext {
  input: RecordedInput
  handle: EnvironmentHandle
  engine: DockerEngine
}

interface BackupNote {
  file: string
  sha256: string
  bytes: number
}

const VERIFY_PROBE_TIMEOUT_MS = 5_000

/**
 * The seed's "Full Rollback with Database" as a resumable runbook: disable the flag (when one is
 * named, first, while the service can still answer an HTTP source), stop the service, back up
 * the database, roll its migrations back to a version, optionally put the service on a previous
 * image, start it and verify. Every step checks the state it leaves before acting, so a resume
 * after a crash re-runs the interrupted step safely.
 */
export class FullRollback {
  private readonly timings: EmergencyTimings

  constructor(private readonly deps: FullRollbackDeps) {
    this.timings = { ...DEFAULT_EMERGENCY_TIMINGS, ...deps.timings }
  }

  async run(request: RunbookFullRollbackInput, options: RunOptions = {}): Promise<FullRollbackOutcome> {
    const input = parseOrBadInput(RunbookFullRollbackInputSchema, request, 'full rollback')
    const handle = this.deps.environments.get(input.environment)
    if (input.flag !== undefined) this.deps.environments.requireFlag(handle, input.flag)
    const database = handle.config.postgres.database
    requireConfirmation({
      action: `full rollback to version ${input.toVersion}`,
      environment: handle.name,
      protected: handle.config.protected,
      database,
      ...(input.confirm === undefined ? {} : { confirm: input.confirm }),
      ...(input.confirmation === undefined ? {} : { confirmation: input.confirmation })
    })
    const recorded: RecordedInput = {
      environment: handle.name,
      toVersion: input.toVersion,
      image: input.image ?? null,
      flag: input.flag ?? null,
      reason: input.reason.trim(),
      database,
      confirmation: input.confirmation ?? null,
      stopTimeoutSeconds: input.stopTimeoutSeconds ?? this.timings.stopTimeoutSeconds,
      healthTimeoutMs: this.timings.healthTimeoutMs,
      pollIntervalMs: this.timings.pollIntervalMs
    }
    const run = await this.deps.runbooks.start(RUNBOOKS.fullRollback, recorded, options)
    return { result: run.result as FullRollbackResult, run }
  }

  runbook(): RegisteredRunbook<RecordedInput, FullRollbackContext> {
    return {
      name: RUNBOOKS.fullRollback,
      parseInput: (input) => RecordedInputSchema.parse(input),
      build: (input) => this.build(input)
    }
  }

  private build(input: RecordedInput): RunbookBuild<FullRollbackContext> {
    const handle = this.deps.environments.get(input.environment)
    const service = handle.config.service
    const container = service.container
    const context: FullRollbackContext = { input, handle, engine: this.deps.docker.forEnvironment(handle.name) }
    const flag = input.flag
    const image = input.image
    const steps: Array<RunbookStep<FullRollbackContext>> = [
      ...(flag === null
        ? []
        : [
            {
              name: `Disable ${flag} in ${handle.flagOrigin}`,
              run: (c: FullRollbackContext, report: (message: string) => void, tools: { notes: RunNotes }) =>
                disableFlag(
                  {
                    rollout: this.deps.rollout,
                    handle: c.handle,
                    flag,
                    reason: input.reason,
                    notes: tools.notes,
                    now: () => this.deps.clock.now()
                  },
                  report
                )
            }
          ]),
      { name: `Stop container ${container}`, run: (c, _report, tools) => this.stop(c, tools.runId) },
      // One backup, taken by the database rollback under the migration lock, so no migration can
      // slip in between the dump and the rollback scripts.
      {
        name: `Back up and roll back database ${input.database} to version ${input.toVersion}`,
        run: (_c, _report, tools) => this.rollBackDatabase(input, tools.notes)
      },
      ...(image === null
        ? []
        : [
            {
              name: `Switch container ${container} to image ${image}`,
              run: (
                c: FullRollbackContext,
                report: (message: string) => void,
                tools: { notes: RunNotes; runId: number }
              ) =>
                switchContainerImage(
                  c.engine,
                  {
                    container,
                    image,
                    asideName: `${container}-rampart-run${tools.runId}`,
                    stopTimeoutSeconds: input.stopTimeoutSeconds
                  },
                  tools.notes,
                  report
                )
            }
          ]),
      {
        name: `Start container ${container}`,
        run: async (c) => {
          const info = await c.engine.inspectContainer(container)
          if (info === null)
            throw new RampartError(
              'failed',
              `container ${container} does not exist on the Docker engine at ${c.engine.endpoint.display}`
            )
          if (info.state === 'running') return 'already running'
          await c.engine.startContainer(container)
          return 'started'
        }
      },
      {
        name: 'Verify: health and verify URLs',
        cancellable: true,
        run: async (c, report, tools) => {
          const health = await waitUntilServing({ container, healthUrl: service.health_url }, c.engine, {
            timeoutMs: input.healthTimeoutMs,
            intervalMs: input.pollIntervalMs,
            signal: tools.signal,
            report
          })
          const verified = await verifyUrlsUntil(service.verify_urls, {
            timeoutMs: input.healthTimeoutMs,
            intervalMs: input.pollIntervalMs,
            probeTimeoutMs: VERIFY_PROBE_TIMEOUT_MS,
            signal: tools.signal
          })
          tools.notes.set('health', health.check)
          tools.notes.set('verifiedUrls', verified)
          return [`${health.check} answered after ${Math.round(health.waitedMs)} ms`, ...verified].join('; ')
        }
      }
    ]
    return {
      context,
      definition: {
        runbook: RUNBOOKS.fullRollback,
        environment: handle.name,
        flag,
        reason: input.reason,
        input,
        steps,
        result: (c, notes): FullRollbackResult => ({
          environment: c.input.environment,
          container,
          flag,
          database: c.input.database,
          toVersion: c.input.toVersion,
          fromVersion: notes.get<number>('fromVersion') ?? null,
          backup: notes.get<BackupNote>('backup') ?? null,
          previousImage: notes.get<string>(PREVIOUS_IMAGE_NOTE) ?? null,
          image,
          healthCheck: notes.get<string>('health') ?? '',
          verifiedUrls: notes.get<string[]>('verifiedUrls') ?? []
        })
      }
    }
  }

  /** Stopped or missing-because-it-is-being-switched both count as stopped. */
  private async stop(context: FullRollbackContext, runId: number): Promise<string> {
    const container = context.handle.config.service.container
    const info = await context.engine.inspectContainer(container)
    if (info === null) {
      if ((await context.engine.inspectContainer(`${container}-rampart-run${runId}`)) !== null)
        return `${container} is being replaced by this run; nothing to stop`
      throw new RampartError(
        'failed',
        `container ${container} does not exist on the Docker engine at ${context.engine.endpoint.display}`
      )
    }
    if (info.state !== 'running' && info.state !== 'restarting' && info.state !== 'paused')
      return `already stopped (${info.state})`
    await context.engine.stopContainer(container, { timeoutSeconds: context.input.stopTimeoutSeconds })
    return `stopped (stop timeout ${context.input.stopTimeoutSeconds} s)`
  }

  /**
   * Already at (or below) the target is done, with no backup (nothing is changed); otherwise the
   * database service's rollback: pg_dump backup, rollback scripts, verification.
   */
  private async rollBackDatabase(input: RecordedInput, notes: RunNotes): Promise<string> {
    const status = await this.deps.database.status({ environment: input.environment })
    if (status.currentVersion <= input.toVersion)
      return `${status.database} is at version ${status.currentVersion}; nothing above ${input.toVersion} to roll back`
    if (notes.get('fromVersion') === undefined) notes.set('fromVersion', status.currentVersion)
    const result = await this.deps.database.rollback({
      environment: input.environment,
      toVersion: input.toVersion,
      confirm: true,
      ...(input.confirmation === null ? {} : { confirmation: input.confirmation })
    })
    const backup: BackupNote = { file: result.backup.file, sha256: result.backup.sha256, bytes: result.backup.bytes }
    notes.set('backup', backup)
    return (
      `backed up to ${backup.file} (${backup.bytes} bytes, sha256 ${backup.sha256.slice(0, 12)}…); ` +
      `rolled back ${result.rolledBack.map((migration) => migration.version).join(', ')}: ${status.database} now at version ${result.toVersion}`
    )
  }
}
