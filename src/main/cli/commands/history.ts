import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { RampartError } from '@shared/errors'
import type { HistoryEvent } from '@shared/history-types'
import { LineWriter } from '../cli-io'
import type { CliCommand } from '../cli-command'
import { flag, optionalInteger, optionalString } from '../cli-values'
import { UsageError } from '../usage-error'
import { renderHistoryReport } from '@main/history/core/history-report'

export const historyListCommand: CliCommand = {
  words: ['history', 'list'],
  summary: 'List recorded events (oldest first)',
  usage: 'rampart history list [--flag F] [--env NAME] [--limit N] [--json]',
  options: { flag: { type: 'string' }, limit: { type: 'string' } },
  async run({ values }, io, runtime) {
    const events = (await runtime.services()).history.list({
      flag: optionalString(values, 'flag'),
      environment: optionalString(values, 'env'),
      limit: optionalInteger(values, 'limit', 1, 1_000_000)
    })
    const out = new LineWriter(io.stdout)
    for (const event of events) {
      if (flag(values, 'json')) await out.json(event)
      else await out.line(describeEvent(event))
    }
    await out.flush()
  }
}

export const historyShowCommand: CliCommand = {
  words: ['history', 'show'],
  summary: 'Show one event in full',
  usage: 'rampart history show SEQ [--json]',
  options: {},
  positionals: true,
  async run({ values, positionals }, io, runtime) {
    const text = positionals[0]
    if (text === undefined || !/^\d+$/.test(text))
      throw new UsageError('history show needs an event number, e.g. "rampart history show 12"')
    const event = (await runtime.services()).history.show(Number(text))
    const out = new LineWriter(io.stdout)
    if (flag(values, 'json')) await out.json(event)
    else await out.line(JSON.stringify(event, null, 2))
    await out.flush()
  }
}

export const historyExportCommand: CliCommand = {
  words: ['history', 'export'],
  summary: 'Export history as a report (markdown) or JSON lines',
  usage: 'rampart history export [--flag F] [--env NAME] [--format md|jsonl] [--out FILE]',
  options: { flag: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } },
  async run({ values }, io, runtime) {
    const format = optionalString(values, 'format') ?? (flag(values, 'json') ? 'jsonl' : 'md')
    if (format !== 'md' && format !== 'jsonl') throw new UsageError(`--format ${format} is not one of md, jsonl`)
    const services = await runtime.services()
    const events = services.history.list({
      flag: optionalString(values, 'flag'),
      environment: optionalString(values, 'env')
    })
    const text =
      format === 'jsonl'
        ? events.map((event) => JSON.stringify(event)).join('\n') + (events.length > 0 ? '\n' : '')
        : renderHistoryReport(events, services.history.verify(), runtime.now())
    const outPath = optionalString(values, 'out')
    if (outPath === undefined) {
      io.stdout.write(text)
      return
    }
    const target = resolve(io.cwd, outPath)
    try {
      writeFileSync(target, text, { flag: 'wx' })
    } catch (error) {
      const exists = (error as NodeJS.ErrnoException).code === 'EEXIST'
      const why = exists ? 'it already exists (not overwritten)' : (error as Error).message
      throw new RampartError(exists ? 'bad_input' : 'failed', `cannot write ${target}: ${why}`)
    }
    if (flag(values, 'json')) io.stdout.write(`${JSON.stringify({ exported: events.length, file: target, format })}\n`)
    else io.stdout.write(`exported ${events.length} events to ${target}\n`)
  }
}

function describeEvent(event: HistoryEvent): string {
  const where = event.flag === null ? '' : ` ${event.flag}${event.environment === null ? '' : `[${event.environment}]`}`
  const outcome = event.outcome === null ? '' : ` (${event.outcome})`
  const reason = event.reason === null ? '' : ` — ${event.reason}`
  return `#${event.seq} ${event.at} ${event.kind}${where} by ${event.actor}${outcome}${reason}`
}
