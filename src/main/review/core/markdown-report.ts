import type { HistoryEvent } from '@shared/history-types'
import {
  chainSentence,
  exposureText,
  rateText,
  rolloutTitle,
  type ReportModel,
  type ReportedRollout
} from './report-model'

/**
 * A reviewer's report in Markdown: the chain's state and head first (so the reader knows whether
 * the file was cut or edited), then each rollout with its summary, a table of its guard windows
 * by decision, and every event with its time, actor, states, outcome and reason.
 */
export function renderMarkdownReport(model: ReportModel): string {
  const events = model.rollouts.reduce((count, rollout) => count + rollout.events.length, model.otherEvents.length)
  const lines = ['# Rampart history report', '']
  lines.push(`Generated ${model.generatedAt.toISOString()} from ${events} event(s), ${model.scope}.`)
  lines.push(model.chain.ok ? chainSentence(model) : `**${chainSentence(model)}**`)
  for (const rollout of model.rollouts) lines.push('', ...rolloutSection(rollout))
  if (model.otherEvents.length > 0) lines.push('', '## Events of no flag', '', ...eventTable(model.otherEvents))
  return `${lines.join('\n')}\n`
}

function rolloutSection(rollout: ReportedRollout): string[] {
  const { summary, windowSummary: windows } = rollout
  const lines = [`## ${rolloutTitle(summary)}`, '']
  lines.push(
    `Started ${summary.startedAt}, ${summary.endedAt === null ? 'still in progress' : `ended ${summary.endedAt}`}; ` +
      `highest phase ${summary.highestPhase === null ? '—' : `${summary.highestPhase} %`}; ` +
      `moved by ${summary.actors.join(', ')}` +
      (summary.timeToSafeMs === null ? '' : `; safe ${summary.timeToSafeMs} ms after the emergency rollback began`) +
      '.'
  )
  lines.push(
    '',
    '| guard windows | pass | hold | breach | trip | worst treatment error rate | worst treatment p95 |',
    '|---|---|---|---|---|---|---|',
    `| ${windows.windows} | ${windows.pass} | ${windows.hold} | ${windows.breach} | ${windows.trip} | ` +
      `${rateText(windows.maxTreatmentErrorRate)} | ` +
      `${windows.maxTreatmentP95Ms === null ? '—' : `${windows.maxTreatmentP95Ms} ms`} |`,
    ''
  )
  return [...lines, ...eventTable(rollout.events)]
}

function eventTable(events: readonly HistoryEvent[]): string[] {
  const lines = [
    '| # | time (UTC) | event | actor | from | to | outcome | reason |',
    '|---|---|---|---|---|---|---|---|'
  ]
  for (const event of events) {
    const cells = [
      event.seq,
      event.at,
      event.kind,
      cell(event.actor),
      exposureText(event.fromState),
      exposureText(event.toState),
      cell(event.outcome ?? ''),
      cell(event.reason ?? '')
    ]
    lines.push(`| ${cells.join(' | ')} |`)
  }
  return lines
}

// A pipe or newline inside a cell would break the table.
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}
