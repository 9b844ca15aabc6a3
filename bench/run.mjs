#!/usr/bin/env node
// Runs every bench/*.bench.ts in turn. Benchmarks print ratios against a baseline measured in
// the same run, so figures from different machines can be compared.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = dirname(fileURLToPath(import.meta.url))
const only = process.argv[2]
const benches = readdirSync(dir).filter(
  (name) => name.endsWith('.bench.ts') && (only === undefined || name.includes(only))
)
let failed = 0
for (const bench of benches) {
  console.log(`\n### ${bench}`)
  // tsx reads tsconfig.json, which only references the others: point it at the one with the import aliases.
  const env = { ...process.env, TSX_TSCONFIG_PATH: join(dir, '..', 'tsconfig.node.json') }
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(dir, bench)], { stdio: 'inherit', env })
  if (result.status !== 0) failed += 1
}
process.exit(failed === 0 ? 0 : 1)
