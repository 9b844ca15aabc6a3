/**
 * What the e2e tests on the demo stack do to and ask of it from outside: the built CLI's
 * environment, the demo service's health, the rollout it serves, and injected faults.
 */
import { expect } from 'vitest'
import { probeHttp } from '@main/platform/http-probe'
import { DEMO_FLAG } from './demo-stack-workspace'
import { waitFor } from './docker-test-env'

/**
 * The built CLI's environment on the demo stack (runRampartAsync adds PATH): its own home and
 * actor, test labels on what `demo up` creates, and the test's Docker engine.
 */
export function demoCliEnv(home: string, actor: string): Record<string, string> {
  return {
    RAMPART_HOME: home,
    RAMPART_ACTOR: actor,
    RAMPART_DEMO_LABELS: 'rampart.test=1',
    ...(process.env.DOCKER_HOST === undefined ? {} : { DOCKER_HOST: process.env.DOCKER_HOST })
  }
}

/** The demo service answering /health, after `demo up` or a restart. */
export async function waitUntilDemoServing(baseUrl: string, container: string): Promise<void> {
  await waitFor(
    `${container} to answer /health`,
    async () => ((await probeHttp(`${baseUrl}/health`, { timeoutMs: 1000 })).status === 200 ? true : undefined),
    30_000,
    50
  )
}

/** What the running service serves: the rollout it read from the env file at its last start. */
export async function servedPercentage(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/v1/features/${DEMO_FLAG}`, { headers: { connection: 'close' } })
  return ((await response.json()) as { config: { rollout_percentage: number } }).config.rollout_percentage
}

/** Changes the demo service's injected faults, e.g. `{ treatment: { failure_rate: 0.2 } }`. */
export async function injectDemoFaults(baseUrl: string, change: object): Promise<void> {
  const response = await fetch(`${baseUrl}/demo/faults`, {
    method: 'POST',
    body: JSON.stringify(change),
    headers: { 'content-type': 'application/json', connection: 'close' }
  })
  expect(response.status).toBe(200)
}
