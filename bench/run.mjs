#!/usr/bin/env node
// Runs every bench/*.bench.ts in turn and, for a full run, writes docs/benchmarks.md from the
// figures they recorded. Benchmarks measure Rampart against its peers in the same run, round by
// round, so figures from different machines can be compared as ratios.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchmarksPage, loadText } from './benchmarks-page.mjs'

const dir = dirname(fileURLToPath(import.meta.url))
const only = process.argv[2]
const benches = readdirSync(dir).filter(
  (name) => name.endsWith('.bench.ts') && (only === undefined || name.includes(only))
)
const resultsDir = mkdtempSync(join(tmpdir(), 'rampart-bench-results-'))
const results = join(resultsDir, 'figures.jsonl')
const startedAt = new Date().toISOString()
const loadBefore = loadText()
const failed = []
for (const bench of benches) {
  console.log(`\n### ${bench}`)
  // tsx reads tsconfig.json, which only references the others: point it at the one with the import aliases.
  const env = {
    ...process.env,
    TSX_TSCONFIG_PATH: join(dir, '..', 'tsconfig.node.json'),
    RAMPART_BENCH_RESULTS: results
  }
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(dir, bench)], { stdio: 'inherit', env })
  if (result.status !== 0) failed.push(bench)
}
const figures = existsSync(results)
  ? readFileSync(results, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line))
  : []
rmSync(resultsDir, { recursive: true, force: true })
// A run of some benches only prints: the page always comes from one full run.
if (only === undefined) {
  const page = benchmarksPage({
    figures,
    failed,
    startedAt,
    endedAt: new Date().toISOString(),
    loadBefore,
    loadAfter: loadText(),
    command: 'npm run bench'
  })
  const target = join(dir, '..', 'docs', 'benchmarks.md')
  // Formatted as the repository's other Markdown, so the lint passes on a freshly written page.
  const prettier = await import('prettier')
  const formatted = await prettier.format(page, { ...(await prettier.resolveConfig(target)), filepath: target })
  writeFileSync(`${target}.tmp`, formatted)
  renameSync(`${target}.tmp`, target)
  console.log(`\nwrote ${target}`)
}
process.exit(failed.length === 0 ? 0 : 1)
