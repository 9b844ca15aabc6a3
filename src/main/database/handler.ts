import type { Handlers } from '@main/transport/contract-dispatch'
import type { DatabaseService } from './database-service'

export function dbHandlers(deps: {
  database: DatabaseService
}): Pick<
  Handlers,
  'db.status' | 'db.setup' | 'db.migrate' | 'db.repair' | 'db.rollback' | 'db.restore' | 'db.verify' | 'db.overview'
> {
  const { database } = deps
  return {
    'db.status': (input) => database.status(input),
    'db.setup': (input) => database.setup(input),
    'db.migrate': (input) => database.migrate(input),
    'db.repair': (input) => database.repair(input),
    'db.rollback': (input) => database.rollback(input),
    'db.restore': (input) => database.restore(input),
    'db.verify': (input) => database.verify(input),
    'db.overview': (input) => database.overview(input)
  }
}
