import { z } from 'zod'
import { verifyUrlsUntil } from '@main/docker/service-readiness'
import type { Step, StepKit } from '../define-runbook'
import type { ServiceWait } from './wait-for-health'

export const VerifyUrlsNotesSchema = z.object({
  /** Each verify URL with the status it answered, e.g. "http://…/admin 200". */
  verifiedUrls: z.array(z.string())
})
export type VerifyUrlsNotes = z.infer<typeof VerifyUrlsNotesSchema>

const VERIFY_PROBE_TIMEOUT_MS = 5_000

/** Checks the verify URLs until they all answer (or the wait is over), and notes what they answered. */
export async function awaitVerifiedUrls(
  urls: readonly string[],
  wait: ServiceWait,
  kit: StepKit<VerifyUrlsNotes>
): Promise<string[]> {
  const verified = await verifyUrlsUntil(urls, {
    timeoutMs: wait.healthTimeoutMs,
    intervalMs: wait.pollIntervalMs,
    probeTimeoutMs: VERIFY_PROBE_TIMEOUT_MS,
    signal: kit.signal
  })
  kit.notes.set('verifiedUrls', verified)
  return verified
}

/** The step: "Check N verify URLs"; cancellable. */
export function verifyUrls(urls: readonly string[], wait: ServiceWait): Step<VerifyUrlsNotes> {
  return {
    name:
      urls.length === 0
        ? 'Check verify URLs (none configured)'
        : `Check ${urls.length} verify URL${urls.length === 1 ? '' : 's'}`,
    cancellable: true,
    run: async (kit) => {
      const verified = await awaitVerifiedUrls(urls, wait, kit)
      return verified.length === 0 ? 'no verify URLs configured' : verified.join(', ')
    }
  }
}
