import type { Handlers, StreamProducers } from '@main/transport/contract-dispatch'
import { dbHandlers } from '@main/database/handler'
import { demoHandlers } from '@main/demo/handler'
import { flagHandlers } from '@main/flags/handler'
import { attentionHandlers, supervisionProducer } from '@main/guards/handler'
import { historyHandlers, historyStreams } from '@main/history/handler'
import { containerHandlers, logsFollowProducer } from '@main/docker/handler'
import { rolloutHandlers } from '@main/rollouts/handler'
import { runbookHandlers, runbookStreams } from '@main/runbooks/handler'
import { workspaceHandlers } from '@main/workspace/handler'
import { reviewHandlers } from '@main/review/handler'
import type { Services } from './app-context'

/** The whole table, one handler file per feature; a missing handler is a compile error here. */
export function createHandlers(services: Services): Handlers {
  return {
    ...workspaceHandlers(services),
    ...flagHandlers(services),
    ...rolloutHandlers(services),
    ...historyHandlers(services),
    ...runbookHandlers({ ...services, runbookRecords: services.store.runbooks }),
    ...dbHandlers(services),
    ...demoHandlers(services),
    ...attentionHandlers(services),
    ...reviewHandlers(services),
    ...containerHandlers(services)
  }
}

export function createStreamProducers(services: Services): StreamProducers {
  return {
    ...historyStreams(services),
    ...runbookStreams(services),
    'logs.follow': logsFollowProducer(services),
    'guards.supervision': supervisionProducer(services)
  }
}
