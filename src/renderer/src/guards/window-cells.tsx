import type { CohortRow } from './guard-window-row'
import { countText, errorRateText, latencyText } from './guard-figure-text'

/** A cohort's requests, error rate and p95 as three cells, for the live and the review window tables. */
export function cohortCells(name: string, cohort: CohortRow) {
  return [countText(cohort.requests), errorRateText(cohort.errorRate), latencyText(cohort.p95Ms)].map((text, index) => (
    <td key={`${name}-${index}`} className="guard-windows-figure">
      {text}
    </td>
  ))
}

/** A window's decision that opens to its reasons, one per line. */
export function DecisionReasons({ decision, reasons }: { decision: string; reasons: readonly string[] }) {
  return (
    <details>
      <summary>{decision}</summary>
      <ul className="guard-window-reasons">
        {reasons.map((reason) => (
          <li key={reason}>{reason}</li>
        ))}
      </ul>
    </details>
  )
}
