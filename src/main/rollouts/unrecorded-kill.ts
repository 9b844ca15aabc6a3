import { RampartError } from '@shared/errors'
import type { FlagState } from '@shared/flag-state'
import type { ServiceApplyView } from '@shared/rollout-watch-types'
import type { DockerEngine } from '@main/docker/docker-engine'
import { verifyUrlsUntil, waitUntilServing } from '@main/docker/service-readiness'
import { describeFlagVariableProblem } from '@main/flags/core/flag-env-mapping'
import type { EnvironmentRegistry } from '@main/flags/environment-registry'
import { journalKill, pendingKillsPath } from '@main/history/pending-kills'
import type { Clock } from '@main/platform/clock'
import { ServiceRestartApplier } from './flag-change-apply'
import { KILL_LOCK_WAIT_MS } from './rollout-service'

export interface UnrecordedKillRequest {
  environment?: string
  flag: string
  reason: string
  /** Why the history file could not take the kill (named in the journal and the output). */
  why: string
  /** false: write only (`--no-restart`). */
  restart?: boolean
  /** Also check the verify URLs after the restart (the emergency rollback's last check). */
  verifyUrls?: boolean
  /** The recorded path already journaled the write it made before the history failed: journal nothing more for it. */
  alreadyJournaled?: boolean
  signal?: AbortSignal
}

export interface UnrecordedKillResult {
  environment: string
  flag: string
  origin: string
  /** The state before the kill (null when the flag was found disabled already). */
  from: FlagState | null
  to: FlagState
  alreadyDisabled: boolean
  /** Values the kill went past (a bad percentage elsewhere in the flag's variables). */
  unreadable: string[]
  service: ServiceApplyView
  verifiedUrls: string[]
  why: string
  /** Where the kill was journaled for the history, or why it could not be. */
  journal: { file: string; ok: true } | { file: string; ok: false; error: string }
  startedAt: string
  safeAt: string
}

const VERIFY_PROBE_TIMEOUT_MS = 5_000
const WRITE_ATTEMPTS = 5

/**
 * The emergency kill without the history file (docs/runbooks.md "When the history cannot be
 * written"): the flag is disabled under the move lock (waiting for a move in progress like every
 * kill), the kill is journaled beside the history file for the next Rampart that can write it,
 * and the service is restarted (env file) and verified exactly as on the recorded path.
 */
export class UnrecordedKill {
  private readonly applier: ServiceRestartApplier

  constructor(
    private readonly deps: {
      environments: EnvironmentRegistry
      docker: { forEnvironment(name: string | undefined): DockerEngine }
      historyPath: string
      actor: string
      clock: Clock
      timings?: { healthTimeoutMs?: number; pollIntervalMs?: number; stopTimeoutSeconds?: number }
    }
  ) {
    this.applier = new ServiceRestartApplier({
      environments: deps.environments,
      docker: deps.docker,
      history: null,
      ...(deps.timings === undefined ? {} : { timings: deps.timings })
    })
  }

