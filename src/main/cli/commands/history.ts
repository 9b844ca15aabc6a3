import { resolve } from 'node:path'
import type { HistoryEvent } from '@shared/history-types'
import { LineWriter } from '../cli-io'
import type { CliCommand } from '../cli-command'
import { flag, optionalInteger, optionalString } from '../cli-values'
import { UsageError } from '../usage-error'
import { REPORT_FORMATS, type ReportFormat } from '@main/review/report-export'
import { writeNewFile } from '@main/platform/new-file'

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
  summary: 'Export a report of history: Markdown, self-contained HTML with charts, or JSON lines with every window',
  usage: [
    'rampart history export [--format md|html|jsonl] [--flag F] [--env NAME] [--out FILE]',
    '  Every report states the chain head and whether the chain verified. jsonl holds every event and every',
    '  stored guard window; --out never overwrites a file.'
  ].join('\n'),
  options: { flag: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } },
  async run({ values }, io, runtime) {
    const format = optionalString(values, 'format') ?? (flag(values, 'json') ? 'jsonl' : 'md')
    if (!isReportFormat(format)) throw new UsageError(`--format ${format} is not one of ${REPORT_FORMATS.join(', ')}`)
    const services = await runtime.services()
    const scope = {
      ...(optionalString(values, 'flag') === undefined ? {} : { flag: optionalString(values, 'flag') }),
      ...(optionalString(values, 'env') === undefined ? {} : { environment: optionalString(values, 'env') })
    }
    const outPath = optionalString(values, 'out')
    if (outPath === undefined) {
      const out = new LineWriter(io.stdout)
      await services.reports.write(format, scope, runtime.now(), (chunk) => out.text(chunk))
      await out.flush()
      return
    }
    const target = resolve(io.cwd, outPath)
    let counts = { events: 0, windows: 0 }
    await writeNewFile(target, async (write) => {
      counts = await services.reports.write(format, scope, runtime.now(), write)
    })
    if (flag(values, 'json'))
      io.stdout.write(`${JSON.stringify({ exported: counts.events, ...counts, file: target, format })}\n`)
    else io.stdout.write(`exported ${counts.events} events and ${counts.windows} guard windows to ${target}\n`)
  }
}

function isReportFormat(format: string): format is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(format)
}

function describeEvent(event: HistoryEvent): string {
  const where = event.flag === null ? '' : ` ${event.flag}${event.environment === null ? '' : `[${event.environment}]`}`
  const outcome = event.outcome === null ? '' : ` (${event.outcome})`
  const reason = event.reason === null ? '' : ` — ${event.reason}`
  return `#${event.seq} ${event.at} ${event.kind}${where} by ${event.actor}${outcome}${reason}`
}
