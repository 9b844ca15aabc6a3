import { z } from 'zod'
import { ContainerNameSchema, RequestedEnvironmentSchema } from './schemas/names'

/** What a container does for its environment. */
export type ContainerRole = 'service' | 'postgres'

/** One of the environment's containers as the console shows it. */
export interface ContainerView {
  name: string
  role: ContainerRole
  /** 'absent' when the engine has no container of that name. */
  state: 'absent' | 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead'
  health: 'healthy' | 'unhealthy' | 'starting' | null
  image: string | null
  startedAt: string | null
}

const CONTAINER_ACTIONS = ['restart', 'stop', 'start'] as const

export const ContainerActionInputSchema = z
  .object({
    environment: RequestedEnvironmentSchema.optional(),
    container: ContainerNameSchema,
    action: z.enum(CONTAINER_ACTIONS),
    /** The container's name typed again: stopping a service is never one slip away. */
    confirmation: z.string().max(300)
  })
  .strict()
export type ContainerActionInput = z.infer<typeof ContainerActionInputSchema>
