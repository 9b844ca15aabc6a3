import type { ContainerView } from '@shared/container-types'

export type ContainerAction = 'restart' | 'stop' | 'start'

export const CONTAINER_ACTIONS: ReadonlyArray<{
  action: ContainerAction
  label: string
  pending: string
  done: string
}> = [
  { action: 'restart', label: 'Restart', pending: 'Restarting…', done: 'Restarted' },
  { action: 'stop', label: 'Stop', pending: 'Stopping…', done: 'Stopped' },
  { action: 'start', label: 'Start', pending: 'Starting…', done: 'Started' }
]

const ROLE_TEXT: Record<ContainerView['role'], string> = { service: 'service', postgres: 'Postgres' }

export function roleText(role: ContainerView['role']): string {
  return ROLE_TEXT[role]
}

/** "running · healthy", "exited", "absent (no such container)". */
export function stateText(view: Pick<ContainerView, 'state' | 'health'>): string {
  if (view.state === 'absent') return 'absent (no such container)'
  return view.health === null ? view.state : `${view.state} · ${view.health}`
}

/** The id of a container's action button: the focus returns to it when its form closes. */
export function actionButtonId(container: string, action: ContainerAction): string {
  return `container-${action}-${container}`
}
