/**
 * `rampart … | head -1`: the reader goes away while the CLI still writes. The built executable
 * must end quietly (no EPIPE, no stack trace) with the exit code of the work itself, and work
 * with a side effect (a kill) must have been done.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { HistoryStore } from '@main/history/history-store'
import { RAMPART_BIN, useSeedCliFolder } from '@test/fixtures/rampart-cli'
import { phaseMove } from '@test/fixtures/scratch-history'

const FLAG = 'unified_llm_hub'

const folder = useSeedCliFolder('rampart-closed-output-')

/** Events with long reasons: `history list` then writes far more than a pipe holds (64 KiB on Linux). */
function seedHistory(count: number): void {
  const store = HistoryStore.open(path.join(folder.home, 'history.db'))
  try {
    for (let index = 0; index < count; index++)
      store.events.appendEvent(phaseMove({ reason: `move ${index}: ${'guards green, '.repeat(40)}` }))
  } finally {
    store.close()
  }
}

interface ClosedRun {
  status: number | null
  stderr: string
  /** What the reader took before it closed. */
  read: string
}

/**
 * The built CLI with stdout piped into a reader that closes after `lines` lines (0: closed before
 * the CLI writes anything), as `| head -n` does.
 */
function runIntoClosingReader(args: string[], lines: number): Promise<ClosedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RAMPART_BIN, ...args], {
      cwd: folder.dir,
      env: { PATH: process.env.PATH ?? '', RAMPART_HOME: folder.home, RAMPART_ACTOR: 'cli-tester' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let read = ''
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    if (lines === 0) child.stdout.destroy()
    else
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        read += chunk
        if (read.split('\n').length > lines) child.stdout.destroy()
      })
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.once('error', reject)
    child.once('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stderr, read })
    })
  })
}

function expectQuiet(run: ClosedRun, status = 0): void {
  expect(run.stderr).not.toMatch(/EPIPE|Error:|\n {4}at /)
  expect(run.stderr).toBe('')
  expect(run.status).toBe(status)
}

describe('a closed output pipe', () => {
  it('ends `history list | head -1` quietly with exit 0', async () => {
    seedHistory(400)
    const run = await runIntoClosingReader(['history', 'list'], 1)
    expect(run.read.split('\n')[0]).toMatch(/^#1 .* phase_move /)
    expectQuiet(run)
  })

  it('ends `history list --json`, `history export` and `history export --format jsonl` quietly too', async () => {
    seedHistory(400)
    for (const args of [
      ['history', 'list', '--json'],
      ['history', 'export'],
      ['history', 'export', '--format', 'jsonl']
    ]) {
      const run = await runIntoClosingReader(args, 1)
      expectQuiet(run)
    }
  })

  it('ends status, flags list, flags get and rollout status quietly when the reader is already gone', async () => {
    for (const args of [
      ['status'],
      ['flags', 'list'],
      ['flags', 'get', '--flag', FLAG, '--json'],
      ['rollout', 'status', '--flag', FLAG]
    ]) {
      const run = await runIntoClosingReader(args, 0)
      expectQuiet(run)
    }
  })

  it('still does the kill and exits 0 when nobody reads what it printed', async () => {
    const run = await runIntoClosingReader(
      ['rollout', 'kill', '--flag', FLAG, '--reason', 'incident', '--no-restart'],
      0
    )
    expectQuiet(run)
    expect(readFileSync(path.join(folder.dir, '.env'), 'utf8')).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
  })

  it('keeps the exit code of the work: a refused move still exits 1 with its message on stderr', async () => {
    const run = await runIntoClosingReader(['rollout', 'advance', '--flag', FLAG, '--reason', 'ship it'], 0)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('guards have no verdict yet')
    expect(run.stderr).not.toMatch(/EPIPE|\n {4}at /)
  })
})
