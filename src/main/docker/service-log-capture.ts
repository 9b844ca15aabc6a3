import { toContractError } from '@shared/errors'
import type { DockerEngine } from './docker-engine'

/**
 * The last `count` lines of a container's output (the seed's `docker logs --tail 50`), with
 * Docker's timestamps. Capturing is evidence, not safety: a failure to read is reported in
 * `problem`, never thrown, so it cannot fail a rollback that already made the service safe.
 */
export async function captureLogLines(
  engine: DockerEngine,
  container: string,
  count: number
): Promise<{ lines: string[]; problem: string | null }> {
  const lines: string[] = []
  try {
    for await (const batch of engine.logs(container, { tail: count, timestamps: true })) {
      for (const line of batch) lines.push(line.timestamp === null ? line.text : `${line.timestamp} ${line.text}`)
    }
  } catch (error) {
    return { lines, problem: `could not read the logs of ${container}: ${toContractError(error).message}` }
  }
  return { lines: lines.slice(-count), problem: null }
}
