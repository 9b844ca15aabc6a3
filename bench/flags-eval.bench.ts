// `rampart flags eval --users-file` over 100,000 users, against a bare loop over the same hash
// measured in the same run (issue: "reported as a ratio against a bare loop over the same hash").
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { murmur3x86_32String } from '@main/flags/core/murmur3'
import { compileFlag } from '@main/flags/core/flag-evaluation'
import { formatEvaluationLine } from '@main/cli/evaluation-line'
import { medianMs, report, runChecked } from './bench-timing'

const USERS = 100_000
const FLAG = 'unified_llm_hub'
const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-'))
const users = Array.from({ length: USERS }, (_, index) => `user-${index}@example.com`)
const usersFile = join(dir, 'users.txt')
const configFile = join(dir, 'flag.json')
writeFileSync(usersFile, `${users.join('\n')}\n`)
writeFileSync(
  configFile,
  JSON.stringify({
    enabled: true,
    rollout_percentage: 25,
    whitelist_users: ['admin@example.com'],
    blacklist_users: [],
    start_date: '2025-10-27',
    end_date: null
  })
)

let sink = 0
const bareLoopMs = medianMs(7, () => {
  for (const user of users) sink += (murmur3x86_32String(`${FLAG}:${user}`, 0) % 100) + 1
})

const evaluate = compileFlag(FLAG, {
  enabled: true,
  rollout_percentage: 25,
  whitelist_users: ['admin@example.com'],
  blacklist_users: [],
  start_date: '2025-10-27',
  end_date: null
})
const at = Date.parse('2025-11-01T00:00:00Z')
const inProcessMs = medianMs(7, () => {
  const lines: string[] = []
  const flagJson = JSON.stringify(FLAG)
  for (const user of users) lines.push(formatEvaluationLine(flagJson, user, evaluate(user, at)))
  sink += lines.length
})

const cli = join(__dirname, '..', 'bin', 'rampart.js')
const args = [
  cli,
  'flags',
  'eval',
  '--flag',
  FLAG,
  '--flag-config',
  configFile,
  '--users-file',
  usersFile,
  '--at',
  '2025-11-01T00:00:00Z',
  '--json'
]
const cliMs = medianMs(5, () => runChecked(process.execPath, args))
const nodeStartMs = medianMs(5, () => runChecked(process.execPath, ['-e', '0']))

report(`flags eval, ${USERS.toLocaleString('en')} users (median; sink ${sink % 10})`, [
  { name: 'bare loop: murmur3("F:U") mod 100 + 1 (baseline)', ms: bareLoopMs },
  { name: 'in-process: compileFlag + formatEvaluationLine', ms: inProcessMs, baselineMs: bareLoopMs },
  { name: 'rampart flags eval --users-file --json (process)', ms: cliMs, baselineMs: bareLoopMs },
  { name: '  of which node start-up (node -e 0)', ms: nodeStartMs, baselineMs: bareLoopMs },
  { name: 'rampart flags eval minus node start-up', ms: cliMs - nodeStartMs, baselineMs: bareLoopMs }
])
