import { RampartError } from '@shared/errors'
import type { Handlers } from '@main/transport/contract-dispatch'
import type { Clock } from '@main/platform/clock'
import type { ReportExport } from './report-export'
import type { ReviewService } from './review-service'

/** Past this many windows a report is written by the CLI to a file, not carried to a page. */
const CONSOLE_EXPORT_MAX_WINDOWS = 200_000

export function reviewHandlers(deps: {
  review: ReviewService
  reports: ReportExport
  clock: Clock
}): Pick<Handlers, 'review.rollouts' | 'review.rollout' | 'review.windows' | 'review.export'> {
  return {
    'review.rollouts': async (filter) => deps.review.rollouts(filter),
    'review.rollout': async ({ id }) => deps.review.rollout(id),
    'review.windows': async ({ id, offset, limit }) => deps.review.windows(id, { offset, limit }),
    'review.export': async ({ format, flag, environment }) => {
      const scope = { ...(flag === undefined ? {} : { flag }), ...(environment === undefined ? {} : { environment }) }
      const now = deps.clock.now()
      const chunks: string[] = []
      let windows = 0
      const counts = await deps.reports.write(format, scope, now, (chunk) => {
        if (format === 'jsonl' && chunk.startsWith('{"kind":"guard_window"')) windows += 1
        if (windows > CONSOLE_EXPORT_MAX_WINDOWS) {
          throw new RampartError(
            'refused',
            `this report holds more than ${CONSOLE_EXPORT_MAX_WINDOWS} guard windows; write it to a file with ` +
              `rampart history export --format ${format} --out FILE`
          )
        }
        chunks.push(chunk)
      })
      const stamp = now.toISOString().replace(/[:.]/g, '-')
      return { fileName: `rampart-report-${stamp}.${format}`, content: chunks.join(''), ...counts }
    }
  }
}
