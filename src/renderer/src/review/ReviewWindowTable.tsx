import { useState } from 'react'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { useInvoke } from '@renderer/contract/useInvoke'
import { instantText } from '@renderer/format/instant-text'
import { guardWindowRow } from '@renderer/guards/guard-window-row'
import { cohortCells, DecisionReasons, GuardWindowHead } from '@renderer/guards/window-cells'
import { pageRange, windowPageText } from './window-pages'

const WINDOWS_PER_PAGE = 50

interface ReviewWindowTableProps {
  rolloutId: number
  subject: string
  historyTick: number
}

/** Every guard window of the rollout, oldest first, a page at a time (`review.windows`). */
export function ReviewWindowTable({ rolloutId, subject, historyTick }: ReviewWindowTableProps) {
  const [offset, setOffset] = useState(0)
  const page = useInvoke(
    'review.windows',
    { id: rolloutId, offset, limit: WINDOWS_PER_PAGE },
    { refreshKey: historyTick }
  )
  const total = page.value?.total ?? 0
  const range = pageRange(offset, WINDOWS_PER_PAGE, total)
  const rows = (page.value?.windows ?? []).map(guardWindowRow)

  return (
    <div className="review-windows" data-testid="review-windows">
      {page.error !== null && <ErrorNotice error={page.error} context="Could not read the windows" />}
      <nav className="review-pager" aria-label={`Pages of the guard windows of ${subject}`}>
        <BlockableButton blocked={range.first} onClick={() => setOffset(0)}>
          First
        </BlockableButton>
        <BlockableButton
          blocked={range.first}
          onClick={() => setOffset(range.previousOffset)}
          data-testid="review-windows-previous"
        >
          Previous
        </BlockableButton>
        <span className="review-pager-text" role="status" data-testid="review-windows-range">
          {windowPageText(range, total, page.value === null)}
        </span>
        <BlockableButton
          blocked={range.last}
          onClick={() => setOffset(range.nextOffset)}
          data-testid="review-windows-next"
        >
          Next
        </BlockableButton>
        <BlockableButton blocked={range.last} onClick={() => setOffset(range.lastOffset)}>
          Last
        </BlockableButton>
      </nav>
      {rows.length > 0 && (
        <div className="table-scroll" role="region" aria-label={`Guard windows of ${subject}`} tabIndex={0}>
          <table className="guard-windows" data-testid="review-window-table">
            <GuardWindowHead />
            <tbody>
              {rows.map((window) => (
                <tr
                  key={window.id}
                  className={`guard-window guard-window-${window.decision}`}
                  data-testid="review-window-row"
                  data-decision={window.decision}
                >
                  <td title={window.windowStart}>{instantText(window.windowStart)}</td>
                  {cohortCells('treatment', window.treatment)}
                  {cohortCells('control', window.control)}
                  <td className="guard-window-decision">
                    {window.reasons.length === 0 ? (
                      <strong>{window.decision}</strong>
                    ) : (
                      <DecisionReasons decision={window.decision} reasons={window.reasons} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
