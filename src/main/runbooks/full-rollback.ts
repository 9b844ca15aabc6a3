import { z } from 'zod'
import { parseOrBadInput } from '@main/platform/input-validation'
import { RunbookFullRollbackInputSchema, type RunbookFullRollbackInput } from '@shared/runbook-operation-inputs'
import { RUNBOOKS, type FullRollbackOutcome, type FullRollbackResult } from '@shared/runbook-types'
import { requireConfirmation } from '@main/platform/core/destructive-confirmation'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { Clock } from '@main/platform/clock'
import type { DbRollbackInput, DbStatusInput } from '@shared/db-operation-inputs'
import type { DbRollbackResult, DbStatusResult } from '@shared/db-types'
import type { EnvironmentRegistry } from '@main/flags/environment-registry'
import type { RolloutService } from '@main/rollouts/rollout-service'
import { defineRunbook, type BoundRunbook, type Step } from './define-runbook'
import { DEFAULT_EMERGENCY_TIMINGS, type EmergencyTimings } from './emergency-rollback'
import type { RunbookRunner, RunOptions } from './runbook-runner'
import { disableFlagStep, DisableFlagNotesSchema } from './steps/disable-flag'
import { startService } from './steps/start-service'
import { stopService } from './steps/stop-service'
import { switchImage, SwitchImageNotesSchema } from './steps/switch-image'
import { VerifyUrlsNotesSchema } from './steps/verify-urls'
import { verifyServing } from './steps/verify-serving'
import { HealthNotesSchema } from './steps/wait-for-health'

/** What the full rollback needs of the database feature (wired in by the app, which sits above both). */
interface FullRollbackDatabase {
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

/**
 * The run's recorded input: the request, resolved and confirmed (the confirmation is the
 * database name, not a secret).
 */
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

const BackupNoteSchema = z.object({ file: z.string(), sha256: z.string(), bytes: z.number().int() })

const FullRollbackNotesSchema = z.object({
  ...DisableFlagNotesSchema.shape,
  /** The database version before this run rolled it back (absent when it was already at the target). */
  fromVersion: z.number().int(),
  /** The database rollback's own backup. */
  backup: BackupNoteSchema,
  ...SwitchImageNotesSchema.shape,
  ...HealthNotesSchema.shape,
  ...VerifyUrlsNotesSchema.shape
})
type FullRollbackNotes = z.infer<typeof FullRollbackNotesSchema>

const fullRollbackRunbook = defineRunbook({
  name: RUNBOOKS.fullRollback,
  input: RecordedInputSchema,
  notes: FullRollbackNotesSchema,
  context: (input, deps: FullRollbackDeps) => {
    const handle = deps.environments.get(input.environment)
    return { deps, handle, service: handle.config.service, engine: deps.docker.forEnvironment(handle.name) }
  },
  steps: (input, { deps, handle, service, engine }) => [
    input.flag !== null && disableFlagStep(deps, handle, { flag: input.flag, reason: input.reason }),
    stopService(engine, service.container, input.stopTimeoutSeconds),
    // One backup, taken by the database rollback under the migration lock, so no migration can
    // slip in between the dump and the rollback scripts.
    rollBackDatabase(input, deps.database),
    input.image !== null &&
      switchImage(engine, {
        container: service.container,
        image: input.image,
        stopTimeoutSeconds: input.stopTimeoutSeconds
      }),
    startService(engine, service.container),
    verifyServing(engine, service, input)
  ],
  result: (input, notes, { service }): FullRollbackResult => ({
    environment: input.environment,
    container: service.container,
    flag: input.flag,
    database: input.database,
    toVersion: input.toVersion,
    fromVersion: notes.get('fromVersion') ?? null,
    backup: notes.get('backup') ?? null,
    previousImage: notes.get('previousImage') ?? null,
    image: input.image,
    healthCheck: notes.get('health') ?? '',
    verifiedUrls: notes.get('verifiedUrls') ?? []
  })
})

/**
 * The seed's "Full Rollback with Database" as a resumable runbook: disable the flag (when one is
 * named, first, while the service can still answer an HTTP source), stop the service, back up
 * the database, roll its migrations back to a version, optionally put the service on a previous
 * image, start it and verify. Every step checks the state it leaves before acting, so a resume
 * after a crash re-runs the interrupted step safely.
 */
export class FullRollback {
  private readonly timings: EmergencyTimings
  private readonly bound: BoundRunbook<RecordedInput, FullRollbackResult>

  constructor(private readonly deps: FullRollbackDeps) {
    this.timings = { ...DEFAULT_EMERGENCY_TIMINGS, ...deps.timings }
    this.bound = fullRollbackRunbook.bind(deps)
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
      confirm: input.confirm,
      confirmation: input.confirmation
    })
    return this.bound.start(
      {
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
      },
      options
    )
  }

  /** For the registry: how a recorded run is rebuilt. */
  runbook(): BoundRunbook<RecordedInput, FullRollbackResult> {
    return this.bound
  }
}

/**
 * Already at (or below) the target is done, with no backup (nothing is changed); otherwise the
 * database service's rollback: pg_dump backup, rollback scripts, verification.
 */
function rollBackDatabase(input: RecordedInput, database: FullRollbackDatabase): Step<FullRollbackNotes> {
  return {
    name: `Back up and roll back database ${input.database} to version ${input.toVersion}`,
    run: async ({ notes }) => {
      const status = await database.status({ environment: input.environment })
      if (status.currentVersion <= input.toVersion)
        return (
          `${status.database} is at version ${status.currentVersion}; ` +
          `nothing above ${input.toVersion} to roll back`
        )
      if (notes.get('fromVersion') === undefined) notes.set('fromVersion', status.currentVersion)
      const result = await database.rollback({
        environment: input.environment,
        toVersion: input.toVersion,
        confirm: true,
        ...(input.confirmation === null ? {} : { confirmation: input.confirmation })
      })
      const backup = { file: result.backup.file, sha256: result.backup.sha256, bytes: result.backup.bytes }
      notes.set('backup', backup)
      return (
        `backed up to ${backup.file} (${backup.bytes} bytes, sha256 ${backup.sha256.slice(0, 12)}…); ` +
        `rolled back ${result.rolledBack.map((migration) => migration.version).join(', ')}: ` +
        `${status.database} now at version ${result.toVersion}`
      )
    }
  }
}
