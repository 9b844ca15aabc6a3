import { spawnSync, type SpawnSyncOptions } from 'node:child_process'

/** Runs a command and fails loudly if it does not succeed (a benchmark of a failure means nothing). */
export function runChecked(command: string, args: string[], options: SpawnSyncOptions = {}): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options })
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr)}`)
  }
}

/** Each run's time in whole milliseconds, comma-separated, for a "runs:" line. */
export function msList(values: number[]): string {
  return values.map((ms) => ms.toFixed(0)).join(', ')
}

export function report(title: string, rows: Array<{ name: string; ms: number; baselineMs?: number }>): void {
  console.log(`\n${title}`)
  for (const row of rows) {
    const ratio = row.baselineMs === undefined ? '' : `  ratio ${(row.ms / row.baselineMs).toFixed(2)}x`
    console.log(`  ${row.name.padEnd(52)} ${row.ms.toFixed(1).padStart(9)} ms${ratio}`)
  }
}
