/** What Rampart reads about a container: its state, health and labels, from inspect or from the list. */

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead'
export type ContainerHealth = 'healthy' | 'unhealthy' | 'starting'

export interface ContainerInfo {
  id: string
  name: string
  image: string
  state: ContainerState
  /** null when the container has no HEALTHCHECK. */
  health: ContainerHealth | null
  labels: Record<string, string>
  tty: boolean
  /** null when it never started. */
  startedAt: string | null
  /** The last exit code (0 while it has never exited). */
  exitCode: number
}

export interface ContainerSummary {
  id: string
  name: string
  image: string
  state: ContainerState
  /** From the engine's status text ("Up 3 minutes (healthy)"), null without a HEALTHCHECK. */
  health: ContainerHealth | null
  labels: Record<string, string>
}

/** The health in a list entry's status text; the list carries no health field of its own. */
export function healthFromStatus(status: string): ContainerHealth | null {
  if (status.includes('(healthy)')) return 'healthy'
  if (status.includes('(unhealthy)')) return 'unhealthy'
  if (status.includes('(health: starting)')) return 'starting'
  return null
}
