import { z } from 'zod'
import type { DockerEngine } from '@main/docker/docker-engine'
import { waitUntilServing, type ReadinessOutcome } from '@main/docker/service-readiness'
import type { Step, StepKit } from '../define-runbook'

export const HealthNotesSchema = z.object({
  /** What answered: the health URL, or the container's own health. */
  health: z.string()
})
export type HealthNotes = z.infer<typeof HealthNotesSchema>

/** The service as the workspace configures it, as far as the health wait needs it. */
export interface HealthTarget {
  container: string
  health_url: string | null
}

/** How long a run waits for the service, and how often it looks (recorded with the run's input). */
export interface ServiceWait {
  healthTimeoutMs: number
  pollIntervalMs: number
}

/** Waits until the service answers its health check, and notes which check answered. */
export async function awaitHealth(
  engine: DockerEngine,
  service: HealthTarget,
  wait: ServiceWait,
  kit: StepKit<HealthNotes>
): Promise<ReadinessOutcome> {
  const outcome = await waitUntilServing({ container: service.container, healthUrl: service.health_url }, engine, {
    timeoutMs: wait.healthTimeoutMs,
    intervalMs: wait.pollIntervalMs,
    signal: kit.signal,
    report: kit.report
  })
  kit.notes.set('health', outcome.check)
  return outcome
}

/** The step: "Wait for health: URL" (or the container's health when no URL is configured); cancellable. */
export function waitForHealth(engine: DockerEngine, service: HealthTarget, wait: ServiceWait): Step<HealthNotes> {
  return {
    name: `Wait for health: ${service.health_url ?? `container ${service.container}`}`,
    cancellable: true,
    run: async (kit) => {
      const outcome = await awaitHealth(engine, service, wait, kit)
      const attempts = `${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}`
      return `${outcome.check} answered after ${Math.round(outcome.waitedMs)} ms (${attempts})`
    }
  }
}
