import { RampartError } from '@shared/errors'
import type { ExpectedHead } from '@main/history/history-service'
import { LineWriter } from '../cli-io'
import type { CliCommand } from '../cli-command'
import { flag, optionalString } from '../cli-values'
import { UsageError } from '../usage-error'

export const historyVerifyCommand: CliCommand = {
  words: ['history', 'verify'],
  summary: 'Check that no event was edited or deleted, and that the file is sound page by page',
  usage: [
    'rampart history verify [--expect-head [SEQ:]HASH] [--json]',
    '  Prints the chain head (seq and hash): keep it outside the file (a ticket, a commit, another machine).',
    '  --expect-head  fail when that head is no longer in the chain: the last events were deleted and the',
    '                 head rewritten, which nothing inside the file can show.',
    '  Also fails while a history file moved aside as unreadable is not acknowledged (rampart history acknowledge).'
  ].join('\n'),
  options: { 'expect-head': { type: 'string' } },
  async run({ values }, io, runtime) {
    const expected = expectedHead(optionalString(values, 'expect-head'))
    const services = await runtime.services()
    const history = services.history
    const report = history.verify()
    const storage = history.storageProblems()
    const head = history.head()
    const movedAside = history.movedAside()
    const headFound = expected === null ? null : history.containsHead(expected)
    const out = new LineWriter(io.stdout)
    if (flag(values, 'json')) {
      await out.json({
        file: history.path,
        ...report,
        head,
        ...(expected === null ? {} : { expectedHead: { ...expected, found: headFound } }),
        storage: { ok: storage.length === 0, problems: storage },
        movedAside
      })
    } else {
      const headText = `head #${head.seq} ${head.hash}`
      if (report.ok) await out.line(`${history.path}: ${report.count} events, chain intact; ${headText}`)
      else {
        await out.line(`${history.path}: ${report.count} events, CHAIN BROKEN; recorded ${headText}`)
        for (const problem of report.problems) await out.line(`  #${problem.seq} ${problem.kind}: ${problem.message}`)
      }
      if (expected !== null)
        await out.line(
          headFound === true
            ? `expected head ${headLabel(expected)}: in the chain`
            : `expected head ${headLabel(expected)}: NOT IN THE CHAIN (events were cut back and the chain rewritten)`
        )
      if (storage.length === 0) await out.line('storage: sound (SQLite quick_check of every page)')
      else {
        await out.line('storage: DAMAGED (SQLite quick_check)')
        for (const problem of storage) await out.line(`  ${problem}`)
      }
      for (const moved of movedAside)
        await out.line(
          `moved aside, not acknowledged: ${moved.file} (${moved.reason}, at ${moved.at}); ` +
            'run "rampart history acknowledge" once you have dealt with it'
        )
    }
    await out.flush()
    const found = [
      ...(report.ok ? [] : [`${report.problems.length} chain problem(s)`]),
      ...(storage.length === 0 ? [] : [`${storage.length} storage problem(s)`]),
      ...(headFound === false ? [`the expected head ${headLabel(expected!)} is not in the chain`] : []),
      ...movedAside.map((moved) => `the unreadable history file moved to ${moved.file} is not acknowledged`)
    ]
    if (found.length > 0)
      throw new RampartError('failed', `history ${history.path} failed verification: ${found.join(', ')}`)
  }
}

export const historyAcknowledgeCommand: CliCommand = {
  words: ['history', 'acknowledge'],
  summary: 'Record that you have dealt with a history file moved aside as unreadable',
  usage: [
    'rampart history acknowledge [--file MOVED_ASIDE_FILE] [--reason TEXT] [--json]',
    '  Records one history_acknowledged event per moved-aside file (all of them, or the one named) in the',
    '  current chain; commands stop naming them and history verify stops failing for them.'
  ].join('\n'),
  options: { file: { type: 'string' }, reason: { type: 'string' } },
  async run({ values }, io, runtime) {
    const history = (await runtime.services()).history
    const file = optionalString(values, 'file')
    const reason = optionalString(values, 'reason')
    const acknowledged = history.acknowledge({
      ...(file === undefined ? {} : { file }),
      ...(reason === undefined ? {} : { reason })
    })
    const out = new LineWriter(io.stdout)
    if (flag(values, 'json')) {
      for (const { moved, event } of acknowledged) await out.json({ acknowledged: moved.file, event })
    } else if (acknowledged.length === 0) {
      await out.line(`${history.path}: nothing to acknowledge (no history file was moved aside since the last time)`)
    } else {
      for (const { moved, event } of acknowledged)
        await out.line(`acknowledged ${moved.file} (recorded as #${event.seq} by ${event.actor})`)
    }
    await out.flush()
  }
}

/** `--expect-head HASH` or `SEQ:HASH`, as `history verify` prints them. */
function expectedHead(text: string | undefined): ExpectedHead | null {
  if (text === undefined) return null
  const match = /^(?:(\d+):)?([0-9a-fA-F]{64})$/.exec(text.trim().replace(/^#/, ''))
  if (match === null)
    throw new UsageError(`--expect-head ${text} is not a chain head: give HASH (64 hex digits) or SEQ:HASH`)
  return { seq: match[1] === undefined ? null : Number(match[1]), hash: match[2]!.toLowerCase() }
}

function headLabel(expected: ExpectedHead): string {
  return `${expected.seq === null ? '' : `#${expected.seq} `}${expected.hash}`
}
