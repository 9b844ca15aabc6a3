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

/** The two header rows shared by the live and the review window tables: each cohort's three figures. */
export function GuardWindowHead() {
  return (
    <thead>
      <tr>
        <th rowSpan={2} scope="col">
          Window start
        </th>
        <th colSpan={3} scope="colgroup">
          Treatment
        </th>
        <th colSpan={3} scope="colgroup">
          Control
        </th>
        <th rowSpan={2} scope="col">
          Decision
        </th>
      </tr>
      <tr>
        {['requests', 'errors', 'p95', 'requests', 'errors', 'p95'].map((name, index) => (
          <th key={index} scope="col" className="guard-windows-figure">
            {name}
          </th>
        ))}
      </tr>
    </thead>
  )
}
