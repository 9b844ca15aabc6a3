import { useId, useState, type FormEvent } from 'react'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import type { ContainerChoice } from './container-choices'
import type { LogsFollowRequest } from './useLogFollow'

// Suggestions only (the canonical types of docs/design.md); main filters, and accepts any name or a list.
const EVENT_TYPES = ['API_CALL', 'ERROR', 'PAGE_VIEW', 'FEATURE_USAGE', 'FEATURE_FLAG', 'METRIC']
const DEFAULT_TAIL = '200'
/** The picker's last choice: a container the environment does not name, typed. */
const OTHER = ''

interface LogFollowFormProps {
  /** The environment's containers (the service first), as the picker offers them. */
  choices: readonly ContainerChoice[]
  /** The console's environment (the header's switch); the page is mounted again when it changes. */
  environment: string | null
  /** The container chosen before the page opened (the Containers page's Logs), else the first choice. */
  initialContainer: string | null
  following: boolean
  onFollow: (request: LogsFollowRequest) => void
  onStop: () => void
}

/**
 * What to follow in the console's environment: one of its containers (or another, typed), a text
 * filter, an event type and how many earlier lines to show first.
 */
export function LogFollowForm({
  choices,
  environment,
  initialContainer,
  following,
  onFollow,
  onStop
}: LogFollowFormProps) {
  const [picked, setPicked] = useState<string | null>(initialContainer)
  const [typed, setTyped] = useState('')
  const [grep, setGrep] = useState('')
  const [eventType, setEventType] = useState('')
  const [tail, setTail] = useState(DEFAULT_TAIL)
  const ids = {
    container: useId(),
    other: useId(),
    grep: useId(),
    eventType: useId(),
    eventTypes: useId(),
    tail: useId()
  }

  // Until the operator picks, the first of the environment's containers (its service).
  const pickedName = picked ?? choices[0]?.name ?? OTHER
  const listed = pickedName === OTHER || choices.some((choice) => choice.name === pickedName)
  const container = pickedName === OTHER ? typed : pickedName

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
        <select
          id={ids.container}
          value={pickedName}
          onChange={(event) => setPicked(event.target.value)}
          data-testid="logs-container"
        >
          {choices.map((choice) => (
            <option key={choice.name} value={choice.name}>
              {choice.label}
            </option>
          ))}
          {!listed && <option value={pickedName}>{pickedName}</option>}
          <option value={OTHER}>Another container (type its name)</option>
        </select>
      </div>
      {pickedName === OTHER && (
        <div className="logs-field logs-field-wide">
          <label htmlFor={ids.other}>Container name</label>
          <input
            id={ids.other}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            required
            autoComplete="off"
            spellCheck={false}
            data-testid="logs-container-other"
          />
        </div>
      )}
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
