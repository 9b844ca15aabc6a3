/** An error rate as a percentage, e.g. "2.1 %"; "—" when there is none (no requests). */
export function errorRateText(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)} %`
}

/** A latency in whole milliseconds, e.g. "183 ms"; "—" when there is none. */
export function latencyText(ms: number | null): string {
  return ms === null ? '—' : `${Math.round(ms)} ms`
}

export function countText(count: number | null): string {
  return count === null ? '—' : String(count)
}
