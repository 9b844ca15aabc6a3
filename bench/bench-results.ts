import { appendFileSync } from 'node:fs'

/**
 * One figure of docs/benchmarks.md: Rampart's runs and the peer's, taken in alternating rounds
 * of the same run. bench/run.mjs collects them (RAMPART_BENCH_RESULTS names the file) and
 * writes the page; a bench run alone just prints.
 */
export interface BenchFigure {
  /** What was measured, e.g. "guards replay, 1,000,000 lines (214 MB), spawn to exit". */
  work: string
  rampart: string
  /** Null for a goal of Rampart's own (the console pages in Chromium): there is nothing to run beside it. */
  peer: string | null
  unit: 'ms' | 'MiB'
  rampartValues: number[]
  /** Empty when there is no peer. */
  peerValues: number[]
  /** The goal on the ratio of medians (Rampart ÷ peer), or on Rampart's median alone. */
  goal: { ratio: number } | { rampartAtMost: number } | null
  /**
   * How the results were compared, and that they agreed (a bench whose results differ fails
   * instead); without a peer, what else the run showed.
   */
  agreed: string
  /** For a goal not met: what was tried and what bounds it. */
  ifNotMet?: string
}

export function recordFigure(figure: BenchFigure): void {
  const file = process.env.RAMPART_BENCH_RESULTS
  const { rampartValues, peerValues } = figure
  const rampart = `rampart median ${median(rampartValues).toFixed(1)} ${figure.unit}`
  console.log(
    figure.peer === null
      ? `  ${figure.work}: ${rampart}`
      : `  ${figure.work}: ${rampart}, ${figure.peer} ${median(peerValues).toFixed(1)} ${figure.unit}, ` +
          `ratio ${(median(rampartValues) / median(peerValues)).toFixed(2)}`
  )
  if (file !== undefined && file !== '') appendFileSync(file, `${JSON.stringify(figure)}\n`)
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
