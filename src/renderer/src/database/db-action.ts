import type { RunbookProgressLog } from '@renderer/runbooks/useRunbookProgress'

/** What every action of the Database page is given. */
export interface DbActionProps {
  environment: string
  /** The database's own name, as typed in confirmations. */
  database: string
  progress: RunbookProgressLog
  /** Called once it ended, so the page reads the database again. */
  onDone: () => void
}
