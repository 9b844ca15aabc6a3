import type { ContainerView } from '@shared/container-types'
import type { EnvironmentView } from '@shared/views'

/** A container the Logs page offers, labelled with what it is and how it stands. */
export interface ContainerChoice {
  name: string
  label: string
}

/**
 * The environment's containers as the picker lists them: as the Docker engine reports them, or,
 * when it could not be asked, as the workspace names them (state unknown), the service first.
 */
export function containerChoices(
  containers: readonly ContainerView[] | null,
  environment: EnvironmentView | null
): ContainerChoice[] {
  if (containers !== null && containers.length > 0) {
    return containers.map((view) => ({
      name: view.name,
      label: `${view.name} — ${view.role === 'postgres' ? 'Postgres' : 'service'}, ${
        view.health === null ? view.state : `${view.state}, ${view.health}`
      }`
    }))
  }
  if (environment === null) return []
  return [
    { name: environment.serviceContainer, label: `${environment.serviceContainer} — service` },
    { name: environment.postgres.container, label: `${environment.postgres.container} — Postgres` }
  ]
}
