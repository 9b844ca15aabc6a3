// Guard windows written straight into a history file, as a long rollout would have left them:
// the review benches measure reading them, not recording them.
import Database from 'better-sqlite3'

/**
 * `count` passing windows of `windowSeconds` from `start` (ms), every `breachEvery`-th a breach
 * (so a chart has marks to keep when it downsamples), written in one transaction.
 */
export function insertSyntheticWindows(
  historyPath: string,
  run: { flag: string; environment: string; start: number; count: number; windowSeconds: number; breachEvery: number }
): void {
  const db = new Database(historyPath)
  const insert = db.prepare(
    'INSERT INTO guard_windows (flag, environment, window_start, window_seconds, decision, figures, recorded_at, ' +
      'treatment_error_rate, treatment_p95_ms, control_p95_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
  )
  const settings = { window_seconds: run.windowSeconds, min_requests: 100, max_error_rate: 0.05 }
  db.transaction(() => {
    for (let i = 0; i < run.count; i += 1) {
      const at = new Date(run.start + (i + 1) * run.windowSeconds * 1000).toISOString()
      const breach = i % run.breachEvery === run.breachEvery - 1
      const errorRate = breach ? 0.09 : 0.01 + (i % 7) * 0.001
      const p95 = 150 + (i % 11)
      const figures = JSON.stringify({
        treatment: { requests: 400, failures: Math.round(400 * errorRate), error_rate: errorRate, p95_ms: p95 },
        control: { requests: 3600, failures: 36, error_rate: 0.01, p95_ms: 140 },
        decision: breach ? 'breach' : 'pass',
        reasons: breach ? ['treatment error rate 9.0 % over the limit 5.0 %'] : [],
        settings
      })
      const decision = breach ? 'breach' : 'pass'
      insert.run(run.flag, run.environment, at, run.windowSeconds, decision, figures, at, errorRate, p95, 140)
    }
  })()
  db.close()
}
