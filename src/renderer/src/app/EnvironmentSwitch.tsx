import { useId } from 'react'
import type { WorkspaceView } from '@shared/views'

interface EnvironmentSwitchProps {
  workspace: WorkspaceView | null
  environment: string | null
  onSwitch: (environment: string) => void
}

/** The environment every page shows and the emergency action acts in; the workspace's default first. */
export function EnvironmentSwitch({ workspace, environment, onSwitch }: EnvironmentSwitchProps) {
  const id = useId()
  if (workspace === null || environment === null) return null
  return (
    <span className="environment-switch">
      <label htmlFor={id}>Environment</label>
      <select
        id={id}
        value={environment}
        onChange={(event) => onSwitch(event.target.value)}
        data-testid="environment-switch"
      >
        {workspace.environments.map((view) => (
          <option key={view.name} value={view.name}>
            {view.name}
            {view.name === workspace.defaultEnvironment ? ' (default)' : ''}
            {view.protected ? ' — protected' : ''}
          </option>
        ))}
      </select>
    </span>
  )
}
