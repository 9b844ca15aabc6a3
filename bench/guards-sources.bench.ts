// Time from a guard window's end to its decision, from Prometheus against from the log (issue 13),
// on the same traffic at the same moment: the demo service runs on 127.0.0.1, its log lines go
// through the log watcher while the test environment's Prometheus (scripts/test-env/prometheus.sh)
// scrapes its /metrics for the metrics watcher. Both wait the same lateness after a window ends;
// what is compared is the time each takes beyond it (reading lines vs three PromQL queries).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { LogLine } from '@shared/log-line'
import type { GuardThresholds } from '@shared/schemas/guard-settings'
import { resolveFlagEnvMapping } from '@main/flags/core/flag-env-mapping'
import { DEFAULT_PROMETHEUS_QUERIES } from '@main/guards/core/prometheus-window'
import type { GuardWindow } from '@main/guards/core/guard-engine'
import { GuardWatcher } from '@main/guards/guard-watcher'
import { MetricsGuardWatcher } from '@main/guards/metrics-guard-watcher'
import { PrometheusProvider } from '@main/guards/prometheus-provider'
import { HistoryStore } from '@main/history/history-store'
import { systemClock } from '@main/platform/clock'
import { scrapeTarget, testPrometheus } from '@test/support/prometheus-test-env'
import { msList, report } from './bench-timing'

const WINDOWS = Number(process.env.RAMPART_BENCH_WINDOWS ?? 8)
const WINDOW_SECONDS = 2
const LATENESS_SECONDS = 1
const FLAG = `bench_${process.pid}`
const SETTINGS: GuardThresholds = {
  window_seconds: WINDOW_SECONDS,
  min_requests: 20,
  max_error_rate: 0.05,
  max_latency_degradation: 0.5,
  breach_windows: 2
}

/** Each decided window's delay past its end plus lateness, in ms. */
function delaysPastLateness(decisions: Array<{ window: GuardWindow; atMs: number }>): number[] {
  return decisions.map(({ window, atMs }) => atMs - (window.windowStartMs + (WINDOW_SECONDS + LATENESS_SECONDS) * 1000))
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function main(): Promise<void> {
  const prometheus = testPrometheus()
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-sources-'))
  const upper = FLAG.toUpperCase()
  writeFileSync(
    join(dir, '.env'),
    `FEATURE_${upper}=true\nFEATURE_${upper}_ROLLOUT=50\nFEATURE_${upper}_WHITELIST=\nFEATURE_${upper}_BLACKLIST=\n` +
      `FEATURE_${upper}_START_DATE=\nFEATURE_${upper}_END_DATE=\n`
  )
  const demo = spawn(process.execPath, [join(__dirname, '..', 'resources', 'demo', 'ops-center', 'server.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      DEMO_ENV_FILE: join(dir, '.env'),
      DEMO_HOST: '127.0.0.1',
      DEMO_PORT: '0',
      DEMO_FLAGS: JSON.stringify({ [FLAG]: resolveFlagEnvMapping(FLAG) }),
      DEMO_RPS: '200',
      DEMO_FLAG_EVENT_EVERY: '0'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const port = await new Promise<number>((resolve, reject) => {
    let stderr = ''
    demo.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)
      if (match !== null) resolve(Number(match[1]))
    })
    demo.once('exit', (code) => reject(new Error(`the demo service exited with ${code}: ${stderr}`)))
  })
  const target = await scrapeTarget(prometheus, port)
  const logHistory = HistoryStore.open(join(dir, 'log-history.db'))
  const metricsHistory = HistoryStore.open(join(dir, 'metrics-history.db'))
  const stop = new AbortController()
  const fromLog: Array<{ window: GuardWindow; atMs: number }> = []
  const fromMetrics: Array<{ window: GuardWindow; atMs: number }> = []
  const startMs = Math.ceil(Date.now() / (WINDOW_SECONDS * 1000)) * WINDOW_SECONDS * 1000
  const done = (): void => {
    if (fromLog.length >= WINDOWS && fromMetrics.length >= WINDOWS) stop.abort()
  }

  const lines = createInterface({ input: demo.stdout! })
  const logSource = async function* (): AsyncGenerator<LogLine[]> {
    for await (const text of lines) yield [{ stream: 'stdout', text, timestamp: null }]
  }
  try {
    const common = { flag: FLAG, environment: 'bench', settings: SETTINGS, latenessSeconds: LATENESS_SECONDS, startMs }
    await Promise.all([
      new GuardWatcher({
        ...common,
        flagState: null,
        history: logHistory,
        clock: systemClock,
        onWindow: (window) => {
          fromLog.push({ window, atMs: Date.now() })
          done()
        }
      }).run(logSource, stop.signal),
      new MetricsGuardWatcher({
        ...common,
        provider: new PrometheusProvider({ url: prometheus.url }),
        queries: DEFAULT_PROMETHEUS_QUERIES,
        history: metricsHistory,
        clock: systemClock,
        onWindow: (window) => {
          fromMetrics.push({ window, atMs: Date.now() })
          done()
        }
      }).run(stop.signal)
    ])
  } finally {
    target.remove()
    demo.kill('SIGTERM')
    logHistory.close()
    metricsHistory.close()
    rmSync(dir, { recursive: true, force: true })
  }

  // The first window is partial for the log (it starts when watching starts); both are left out.
  const logDelays = delaysPastLateness(fromLog.slice(1, WINDOWS))
  const metricsDelays = delaysPastLateness(fromMetrics.slice(1, WINDOWS))
  console.log(`Prometheus ${prometheus.version}, scrape every ${prometheus.scrapeMs} ms`)
  console.log(`windows of ${WINDOW_SECONDS} s, lateness ${LATENESS_SECONDS} s; delay past the lateness per window:`)
  console.log(`  from the log:        ${msList(logDelays)}`)
  console.log(`  from Prometheus:     ${msList(metricsDelays)}`)
  const logMs = median(logDelays)
  report('window end + lateness → decision (median)', [
    { name: 'from the log (baseline)', ms: logMs },
    { name: 'from Prometheus (three instant queries)', ms: median(metricsDelays), baselineMs: Math.max(logMs, 1) }
  ])
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
