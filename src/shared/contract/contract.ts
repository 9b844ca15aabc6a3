import { z } from 'zod'
import { operation, stream, type OperationSpec, type StreamSpec } from './contract-spec'
import { FlagStateSchema } from '../flag-state'
import { ContainerNameSchema, FlagNameSchema, RequestedEnvironmentSchema } from '../schemas/names'
import { ROLLOUT_MOVES } from '../rollout-types'
import type { ChainReport, GuardWindowRecord, HistoryEvent } from '../history-types'
import type {
  EmergencyRollbackOutcome,
  FullRollbackOutcome,
  InterruptedRunbookRun,
  RunbookCancelResult,
  RunbookProgress,
  RunbookRunView
} from '../runbook-types'
import {
  RollbackEmergencyInputSchema,
  RunbookCancelInputSchema,
  RunbookFullRollbackInputSchema,
  RunbookListInputSchema,
  RunbookResumeInputSchema
} from '../runbook-operation-inputs'
import type { LogLine } from '../log-line'
import { ReviewFilterSchema, type RolloutDetailView, type RolloutSummaryView } from '../review-types'
import type { SupervisionNotice } from '../supervision-types'
import type { AppliedMoveResult } from '../rollout-watch-types'
import { DemoDownInputSchema, DemoUpInputSchema, type DemoDownResult, type DemoUpResult } from '../demo-types'
import {
  DbMigrateInputSchema,
  DbRepairInputSchema,
  DbRestoreInputSchema,
  DbRollbackInputSchema,
  DbSetupInputSchema,
  DbStatusInputSchema,
  DbVerifyInputSchema
} from '../db-operation-inputs'
import type {
  DbMigrateResult,
  DbRepairResult,
  DbRestoreResult,
  DbRollbackResult,
  DbStatusResult,
  DbOverview,
  DbVerification,
  TestDbSetupResult
} from '../db-types'
import { ContainerActionInputSchema, type ContainerView } from '../container-types'
import type { FlagEvaluationView, FlagView, RolloutStatusView, WorkspaceView } from '../views'

/**
 * Every operation the console can perform, and every stream it can follow.
 * Main validates each input with these schemas: the renderer is untrusted.
 */
const IsoInstantSchema = z.iso.datetime({ offset: true })

const environment = RequestedEnvironmentSchema.optional()

