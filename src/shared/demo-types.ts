import { z } from 'zod'
import { ImageReferenceSchema, RequestedEnvironmentSchema } from './schemas/names'
import type { RunbookRunView } from './runbook-types'

/**
 * Inputs and results of `demo up` / `demo down`, for the contract ('demo.up', 'demo.down') and
 * the CLI. Images are references such as node:18-slim or rampart-fixture/node:18.
 */
const environment = RequestedEnvironmentSchema.optional()
const port = z.number().int().min(1).max(65_535)

export const DemoUpInputSchema = z
  .object({
    environment,
    /** The demo service's port on 127.0.0.1; default from the environment's URLs, else 8084. */
    port: port.optional(),
    /** Postgres's port on 127.0.0.1; default the environment's postgres.port. */
    pgPort: port.optional(),
    /** Default RAMPART_DEMO_NODE_IMAGE, else node:18-slim. */
    nodeImage: ImageReferenceSchema.optional(),
    /** Default the environment's postgres.image. */
    postgresImage: ImageReferenceSchema.optional(),
    /** The service's own traffic: requests per second, simulated users, and a seed for repeatable runs. */
    traffic: z
      .object({
        rps: z.number().min(0).max(100_000).optional(),
        users: z.number().int().min(0).max(1_000_000).optional(),
        seed: z.string().min(1).max(200).optional()
      })
      .strict()
      .optional()
  })
  .strict()

export const DemoDownInputSchema = z.object({ environment }).strict()

export type DemoUpInput = z.infer<typeof DemoUpInputSchema>
export type DemoDownInput = z.infer<typeof DemoDownInputSchema>

/** What `up` found or did with a container: made it, started a stopped one, or found it running. */
export type DemoContainerStatus = 'created' | 'started' | 'running'

export interface DemoUpResult {
  environment: string
  envFile: { path: string; created: boolean }
  postgres: {
    container: string
    image: string
    status: DemoContainerStatus
    /** False when the container was there before and does not carry rampart.demo=1: `down` leaves it. */
    demoOwned: boolean
    network: 'publish' | 'host'
    host: string
    port: number
    database: string
    user: string
    serverVersion: string
  }
  service: {
    container: string
    image: string
    status: DemoContainerStatus
    url: string
    healthUrl: string
    startedAt: string
  }
  run: RunbookRunView
}

export interface DemoDownResult {
  environment: string
  removed: string[]
  /** Containers of the environment's names that `down` leaves, and why. */
  kept: Array<{ container: string; reason: string }>
  /** Names with no container. */
  absent: string[]
  run: RunbookRunView
}
