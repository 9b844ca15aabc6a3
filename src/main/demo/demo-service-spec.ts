import type { DemoUpInput } from '@shared/demo-types'
import type { ContainerSpec } from '@main/docker/core/container-spec'
import type { FlagEnvMapping } from '@main/flags/core/flag-env-mapping'

/** Labels on the demo service's container: what `demo up` set it up with, read back by a later `up`. */
export const PORT_LABEL = 'rampart.demo.port'
export const ENV_FILE_LABEL = 'rampart.demo.env-file'
export const INSTANCE_LABEL = 'rampart.demo.instance'
const APP_DIR = '/app'
const CONTAINER_ENV_FILE = '/config/.env'

export interface DemoServiceSpecInput {
  environment: string
  container: string
  image: string
  port: number
  /** Absolute path of the env file on this machine. */
  envFile: string
  /** Absolute path of resources/demo/ops-center. */
  serviceDir: string
  /** Absolute path of Rampart's node_modules (prom-client for /metrics). */
  nodeModulesDir: string
  flagMappings: Record<string, FlagEnvMapping>
  /** Reported by /health, so readiness knows it reached this container. */
  instance: string
  traffic: NonNullable<DemoUpInput['traffic']>
  labels: Record<string, string>
}

/** The demo service's container: host networking on 127.0.0.1, its code and the env file mounted read-only. */
export function demoServiceContainerSpec(input: DemoServiceSpecInput): ContainerSpec {
  const env: Record<string, string> = {
    DEMO_HOST: '127.0.0.1',
    DEMO_PORT: String(input.port),
    DEMO_ENV_FILE: CONTAINER_ENV_FILE,
    DEMO_ENV_FILE_ORIGIN: input.envFile,
    DEMO_FLAGS: JSON.stringify(input.flagMappings),
    DEMO_INSTANCE: input.instance
  }
  if (input.traffic.rps !== undefined) env.DEMO_RPS = String(input.traffic.rps)
  if (input.traffic.users !== undefined) env.DEMO_USERS = String(input.traffic.users)
  if (input.traffic.seed !== undefined) env.DEMO_SEED = input.traffic.seed
  return {
    name: input.container,
    image: input.image,
    env,
    cmd: ['node', `${APP_DIR}/server.js`],
    mounts: [
      { source: input.serviceDir, target: APP_DIR, readOnly: true },
      // Node looks for packages in /node_modules after /app/node_modules, so /app stays exactly the shipped folder.
      { source: input.nodeModulesDir, target: '/node_modules', readOnly: true },
      // The file, not its folder: nothing else beside it is exposed. A restart sees a file replaced by rename.
      { source: input.envFile, target: CONTAINER_ENV_FILE, readOnly: true }
    ],
    network: 'host',
    labels: {
      'rampart.role': 'demo-service',
      'rampart.environment': input.environment,
      [PORT_LABEL]: String(input.port),
      [ENV_FILE_LABEL]: input.envFile,
      [INSTANCE_LABEL]: input.instance,
      ...input.labels
    }
  }
}
