import { useId, useState } from 'react'
import type { DbOverview } from '@shared/db-types'

interface PostgresOverviewProps {
  overview: DbOverview
}

/** The environment's Postgres at a glance: container, health, version, how to connect; what is wrong, in place. */
export function PostgresOverview({ overview }: PostgresOverviewProps) {
  const running = overview.containerState === 'running'
  return (
    <div className="db-overview" data-testid="db-overview">
      <div className="db-overview-status">
        <p className={`db-state ${running ? 'db-state-running' : 'db-state-down'}`} data-testid="db-container-state">
          {overview.containerState.toUpperCase()}
          {overview.health === null ? '' : ` · ${overview.health}`}
        </p>
        <p className="muted">
          container <strong>{overview.container}</strong>
        </p>
        <p className="db-badges">
          {overview.protected && <span className="badge badge-protected">protected</span>}
          <span className={overview.disposable ? 'badge badge-disposable' : 'badge'}>
            {overview.disposable ? 'disposable test database' : 'not disposable'}
          </span>
        </p>
      </div>
      <dl className="db-facts">
        <dt>Server</dt>
        <dd data-testid="db-server-version">
          {overview.serverVersion === null ? 'did not answer' : `PostgreSQL ${overview.serverVersion}`}
        </dd>
        <dt>Database</dt>
        <dd>{overview.database}</dd>
        <dt>Connection</dt>
        <dd>
          <ConnectionString text={overview.connectionString} />
        </dd>
        <dt>Password</dt>
        <dd data-testid="db-password-source">{overview.password}</dd>
      </dl>
      {overview.problems.length > 0 && (
        <div className="db-problems" role="alert" data-testid="db-problems">
          <strong>Could not read everything:</strong>
          <ul>
            {overview.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  )
}

/** The connection string (never with the password) and a button that copies it. */
function ConnectionString({ text }: { text: string }) {
  const [copied, setCopied] = useState<'copied' | 'refused' | null>(null)
  const fieldId = useId()
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setCopied('copied')
    } catch {
      // Electron's locked-down session may refuse the clipboard: the text is selected for Ctrl+C instead.
      const field = document.getElementById(fieldId)
      if (field instanceof HTMLInputElement) {
        field.focus()
        field.select()
      }
      setCopied('refused')
    }
  }
  return (
    <span className="db-connection">
      <input
        id={fieldId}
        className="db-connection-text"
        value={text}
        readOnly
        aria-label="Connection string"
        spellCheck={false}
        size={Math.min(Math.max(text.length, 20), 60)}
        data-testid="db-connection-string"
      />
      <button type="button" onClick={() => void copy()} data-testid="db-copy">
        Copy
      </button>
      <span role="status" className="db-copy-status" data-testid="db-copy-status">
        {copied === 'copied' ? 'Copied' : copied === 'refused' ? 'Copy refused here: selected, press Ctrl+C' : ''}
      </span>
    </span>
  )
}