export const contract = {
  'workspace.describe': operation<WorkspaceView>()(z.object({}).strict()),

  'flags.list': operation<FlagView[]>()(z.object({ environment }).strict()),
  'flags.get': operation<FlagView>()(z.object({ environment, flag: FlagNameSchema }).strict()),
  'flags.evaluate': operation<FlagEvaluationView>()(
    z
      .object({
        environment,
        flag: FlagNameSchema,
        user: z.string().max(4096).optional(),
        at: IsoInstantSchema.optional()
      })
      .strict()
  ),

  'rollout.status': operation<RolloutStatusView>()(z.object({ environment, flag: FlagNameSchema }).strict()),
  // There is no "set percentage": a move is one of the four, and advance goes to the next phase only.
  'rollout.move': operation<AppliedMoveResult>()(
    z
      .object({
        environment,
        flag: FlagNameSchema,
        move: z.enum(ROLLOUT_MOVES),
        reason: z.string().max(2000),
        confirmation: z.string().max(200).optional(),
        // The state the operator was looking at; a different state at write time is refused as drift.
        expected: FlagStateSchema.optional()
      })
      .strict()
  ),

  'history.list': operation<HistoryEvent[]>()(
    z
      .object({
        flag: FlagNameSchema.optional(),
        environment,
        limit: z.number().int().min(1).max(10_000).optional()
      })
      .strict()
  ),
  'history.verify': operation<ChainReport>()(z.object({}).strict()),

  // The reviewer's view, from the history file alone: rollouts, one rollout, its windows, a report.
  'review.rollouts': operation<RolloutSummaryView[]>()(ReviewFilterSchema),
  'review.rollout': operation<RolloutDetailView>()(z.object({ id: z.number().int().min(1) }).strict()),
  'review.windows': operation<{ total: number; windows: GuardWindowRecord[] }>()(
    z
      .object({
        id: z.number().int().min(1),
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(1000)
      })
      .strict()
  ),
  'review.export': operation<{ fileName: string; content: string; events: number; windows: number }>()(
    z.object({ format: z.enum(['md', 'html', 'jsonl']), flag: FlagNameSchema.optional(), environment }).strict()
  ),

  'db.status': operation<DbStatusResult>()(DbStatusInputSchema),
  'db.setup': operation<TestDbSetupResult>()(DbSetupInputSchema),
  'db.migrate': operation<DbMigrateResult>()(DbMigrateInputSchema),
  'db.repair': operation<DbRepairResult>()(DbRepairInputSchema),
  'db.rollback': operation<DbRollbackResult>()(DbRollbackInputSchema),
  // `force` (restoring a file whose checksum is unknown or changed) is for the command line only.
  'db.restore': operation<DbRestoreResult>()(DbRestoreInputSchema.omit({ force: true })),
  'db.verify': operation<DbVerification>()(DbVerifyInputSchema),
  'db.overview': operation<DbOverview>()(z.object({ environment }).strict()),

  // The environment's containers (service, Postgres), and the operator's restart, stop or start of one.
  'docker.containers': operation<ContainerView[]>()(z.object({ environment }).strict()),
  'docker.action': operation<ContainerView>()(ContainerActionInputSchema),

  'demo.up': operation<DemoUpResult>()(DemoUpInputSchema),
  'demo.down': operation<DemoDownResult>()(DemoDownInputSchema),

  // The emergency action: flag off, service restarted when needed, health verified, time to safe recorded.
  'rollback.emergency': operation<EmergencyRollbackOutcome>()(RollbackEmergencyInputSchema),
  'runbook.fullRollback': operation<FullRollbackOutcome>()(RunbookFullRollbackInputSchema),
  // `interrupted: true` lists runs whose process is gone: shown at start, resumable.
  'runbook.list': operation<Array<RunbookRunView | InterruptedRunbookRun>>()(RunbookListInputSchema),
  'runbook.resume': operation<RunbookRunView>()(RunbookResumeInputSchema),
  'runbook.cancel': operation<RunbookCancelResult>()(RunbookCancelInputSchema),

  // The page showed a browser notification of this attention (its `notification` event): recorded too.
  'attention.delivered': operation<{ seq: number }>()(
    z.object({ attentionSeq: z.number().int().min(1), channel: z.literal('browser') }).strict()
  )
} as const

export const streams = {
  // History events as they are recorded by any process sharing the file: after `afterSeq`, or from now on.
  'history.follow': stream<HistoryEvent>()(z.object({ afterSeq: z.number().int().min(0).optional() }).strict()),
  // Main's supervision of every enabled flag's guards: a snapshot, then each change, window, action and attention.
  // Pages only follow it; no page starts or stops a watch (the CLI's `rollout watch` and `guards watch` do).
  'guards.supervision': stream<SupervisionNotice>()(z.object({}).strict()),
  // Live progress of every runbook this process runs (test-db setup, migrations, rollbacks).
  'runbook.progress': stream<RunbookProgress>()(z.object({}).strict()),
  // A container's log lines as they are written (follow, with timestamps), in acknowledged batches.
  'logs.follow': stream<LogLine>()(
    z
      .object({
        environment,
        container: ContainerNameSchema,
        tail: z.number().int().min(0).max(100_000).optional(),
        since: z.string().min(1).max(64).optional(),
        // Plain text only from the console: a /regex/ from an untrusted page could stall main.
        grep: z
          .string()
          .min(1)
          .max(500)
          .refine(
            (text) => !(text.length > 1 && text.startsWith('/') && text.endsWith('/')),
            'regular expressions are accepted only on the command line'
          )
          .optional(),
        eventType: z.string().min(1).max(200).optional()
      })
      .strict()
  )
} as const

type Contract = typeof contract
type Streams = typeof streams
export type OperationName = keyof Contract
export type StreamName = keyof Streams

export type InputOf<N extends OperationName> = z.input<Contract[N]['input']>
export type ParsedInputOf<N extends OperationName> = z.output<Contract[N]['input']>
export type OutputOf<N extends OperationName> = Contract[N] extends OperationSpec<z.ZodType, infer O> ? O : never

export type StreamInputOf<N extends StreamName> = z.input<Streams[N]['input']>
export type ParsedStreamInputOf<N extends StreamName> = z.output<Streams[N]['input']>
export type StreamItemOf<N extends StreamName> = Streams[N] extends StreamSpec<z.ZodType, infer T> ? T : never

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(contract, name)
}

export function isStreamName(name: unknown): name is StreamName {
  return typeof name === 'string' && Object.hasOwn(streams, name)
}
