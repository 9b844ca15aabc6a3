import { z } from 'zod'
import type { DockerEngine } from '@main/docker/docker-engine'
import { captureLogLines } from '@main/docker/service-log-capture'
import type { Step } from '../define-runbook'

export const CaptureLogsNotesSchema = z.object({ logLines: z.array(z.string()) })

/** The step: "Capture the last N log lines of C"; a failure to read is its summary, never the run's failure. */
export function captureLogs(
  engine: DockerEngine,
  container: string,
  count: number
): Step<z.infer<typeof CaptureLogsNotesSchema>> {
  return {
    name: `Capture the last ${count} log lines of ${container}`,
    run: async ({ notes }) => {
      const captured = await captureLogLines(engine, container, count)
      notes.set('logLines', captured.lines)
      return captured.problem ?? `${captured.lines.length} lines captured`
    }
  }
}
