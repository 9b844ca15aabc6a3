import { useId, useState } from 'react'
import type { ContainerView } from '@shared/container-types'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import { useInvoke } from '@renderer/contract/useInvoke'
import { instantText } from '@renderer/format/instant-text'
import { ContainerActionForm } from './ContainerActionForm'
import { actionButtonId, CONTAINER_ACTIONS, roleText, stateText, type ContainerAction } from './container-text'

interface ContainersPageProps {
  /** The console's environment; the page is mounted again when it changes. */
  environment: string | null
  historyTick: number
  /** Opens the Logs page following this container. */
  onLogs: (container: string) => void
}

interface Acted {
  view: ContainerView
  action: ContainerAction
}

/**
 * The environment's containers (its service and its Postgres) with their state and health: each
 * restarted, stopped or started with its name typed, and its log one click away.
 */
export function ContainersPage({ environment, historyTick, onLogs }: ContainersPageProps) {
  const containers = useInvoke('docker.containers', environment === null ? {} : { environment }, {
    refreshKey: historyTick
  })
  const [open, setOpen] = useState<{ container: string; action: ContainerAction } | null>(null)
  const [acted, setActed] = useState<Acted | null>(null)
  const focusAfterRender = useFocusAfterRender()
  const outcomeId = useId()
  const views = containers.value ?? []
  const openView = open === null ? undefined : views.find((view) => view.name === open.container)

  const choose = (container: string, action: ContainerAction) => {
    setActed(null)
    setOpen({ container, action })
  }
  const cancel = () => {
    if (open !== null) focusAfterRender(actionButtonId(open.container, open.action))
    setOpen(null)
  }
  const done = (view: ContainerView) => {
    if (open !== null) setActed({ view, action: open.action })
    setOpen(null)
    containers.reload()
    focusAfterRender(outcomeId)
  }

  return (
    <div className="containers-page">
      <div className="page-title-row">
        <h1>Containers{environment === null ? '' : ` in ${environment}`}</h1>
        <button type="button" onClick={containers.reload} data-testid="containers-reload">
          Read again
        </button>
      </div>
      {containers.error !== null && (
        <ErrorNotice error={containers.error} context="Could not ask the Docker engine for the containers" />
      )}
      {containers.value === null && containers.error === null && <p className="muted">Asking the Docker engine…</p>}
      {views.length > 0 && (
        <div className="table-scroll" role="region" aria-label="Containers" tabIndex={0}>
          <table className="containers-table" data-testid="containers-table">
            <thead>
              <tr>
                <th scope="col">Container</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Image</th>
                <th scope="col">Started</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {views.map((view) => (
                <tr
                  key={view.name}
                  className={`container-row container-${view.state}`}
                  data-testid="container-row"
                  data-container={view.name}
                  data-state={view.state}
                >
                  <td className="container-name">{view.name}</td>
                  <td>{roleText(view.role)}</td>
                  <td className={`container-state container-state-${view.state}`} data-testid="container-state">
                    {stateText(view)}
                  </td>
                  <td className="container-image">{view.image ?? '—'}</td>
                  <td title={view.startedAt ?? undefined}>
                    {view.startedAt === null ? '—' : instantText(view.startedAt)}
                  </td>
                  <td>
                    <div className="container-buttons">
                      {CONTAINER_ACTIONS.map(({ action, label }) => (
                        <button
                          key={action}
                          type="button"
                          id={actionButtonId(view.name, action)}
                          aria-pressed={open?.container === view.name && open.action === action}
                          onClick={() => choose(view.name, action)}
                          aria-label={`${label} ${view.name}`}
                        >
                          {label}
                        </button>
                      ))}
                      <button
                        type="button"
                        onClick={() => onLogs(view.name)}
                        aria-label={`Logs of ${view.name}`}
                        data-testid="container-logs"
                      >
                        Logs
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open !== null && openView !== undefined && environment !== null && (
        <ContainerActionForm
          key={`${open.container}/${open.action}`}
          environment={environment}
          container={openView}
          action={open.action}
          onDone={done}
          onCancel={cancel}
        />
      )}
      <div id={outcomeId} tabIndex={-1} aria-live="polite" data-testid="container-outcome">
        {acted !== null && (
          <p className="run-outcome-ok">
            {CONTAINER_ACTIONS.find((choice) => choice.action === acted.action)?.done} {acted.view.name}: now{' '}
            {stateText(acted.view)}.
          </p>
        )}
      </div>
    </div>
  )
}
