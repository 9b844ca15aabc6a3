// The service log the guards-replay bench replays: seeded, so every run replays the same file.
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

export const FLAG = 'unified_llm_hub'

/** Seeded, so every run replays the same log. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let mixed = state
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1)
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61)
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * About 70 requests a second for four hours: API_CALL lines of 150–220 bytes (most with
 * `flags`, some without, to be attributed by evaluation), FEATURE_FLAG and ERROR events, a few
 * malformed lines, and lines a few hundred ms out of order as a log shipper delivers them.
 */
export async function writeLog(file: string, lines: number): Promise<void> {
  const random = seededRandom(lines)
  const out = createWriteStream(file)
  const startMs = Date.UTC(2025, 10, 1, 8, 0, 0)
  const endpoints = [
    '/api/v1/llm/providers',
    '/admin/llm-hub',
    '/admin/llm-provider-keys',
    '/api/v1/features/unified_llm_hub',
    '/health'
  ]
  let block: string[] = []
  for (let index = 0; index < lines; index += 1) {
    const atMs = startMs + Math.floor(index * 14.4) - Math.floor(random() * 300)
    const timestamp = new Date(atMs).toISOString()
    const user = `user-${Math.floor(random() * 20_000)}@example.com`
    const kind = random()
    let line: string
    if (kind < 0.9) {
      const treated = random() < 0.25
      const failed = random() < (treated ? 0.02 : 0.01)
      const record: Record<string, unknown> = {
        timestamp,
        event_type: 'API_CALL',
        user_id: user,
        endpoint: endpoints[Math.floor(random() * endpoints.length)],
        method: random() < 0.8 ? 'GET' : 'POST',
        status_code: failed ? 500 : random() < 0.05 ? 404 : 200,
        duration_ms: Math.round((40 + random() * (treated ? 260 : 240)) * 100) / 100
      }
      if (random() < 0.95) record.flags = { [FLAG]: treated }
      line = JSON.stringify(record)
    } else if (kind < 0.98) {
      line = JSON.stringify({
        timestamp,
        event_type: 'FEATURE_FLAG',
        user_id: user,
        flag: FLAG,
        enabled: false,
        reason: 'outside_rollout'
      })
    } else if (kind < 0.995) {
      line = JSON.stringify({
        timestamp,
        event_type: 'ERROR',
        user_id: user,
        error_type: 'UpstreamTimeout',
        message: 'provider did not answer within 30 s'
      })
    } else {
      line =
        random() < 0.5
          ? `Traceback (most recent call last): worker ${index} restarted`
          : `{"timestamp":"${timestamp}","event_type":"API_CALL","status_`
    }
    block.push(line)
    if (block.length === 10_000) {
      if (!out.write(`${block.join('\n')}\n`)) await once(out, 'drain')
      block = []
    }
  }
  if (block.length > 0) out.write(`${block.join('\n')}\n`)
  out.end()
  await once(out, 'finish')
}
