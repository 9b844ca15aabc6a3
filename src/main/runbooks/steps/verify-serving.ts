import type { DockerEngine } from '@main/docker/docker-engine'
import type { Step } from '../define-runbook'
import { awaitHealth, type HealthNotes, type HealthTarget, type ServiceWait } from './wait-for-health'
import { awaitVerifiedUrls, type VerifyUrlsNotes } from './verify-urls'

/** The health wait and the verify URLs as one step: "Verify: health and verify URLs"; cancellable. */
export function verifyServing(
  engine: DockerEngine,
  service: HealthTarget & { verify_urls: readonly string[] },
  wait: ServiceWait
): Step<HealthNotes & VerifyUrlsNotes> {
  return {
    name: 'Verify: health and verify URLs',
    cancellable: true,
    run: async (kit) => {
      const health = await awaitHealth(engine, service, wait, kit)
      const verified = await awaitVerifiedUrls(service.verify_urls, wait, kit)
      return [`${health.check} answered after ${Math.round(health.waitedMs)} ms`, ...verified].join('; ')
    }
  }
}
