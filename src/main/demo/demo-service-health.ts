/** What the demo service's GET /health says, as far as readiness needs it. */
export interface DemoHealthAnswer {
  status: string
  /** The DEMO_INSTANCE the service was started with: tells our container from another process on the port. */
  instance: string | null
  startedAt: string | null
}

const PROBE_TIMEOUT_MS = 2_000

/** One GET of the health URL; null when nothing answers, the answer is not 200, or it is not the demo's JSON. */
export async function probeDemoHealth(url: string): Promise<DemoHealthAnswer | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: 'error' })
    if (response.status !== 200) {
      await response.body?.cancel()
      return null
    }
    const body = (await response.json()) as { status?: unknown; instance?: unknown; started_at?: unknown }
    if (typeof body !== 'object' || body === null || typeof body.status !== 'string') return null
    return {
      status: body.status,
      instance: typeof body.instance === 'string' ? body.instance : null,
      startedAt: typeof body.started_at === 'string' ? body.started_at : null
    }
  } catch {
    return null
  }
}
