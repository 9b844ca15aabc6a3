import type { ChainReport } from '@shared/history-types'

/** Whether the history file's hash chain still holds: nothing edited, removed or reordered. */
export function ChainStatus({ report }: { report: ChainReport }) {
  if (report.ok) {
    return (
      <p className="chain-status chain-intact" role="status" data-testid="chain-status">
        Chain intact: {report.count} event{report.count === 1 ? '' : 's'}, each linked to the one before.
      </p>
    )
  }
  return (
    <div className="chain-status chain-broken" role="alert" data-testid="chain-status">
      <strong>
        Chain BROKEN: {report.problems.length} problem{report.problems.length === 1 ? '' : 's'} in {report.count}{' '}
        events.
      </strong>
      <ul>
        {report.problems.map((problem) => (
          <li key={`${problem.seq}-${problem.kind}`}>
            event #{problem.seq} {problem.kind}: {problem.message}
          </li>
        ))}
      </ul>
    </div>
  )
}
