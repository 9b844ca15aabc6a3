import type { Handlers, StreamProducers } from '../contract-dispatch'
import type { Services } from '../app-context'
import { dbHandlers } from './db'
import { demoHandlers } from './demo'
import { flagHandlers } from './flags'
import { guardWindowsProducer, rolloutWatchProducer } from './guards'
import { historyHandlers, historyStreams } from './history'
import { logsFollowProducer } from './logs'
import { rolloutHandlers } from './rollout'
import { runbookHandlers, runbookStreams } from './runbook'
import { workspaceHandlers } from './workspace'

/** The whole table, one file per domain; a missing handler is a compile error here. */
export function createHandlers(services: Services): Handlers {
  return {
    ...workspaceHandlers(services),
    ...flagHandlers(services),
    ...rolloutHandlers(services),
    ...historyHandlers(services),
    ...runbookHandlers(services),
    ...dbHandlers(services),
    ...demoHandlers(services)
  }
}

export function createStreamProducers(services: Services): StreamProducers {
  return {
    ...historyStreams(services),
    ...runbookStreams(services),
    'logs.follow': logsFollowProducer(services),
    'guards.windows': guardWindowsProducer(services),
    'rollout.watch': rolloutWatchProducer(services)
  }
}
