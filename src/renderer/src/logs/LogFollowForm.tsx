import { useId, useState, type FormEvent } from 'react'
import type { WorkspaceView } from '@shared/views'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import type { LogsFollowRequest } from './useLogFollow'

// Suggestions only (the canonical types of docs/design.md); main filters, and accepts any name or a list.
const EVENT_TYPES = ['API_CALL', 'ERROR', 'PAGE_VIEW', 'FEATURE_USAGE', 'FEATURE_FLAG', 'METRIC']
const DEFAULT_TAIL = '200'

interface LogFollowFormProps {
  workspace: WorkspaceView | null
  /** The console's environment (the header's switch); the page is mounted again when it changes. */
  environment: string | null
  following: boolean
  onFollow: (request: LogsFollowRequest) => void
  onStop: () => void
}

/**
 * What to follow in the console's environment: the container (its service container unless typed
 * over), a text filter, an event type and how many earlier lines to show first.
 */
export function LogFollowForm({ workspace, environment, following, onFollow, onStop }: LogFollowFormProps) {
  const [typedContainer, setTypedContainer] = useState<string | null>(null)
  const [grep, setGrep] = useState('')
  const [eventType, setEventType] = useState('')
  const [tail, setTail] = useState(DEFAULT_TAIL)
  const ids = {
    container: useId(),
    grep: useId(),
    eventType: useId(),
    eventTypes: useId(),
    tail: useId()
  }

  const serviceContainer = workspace?.environments.find((view) => view.name === environment)?.serviceContainer ?? ''
  const container = typedContainer ?? serviceContainer

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const request: LogsFollowRequest = { container: container.trim(), tail: Number(tail) }
    if (environment !== null) request.environment = environment
    if (grep !== '') request.grep = grep
    if (eventType.trim() !== '') request.eventType = eventType.trim()
    onFollow(request)
  }

  return (
    <form className="logs-form" onSubmit={submit} aria-label="Logs to follow">
      <div className="logs-field logs-field-wide">
        <label htmlFor={ids.container}>Container</label>
        <input
          id={ids.container}
          value={container}
          onChange={(event) => setTypedContainer(event.target.value)}
          required
          autoComplete="off"
          spellCheck={false}
          data-testid="logs-container"
        />
      </div>
      <div className="logs-field logs-field-wide">
        <label htmlFor={ids.grep}>Lines containing</label>
        <input
          id={ids.grep}
          value={grep}
          onChange={(event) => setGrep(event.target.value)}
          placeholder="any text (plain, case-sensitive)"
          autoComplete="off"
          spellCheck={false}
          data-testid="logs-grep"
        />
      </div>
      <div className="logs-field">
        <label htmlFor={ids.eventType}>Event type</label>
        <input
          id={ids.eventType}
          list={ids.eventTypes}
          value={eventType}
          onChange={(event) => setEventType(event.target.value)}
          placeholder="any, or ERROR,API_CALL"
          autoComplete="off"
          spellCheck={false}
          data-testid="logs-event-type"
        />
        <datalist id={ids.eventTypes}>
          {EVENT_TYPES.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
      </div>
      <div className="logs-field logs-field-narrow">
        <label htmlFor={ids.tail}>Earlier lines</label>
        <input
          id={ids.tail}
          type="number"
          min={0}
          max={100_000}
          step={1}
          value={tail}
          onChange={(event) => setTail(event.target.value)}
          required
          data-testid="logs-tail"
        />
      </div>
      <div className="logs-buttons">
        <button type="submit" className="logs-follow" data-testid="logs-follow">
          Follow
        </button>
        <BlockableButton onClick={onStop} blocked={!following} data-testid="logs-stop">
          Stop
        </BlockableButton>
      </div>
    </form>
  )
}
