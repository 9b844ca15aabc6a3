import { useId, useState } from 'react'
import type { ContractError } from '@shared/errors'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { getBridge } from '@renderer/contract/bridge'
import { downloadText } from '@renderer/contract/download-text'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'

type ReportFormat = 'md' | 'html' | 'jsonl'

const FORMATS: ReadonlyArray<{ format: ReportFormat; label: string; type: string }> = [
  { format: 'md', label: 'Markdown', type: 'text/markdown;charset=utf-8' },
  { format: 'html', label: 'HTML', type: 'text/html;charset=utf-8' },
  { format: 'jsonl', label: 'JSON lines', type: 'application/x-ndjson;charset=utf-8' }
]

interface ExportButtonsProps {
  /** Narrows the report; empty for everything in the history file. */
  scope: { flag?: string; environment?: string }
  /** What the report covers, in words: "unified_llm_hub in local", "everything". */
  subject: string
  testId: string
  /** Its heading's level where it stands on the page. */
  headingLevel: 2 | 3
}

type ExportState =
  | { phase: 'writing'; format: ReportFormat }
  | { phase: 'done'; fileName: string; events: number; windows: number }
  | { phase: 'failed'; label: string; error: ContractError }

/**
 * Main writes the report (the same as `rampart history export`), the page saves it as a file
 * through the browser's download: one click, no dialog of the console's own.
 */
export function ExportButtons({ scope, subject, testId, headingLevel }: ExportButtonsProps) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3'
  const [state, setState] = useState<ExportState | null>(null)
  const headingId = useId()
  const writing = state?.phase === 'writing'

  const save = async (format: ReportFormat, label: string, type: string) => {
    if (writing) return
    setState({ phase: 'writing', format })
    const answer = await getBridge().invoke('review.export', { format, ...scope })
    if (!answer.ok) {
      setState({ phase: 'failed', label, error: answer.error })
      return
    }
    const { fileName, content, events, windows } = answer.value
    downloadText(fileName, content, type)
    setState({ phase: 'done', fileName, events, windows })
  }

  return (
    <section className="review-export" aria-labelledby={headingId} data-testid={testId}>
      <Heading id={headingId} className="review-export-title">
        Report of {subject}
      </Heading>
      <div className="review-export-buttons">
        {FORMATS.map(({ format, label, type }) => (
          <BlockableButton
            key={format}
            blocked={writing}
            onClick={() => void save(format, label, type)}
            data-testid={`${testId}-${format}`}
          >
            {state?.phase === 'writing' && state.format === format ? `Writing ${label}…` : `Download ${label}`}
          </BlockableButton>
        ))}
      </div>
      <div aria-live="polite" data-testid={`${testId}-status`}>
        {state?.phase === 'done' && (
          <p className="review-export-done">
            Saved {state.fileName}: {state.events} event{state.events === 1 ? '' : 's'},{' '}
            {state.windows.toLocaleString('en')} window{state.windows === 1 ? '' : 's'}.
          </p>
        )}
        {state?.phase === 'failed' && (
          <ErrorNotice error={state.error} context={`Could not write the ${state.label} report`} />
        )}
      </div>
    </section>
  )
}
