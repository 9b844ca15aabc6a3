/**
 * One history file shared by two `rampart serve` processes (two consoles, several pages each)
 * and the CLI, all moving the same rollout at once. Afterwards `history verify` passes, the seqs
 * run from 1 with no gap and no duplicate, every move any of them was told was applied is in the
 * file exactly as it was answered, and each console's history stream delivered every event.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServerMessage } from '@shared/contract/bridge'
import { createContractClient, type ContractClient } from '@shared/contract/contract-client'
import type { HistoryEvent } from '@shared/history-types'
import {
  jsonLines,
  requireBuiltCli,
  runRampart,
  runRampartAsync,
  startRampartServe,
  type ServedConsole
} from '@test/fixtures/rampart-cli'
import { seedEnvText } from '@test/fixtures/service-workspace'
import { uniqueContainerName, waitFor } from '@test/support/docker-test-env'

const FLAG = 'unified_llm_hub'
const CONSOLES = 2
const PAGES_PER_CONSOLE = 2
const MOVES_PER_PAGE = 12
const CLI_MOVES = 6
/** Two consoles starting, then moves in turn per page (a file write and a history append each) and CLI starts. */
const LOAD_BUDGET_MS = 150_000

let dir: string
let env: Record<string, string>
const consoles: ServedConsole[] = []
const sockets: WebSocket[] = []

beforeAll(async () => {
  requireBuiltCli()
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-shared-history-'))
  writeFileSync(path.join(dir, '.env'), seedEnvText(25))
  // The service container does not exist: a move is written and recorded, and there is nothing to restart.
  writeFileSync(
    path.join(dir, 'rampart.config.yaml'),
    [
      'default_environment: local',
      'environments:',
      '  local:',
      '    service:',
      `      container: ${uniqueContainerName('absent-service')}`,
      '    flag_source:',
      '      kind: env-file',
      '      path: ./.env',
      `    flags: [${FLAG}]`,
      ''
    ].join('\n')
  )
  env = { RAMPART_HOME: path.join(dir, 'home'), RAMPART_ACTOR: 'load' }
  if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST
  // The first command creates the history file; the consoles then open the same one.
  expect(runRampart(['rollout', 'status', '--flag', FLAG], { cwd: dir, env }).status).toBe(0)
  for (let index = 0; index < CONSOLES; index++) consoles.push(await startRampartServe({ cwd: dir, env }))
}, 90_000)

afterAll(async () => {
  for (const socket of sockets) socket.terminate()
  await Promise.all(consoles.map((served) => served.stop()))
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

/** A page of `served`: the contract client over its WebSocket, as the console's own page uses it. */
async function openPage(served: ServedConsole): Promise<ContractClient> {
  const socket = new WebSocket(`${served.origin.replace('http:', 'ws:')}/ws?token=${served.token}`, {
    headers: { Origin: served.origin }
  })
  sockets.push(socket)
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  const client = createContractClient({ send: (message) => socket.send(JSON.stringify(message)) })
  socket.on('message', (data) => client.receive(JSON.parse(String(data)) as ServerMessage))
  return client
}

/** Kill and enable in turn; every answer, applied or refused, is kept. */
type Answer = { source: string; event: HistoryEvent | null; error: string | null }

async function pageMoves(client: ContractClient, source: string): Promise<Answer[]> {
  const answers: Answer[] = []
  for (let index = 0; index < MOVES_PER_PAGE; index++) {
    const move = index % 2 === 0 ? 'kill' : 'enable'
    const result = await client.invoke('rollout.move', { flag: FLAG, move, reason: `${source} ${move} #${index}` })
    answers.push(
      result.ok
        ? { source, event: result.value.event, error: null }
        : { source, event: null, error: `${result.error.code}: ${result.error.message}` }
    )
  }
  return answers
}

async function cliMoves(): Promise<Answer[]> {
  const answers: Answer[] = []
  for (let index = 0; index < CLI_MOVES; index++) {
    const move = index % 2 === 0 ? 'kill' : 'enable'
    const run = await runRampartAsync(
      ['rollout', move, '--flag', FLAG, '--reason', `cli ${move} #${index}`, '--json'],
      {
        cwd: dir,
        env
      }
    )
    const line = jsonLines(run.stdout)[0] as { event?: HistoryEvent } | undefined
    answers.push(
      run.status === 0 && line?.event !== undefined
        ? { source: 'cli', event: line.event, error: null }
        : { source: 'cli', event: null, error: `exit ${run.status}: ${run.stderr}${run.stdout}` }
    )
  }
  return answers
}

describe('two consoles and the CLI sharing one history file', () => {
  it(
    'keep one intact chain: every applied move recorded once as answered, no gap, no duplicate seq',
    async () => {
      const followed: number[][] = []
      const pages: Array<{ client: ContractClient; source: string }> = []
      for (const [index, served] of consoles.entries()) {
        const watcher = await openPage(served)
        const seqs: number[] = []
        followed.push(seqs)
        watcher.subscribe(
          'history.follow',
          { afterSeq: 0 },
          {
            onBatch: (events) => void seqs.push(...events.map((event) => event.seq))
          }
        )
        for (let page = 0; page < PAGES_PER_CONSOLE; page++)
          pages.push({ client: await openPage(served), source: `console ${index + 1} page ${page + 1}` })
      }

      const answers = (
        await Promise.all([...pages.map(({ client, source }) => pageMoves(client, source)), cliMoves()])
      ).flat()

      const applied = answers.filter((answer) => answer.event !== null)
      // Moves meeting another move are refused (one at a time per source): some of each source get through.
      for (const source of new Set(answers.map((answer) => answer.source)))
        expect(
          applied.some((answer) => answer.source === source),
          `${source}: ${JSON.stringify(answers)}`
        ).toBe(true)
      for (const answer of answers.filter((candidate) => candidate.error !== null))
        expect(answer.error).toMatch(/^(conflict|refused)|exit 1/)

      const verify = runRampart(['history', 'verify'], { cwd: dir, env })
      expect(verify.status, verify.stdout + verify.stderr).toBe(0)
      expect(verify.stdout).toContain('chain intact')
      const listed = runRampart(['history', 'list', '--limit', '1000000', '--json'], { cwd: dir, env })
      const events = jsonLines(listed.stdout) as HistoryEvent[]
      expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1))
      const bySeq = new Map(events.map((event) => [event.seq, event]))
      for (const answer of applied) expect(bySeq.get(answer.event!.seq)).toEqual(answer.event)
      const appliedMoves = events.filter(
        (event) => (event.kind === 'kill' || event.kind === 'enable') && event.outcome === 'applied'
      )
      expect(appliedMoves).toHaveLength(applied.length)

      // Each console's stream saw every event, whoever wrote it, once and in order.
      const last = events.at(-1)!.seq
      for (const seqs of followed) {
        await waitFor(`a console's history stream to reach event #${last}`, async () =>
          seqs.at(-1) === last ? true : undefined
        )
        expect(seqs).toEqual(events.map((event) => event.seq))
      }
    },
    LOAD_BUDGET_MS
  )
})
