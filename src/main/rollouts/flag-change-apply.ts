import { performance } from 'node:perf_hooks'
import type { UnappliedMoveDetail } from '@shared/error-details'
import { RampartError } from '@shared/errors'
import type { ServiceApplyView } from '@shared/rollout-watch-types'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { HistoryStore } from '@main/history/history-store'
import type { EnvironmentRegistry } from '@main/flags/environment-registry'
import { waitUntilServing } from '@main/docker/service-readiness'

export interface FlagChangeApplyTimings {
  /** SIGTERM, then SIGKILL after this long. */
  stopTimeoutSeconds: number
  healthTimeoutMs: number
  pollIntervalMs: number
}

const DEFAULT_TIMINGS: FlagChangeApplyTimings = { stopTimeoutSeconds: 10, healthTimeoutMs: 60_000, pollIntervalMs: 100 }

export interface FlagChangeApplyRequest {
  environment: string
  flag: string
  /** The event that recorded the change, named in the Docker action record; null: a kill the history could not take. */
  eventSeq: number | null
  /** false: write only; the service picks the change up at its next start. */
  restart?: boolean
  signal?: AbortSignal
}

/** Makes a written flag change reach the running service. */
export interface FlagChangeApplier {
  apply(request: FlagChangeApplyRequest): Promise<ServiceApplyView>
}

/**
 * The service reads its env file at start (docs/design.md "Feature flags → Sources"), so a change written there is
 * applied by restarting its container and waiting until it serves again; the HTTP API applies a
 * change at once. A container that is not there or not running is left alone: it reads the file
 * when it starts. Each restart is recorded as a Docker action.
 */
export class ServiceRestartApplier implements FlagChangeApplier {
  private readonly timings: FlagChangeApplyTimings

  constructor(
    private readonly deps: {
      environments: EnvironmentRegistry
      docker: { forEnvironment(name: string | undefined): DockerEngine }
      /** Where restarts are recorded; null for the kill that goes on without the history file. */
      history: Pick<HistoryStore, 'operations'> | null
      timings?: Partial<FlagChangeApplyTimings>
    }
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...deps.timings }
  }

  async apply(request: FlagChangeApplyRequest): Promise<ServiceApplyView> {
    const handle = this.deps.environments.get(request.environment)
    const service = handle.config.service
    const container = service.container
    if (handle.flagSource.kind !== 'env-file') {
      return {
        outcome: 'not_needed',
        container: null,
        message: `the flag API at ${handle.flagOrigin} applies changes at once`,
        durationMs: 0
      }
    }
    if (request.restart === false) {
      return {
        outcome: 'skipped',
        container,
        message: `not restarted (asked not to): ${container} reads ${handle.flagOrigin} when it next starts`,
        durationMs: 0
      }
    }
    const engine = this.deps.docker.forEnvironment(handle.name)
    const eventSeq = request.eventSeq
    const recorded = eventSeq === null ? 'journaled (not yet in the history)' : `recorded (event #${eventSeq})`
    const notApplied = (why: string, code: RampartError['code']): RampartError =>
      new RampartError(
        code,
        `the change to ${request.flag} is written to ${handle.flagOrigin} and ${recorded}, ` +
          `but the service has not picked it up: ${why.replace(/[.?!]$/, '')}. ` +
          `Restart it by hand (docker restart ${container}) and check ${service.health_url ?? 'its health'}`,
        eventSeq === null ? { container } : ({ eventSeq, container } satisfies UnappliedMoveDetail)
      )
    let info
    try {
      info = await engine.inspectContainer(container)
    } catch (error) {
      throw notApplied(
        `cannot look at container ${container}: ${error instanceof Error ? error.message : String(error)}`,
        error instanceof RampartError ? error.code : 'failed'
      )
    }
    if (info === null) {
      return {
        outcome: 'absent',
        container,
        message:
          `no container ${container} on the Docker engine at ${engine.endpoint.display}; ` +
          `the service reads ${handle.flagOrigin} when it starts`,
        durationMs: 0
      }
    }
    if (info.state !== 'running') {
      return {
        outcome: 'not_running',
        container,
        message: `container ${container} is ${info.state}; it reads ${handle.flagOrigin} when it starts`,
        durationMs: 0
      }
    }
    const started = performance.now()
    const record = (outcome: string, detail: object): void => {
      this.deps.history?.operations.recordDockerAction({
        environment: handle.name,
        endpoint: engine.endpoint.display,
        container,
        action: 'restart',
        outcome,
        detail: { flag: request.flag, eventSeq: request.eventSeq, ...detail }
      })
    }
    try {
      await engine.restartContainer(container, { timeoutSeconds: this.timings.stopTimeoutSeconds })
      const ready = await waitUntilServing({ container, healthUrl: service.health_url }, engine, {
        timeoutMs: this.timings.healthTimeoutMs,
        intervalMs: this.timings.pollIntervalMs,
        signal: request.signal ?? new AbortController().signal
      })
      const durationMs = Math.round(performance.now() - started)
      record('succeeded', { check: ready.check, durationMs })
      return {
        outcome: 'restarted',
        container,
        message: `restarted ${container}; ${ready.check} answered after ${durationMs} ms`,
        durationMs
      }
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error)
      record('failed', { error: why })
      throw notApplied(`restarting ${container} failed: ${why}`, 'failed')
    }
  }
}
