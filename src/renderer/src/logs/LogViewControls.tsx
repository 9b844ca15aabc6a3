import { BlockableButton } from '@renderer/contract/BlockableButton'
import type { LogView } from './useLogView'

interface LogViewControlsProps {
  view: LogView
  /** A stream is open or lines are on screen: there is something to pause, show or save. */
  active: boolean
  container: string | null
}

/** Pause and resume, the readable JSON mode, and the download of what is shown. */
export function LogViewControls({ view, active, container }: LogViewControlsProps) {
  const json = view.mode === 'json'
  return (
    <div className="logs-view-controls" role="group" aria-label="Log view">
      <BlockableButton
        blocked={!active && !view.paused}
        className={view.paused ? 'logs-resume' : undefined}
        onClick={view.paused ? view.resume : view.pause}
        data-testid="logs-pause"
      >
        {view.paused ? `Resume (${view.counts.waiting.toLocaleString('en')} waiting)` : 'Pause'}
      </BlockableButton>
      <button
        type="button"
        aria-pressed={json}
        onClick={() => view.setMode(json ? 'plain' : 'json')}
        data-testid="logs-json"
      >
        Readable JSON
      </button>
      <BlockableButton
        blocked={view.counts.shown === 0 || container === null}
        onClick={() => container !== null && view.download(container)}
        data-testid="logs-download"
      >
        Download what is shown
      </BlockableButton>
    </div>
  )
}
