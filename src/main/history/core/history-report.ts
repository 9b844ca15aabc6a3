import type { ChainReport, HistoryEvent } from '@shared/history-types'

/**
 * A reviewer's report of recorded events, in Markdown: grouped by rollout (flag and
 * environment), every event with its time, actor, reason, states and outcome, and whether the
 * chain verified, so the report says whether it can be trusted.
 */
export function renderHistoryReport(events: readonly HistoryEvent[], chain: ChainReport, generatedAt: Date): string {
  const lines: string[] = ['# Rampart history report', '']
  lines.push(`Generated ${generatedAt.toISOString()} from ${events.length} event(s).`)
  lines.push(
    chain.ok
      ? `Chain verified: ${chain.count} event(s), head ${chain.headHash.slice(0, 16)}.`
      : `**Chain broken**: ${chain.problems.map((problem) => `#${problem.seq} ${problem.kind}`).join(', ')}. ` +
          'Entries below may have been edited or removed.'
  )
  const groups = new Map<string, HistoryEvent[]>()
  for (const event of events) {
    const key = event.flag === null ? '(no flag)' : `${event.flag} — ${event.environment ?? '(no environment)'}`
    const group = groups.get(key) ?? []
    group.push(event)
    groups.set(key, group)
  }
  for (const [key, group] of groups) {
    lines.push(
      '',
      `## ${key}`,
      '',
      '| # | time (UTC) | event | actor | from | to | outcome | reason |',
      '|---|---|---|---|---|---|---|---|'
    )
    for (const event of group) {
      const cells = [
        event.seq,
        event.at,
        event.kind,
        cell(event.actor),
        exposure(event.fromState),
        exposure(event.toState),
        cell(event.outcome ?? ''),
        cell(event.reason ?? '')
      ]
      lines.push(`| ${cells.join(' | ')} |`)
    }
  }
  return `${lines.join('\n')}\n`
}

function exposure(state: unknown): string {
  if (typeof state !== 'object' || state === null) return ''
  const { enabled, rollout_percentage: percentage } = state as { enabled?: unknown; rollout_percentage?: unknown }
  if (enabled === false) return `off (${String(percentage ?? '?')}%)`
  return percentage === undefined ? '' : `${String(percentage)}%`
}

// A pipe or newline inside a cell would break the table.
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}
