import type { HistoryEvent } from '@shared/history-types'
import {
  chainSentence,
  exposureText,
  rateText,
  rolloutTitle,
  type ReportModel,
  type ReportedRollout
} from './report-model'
import { errorRateSvg, escapeXml, latencySvg } from './svg-chart'

// One file that opens anywhere and asks for nothing: styles inline, charts as inline SVG, and a
// policy that forbids every request, so the report cannot call home even if a value slipped in.
const POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
const STYLE = [
  'body{background:#0b1120;color:#e2e8f0;font:14px/1.5 system-ui,sans-serif;margin:24px;max-width:960px}',
  'h1,h2{color:#f8fafc} table{border-collapse:collapse;width:100%;margin:8px 0 16px}',
  'th,td{border:1px solid #334155;padding:4px 6px;text-align:left;vertical-align:top}',
  '.broken{color:#fecaca;background:#7f1d1d;padding:8px} .ok{color:#bbf7d0}',
  '.trip td{background:#450a0a} .kill td{background:#3f1d1d}'
].join('')

/** The same report as a self-contained HTML page: timeline, summary tables and inline SVG charts. */
export function renderHtmlReport(model: ReportModel): string {
  const chain = `<p class="${model.chain.ok ? 'ok' : 'broken'}">${escapeXml(chainSentence(model))}</p>`
  const body = [
    '<h1>Rampart history report</h1>',
    `<p>Generated ${escapeXml(model.generatedAt.toISOString())}, ${escapeXml(model.scope)}.</p>`,
    chain,
    ...model.rollouts.map(rolloutSection),
    model.otherEvents.length === 0 ? '' : `<h2>Events of no flag</h2>${eventTable(model.otherEvents)}`
  ].join('\n')
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${POLICY}">` +
    `<title>Rampart history report</title><style>${STYLE}</style></head>\n<body>\n${body}\n</body></html>\n`
  )
}

function rolloutSection(rollout: ReportedRollout): string {
  const { summary, windowSummary: windows } = rollout
  const facts = [
    ['started', summary.startedAt],
    ['ended', summary.endedAt ?? 'still in progress'],
    ['highest phase', summary.highestPhase === null ? '—' : `${summary.highestPhase} %`],
    ['moved by', summary.actors.join(', ')],
    ['time to safe', summary.timeToSafeMs === null ? '—' : `${summary.timeToSafeMs} ms`],
    [
      'guard windows',
      `${windows.windows}: ${windows.pass} pass, ${windows.hold} hold, ` +
        `${windows.breach} breach, ${windows.trip} trip; ` +
        `worst treatment error rate ${rateText(windows.maxTreatmentErrorRate)}`
    ]
  ]
  return [
    `<section><h2>${escapeXml(rolloutTitle(summary))}</h2>`,
    `<table>${facts.map(([name, value]) => factRow(name!, value!)).join('')}</table>`,
    windows.windows === 0 ? '' : `${errorRateSvg(rollout.chart)}\n${latencySvg(rollout.chart)}`,
    eventTable(rollout.events),
    '</section>'
  ].join('\n')
}

function eventTable(events: readonly HistoryEvent[]): string {
  const header = ['#', 'time (UTC)', 'event', 'actor', 'from', 'to', 'outcome', 'reason']
  const rows = events.map((event) => {
    const cells = [
      String(event.seq),
      event.at,
      event.kind,
      event.actor,
      exposureText(event.fromState),
      exposureText(event.toState),
      event.outcome ?? '',
      event.reason ?? ''
    ]
    const rowClass = event.kind === 'guard_trip' ? ' class="trip"' : event.kind === 'kill' ? ' class="kill"' : ''
    return `<tr${rowClass}>${cells.map((value) => `<td>${escapeXml(value)}</td>`).join('')}</tr>`
  })
  return `<table><tr>${header.map((name) => `<th>${name}</th>`).join('')}</tr>${rows.join('')}</table>`
}

function factRow(name: string, value: string): string {
  return `<tr><th>${escapeXml(name)}</th><td>${escapeXml(value)}</td></tr>`
}
