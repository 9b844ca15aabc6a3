import type { Handlers } from '../contract-dispatch'
import type { Services } from '../app-context'

export function dbHandlers(
  services: Services
): Pick<Handlers, 'db.status' | 'db.setup' | 'db.migrate' | 'db.repair' | 'db.rollback' | 'db.restore' | 'db.verify'> {
  const database = services.database
  return {
    'db.status': (input) => database.status(input),
    'db.setup': (input) => database.setup(input),
    'db.migrate': (input) => database.migrate(input),
    'db.repair': (input) => database.repair(input),
    'db.rollback': (input) => database.rollback(input),
    'db.restore': (input) => database.restore(input),
    'db.verify': (input) => database.verify(input)
  }
}