  async kill(request: UnrecordedKillRequest): Promise<UnrecordedKillResult> {
    const handle = this.deps.environments.get(request.environment)
    this.deps.environments.requireFlag(handle, request.flag)
    const startedAt = this.deps.clock.now().toISOString()
    const attempt = await handle.moveLock.acquireWithin(this.deps.actor, KILL_LOCK_WAIT_MS)
    if (!attempt.acquired) {
      const who = attempt.holder === null ? 'another Rampart' : `${attempt.holder.actor} (pid ${attempt.holder.pid})`
      throw new RampartError(
        'conflict',
        `cannot disable ${request.flag} in ${handle.name}: ${who} has held the move lock ${attempt.path} ` +
          `for more than ${KILL_LOCK_WAIT_MS / 1000} s (and the history file cannot be written: ${request.why})`
      )
    }
    let from: FlagState | null = null
    let to: FlagState
    let unreadable: string[] = []
    try {
      // A hand edit between the read and the write fails the revision check: read again, as the kill step does.
      for (let tries = 1; ; tries++) {
        const snapshot = await handle.flagSource.read(request.flag, { forKill: true })
        unreadable = (snapshot.unreadable ?? []).map(describeFlagVariableProblem)
        to = snapshot.state
        if (!snapshot.state.enabled) break
        try {
          const written = await handle.flagSource.write(request.flag, { enabled: false }, snapshot.revision, {
            forKill: true
          })
          from = snapshot.state
          to = written.state
          break
        } catch (error) {
          if (!(error instanceof RampartError) || error.code !== 'conflict' || tries >= WRITE_ATTEMPTS) throw error
        }
      }
    } finally {
      await attempt.release()
    }
    const journal =
      from === null && request.alreadyJournaled === true
        ? { file: pendingKillsPath(this.deps.historyPath), ok: true as const }
        : this.journal(request, handle.name, handle.flagSource.kind, handle.flagOrigin, from, to, unreadable)
    const service = await this.applier.apply({
      environment: handle.name,
      flag: request.flag,
      eventSeq: null,
      restart: request.restart !== false,
      ...(request.signal === undefined ? {} : { signal: request.signal })
    })
    const serving = service.outcome === 'restarted' || service.outcome === 'not_needed'
    const wait = {
      timeoutMs: this.deps.timings?.healthTimeoutMs ?? 30_000,
      intervalMs: this.deps.timings?.pollIntervalMs ?? 100,
      signal: request.signal ?? new AbortController().signal
    }
    let verifiedUrls: string[] = []
    if (request.verifyUrls === true && serving) {
      // A restart already waited for health; a flag API applied at once, so its service is checked here.
      if (service.outcome === 'not_needed') {
        const { container, health_url: healthUrl } = handle.config.service
        await waitUntilServing({ container, healthUrl }, this.deps.docker.forEnvironment(handle.name), wait)
      }
      verifiedUrls = await verifyUrlsUntil(handle.config.service.verify_urls, {
        ...wait,
        probeTimeoutMs: VERIFY_PROBE_TIMEOUT_MS
      })
    }
    return {
      environment: handle.name,
      flag: request.flag,
      origin: handle.flagOrigin,
      from,
      to,
      alreadyDisabled: from === null,
      unreadable,
      service,
      verifiedUrls,
      why: request.why,
      journal,
      startedAt,
      safeAt: this.deps.clock.now().toISOString()
    }
  }

  /** Journaled right after the write, before the restart: a crash during the restart keeps the record. */
  private journal(
    request: UnrecordedKillRequest,
    environment: string,
    source: string,
    origin: string,
    from: FlagState | null,
    to: FlagState,
    unreadable: string[]
  ): UnrecordedKillResult['journal'] {
    const file = pendingKillsPath(this.deps.historyPath)
    try {
      journalKill(this.deps.historyPath, {
        journaledAt: this.deps.clock.now().toISOString(),
        why: request.why,
        event: {
          kind: 'kill',
          actor: this.deps.actor,
          flag: request.flag,
          environment,
          reason: request.reason.trim(),
          fromState: from,
          toState: to,
          outcome: from === null ? 'already_disabled' : 'applied',
          detail: { move: 'kill', source, origin, ...(unreadable.length === 0 ? {} : { unreadable }) }
        }
      })
      return { file, ok: true }
    } catch (error) {
      // The kill goes on (restart, verify) even when nothing can record it: the flag is what matters now.
      return { file, ok: false, error: error instanceof Error ? error.message : String(error) }
    }
  }
}

/**
 * The kill went through without the history file: the flag is off, the service restarted and
 * verified, the event journaled (or not even that). An error for callers that need a recorded
 * event (the console's move, a runbook); the CLI shows `result` and ends by the journal's fate.
 */
export class KillNotRecordedError extends RampartError {
  constructor(readonly result: UnrecordedKillResult) {
    super('failed', describeUnrecordedKill(result), { unrecordedKill: result })
    this.name = 'KillNotRecordedError'
  }
}

/** One paragraph: what was done, and that the history does not have it yet. */
export function describeUnrecordedKill(result: UnrecordedKillResult): string {
  const done = result.alreadyDisabled
    ? `${result.flag} was already disabled in ${result.origin}`
    : `${result.flag} is disabled in ${result.origin}`
  const urls = result.verifiedUrls.length === 0 ? '' : `; verified ${result.verifiedUrls.join(', ')}`
  const kept = result.journal.ok
    ? `it was journaled in ${result.journal.file}, and the next Rampart that can write the history adds it to the chain`
    : `it could not be journaled in ${result.journal.file} either (${result.journal.error}): note it by hand`
  return (
    `${done} (service: ${result.service.message}${urls}), but the kill is NOT RECORDED in the history ` +
    `(${result.why}); ${kept}`
  )
}

/** The recorded path disabled the flag and journaled the kill before the history failed (RolloutService). */
export function killJournaled(error: unknown): boolean {
  return (
    error instanceof RampartError && (error.detail as { killJournaled?: unknown } | undefined)?.killJournaled === true
  )
}
