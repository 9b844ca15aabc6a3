import { useId, useState } from 'react'
import type { WorkspaceView } from '@shared/views'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import { useInvoke } from '@renderer/contract/useInvoke'
import { ExportButtons } from './ExportButtons'
import { ANY_ROLLOUT, filterChoices, isFiltered, reviewFilter, type ReviewFilterFields } from './review-filter'
import { ReviewFilters } from './ReviewFilters'
import { openButtonId, RolloutList } from './RolloutList'
import { RolloutReview } from './RolloutReview'

interface ReviewPageProps {
  workspace: WorkspaceView | null
  historyTick: number
}

/**
 * The reviewer's page: past and running rollouts cut from the history file, one at a time in full,
 * and reports. It reads the history file alone, so it works with no Docker engine and no database.
 */
export function ReviewPage({ workspace, historyTick }: ReviewPageProps) {
  const [fields, setFields] = useState<ReviewFilterFields>(ANY_ROLLOUT)
  const [openId, setOpenId] = useState<number | null>(null)
  const focusAfterRender = useFocusAfterRender()
  const headingId = useId()
  const rollouts = useInvoke('review.rollouts', reviewFilter(fields), { refreshKey: historyTick })
  // Every rollout, for the flags and environments the filter offers (replayed incidents among them).
  const everything = useInvoke('review.rollouts', {}, { refreshKey: historyTick })
  const choices = filterChoices(workspace, everything.value ?? [])

  const open = (id: number) => {
    setOpenId(id)
    focusAfterRender(headingId)
  }
  const close = () => {
    if (openId !== null) focusAfterRender(openButtonId(openId))
    setOpenId(null)
  }

  return (
    <div className="review-page">
      <h1>Review</h1>
      {openId !== null ? (
        <RolloutReview id={openId} headingId={headingId} historyTick={historyTick} onClose={close} />
      ) : (
        <>
          <p className="muted">
            Rollouts as the history file records them, newest first: no Docker engine or database is needed.
          </p>
          <ReviewFilters fields={fields} choices={choices} onChange={setFields} />
          {rollouts.error !== null && <ErrorNotice error={rollouts.error} context="Could not list the rollouts" />}
          <p className="review-count" role="status" data-testid="review-count">
            {countText(rollouts.value?.length ?? null, isFiltered(fields))}
          </p>
          {rollouts.value !== null && rollouts.value.length > 0 && (
            <RolloutList rollouts={rollouts.value} onOpen={open} />
          )}
          <ExportButtons
            scope={{}}
            subject="everything in the history file"
            testId="review-export-all"
            headingLevel={2}
          />
        </>
      )}
    </div>
  )
}

function countText(count: number | null, filtered: boolean): string {
  if (count === null) return 'Reading the history…'
  const matching = filtered ? ' matching the filters' : ''
  if (count === 0) return filtered ? 'No rollout matches the filters.' : 'No rollout recorded yet.'
  return `${count} rollout${count === 1 ? '' : 's'}${matching}, newest first.`
}
