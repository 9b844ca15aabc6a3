/**
 * The demo ops-center service (resources/demo/ops-center/server.js) in a container, as the
 * operated service: the Node fixture image, host networking on a free 127.0.0.1 port, the
 * env file's FOLDER mounted at /config (Rampart replaces the file by rename, which a single-file
 * bind mount would not follow), labelled rampart.test=1. Ready when /health answers 200.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DockerEngine } from '@main/docker/docker-engine'
import { FIXTURE_USER, type PostgresFixture } from './postgres-fixture'
import { probeHttp } from '@main/platform/http-probe'
import { locateDemoResources } from '@main/demo/demo-resources'
import { PROJECT_MIGRATIONS } from './database-bench'
import {
  freePort,
  POSTGRES_FIXTURE_IMAGE,
  NODE_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  TEST_LABELS,
  uniqueContainerName,
  waitFor
} from './docker-test-env'
import { seedEnvText } from '@test/fixtures/service-workspace'

const DEMO_SERVICE_DIR = fileURLToPath(new URL('../../resources/demo/ops-center/', import.meta.url))

export interface ServiceContainer {
  name: string
  port: number
  baseUrl: string
  healthUrl: string
  /** The old page, served whatever the flag: the seed's "verify old pages work". */
  verifyUrl: string
  dir: string
  envFile: string
  remove(): Promise<void>
}

export async function startServiceContainer(
  engine: DockerEngine,
  purpose: string,
  options: { envText?: string; image?: string; rps?: number } = {}
): Promise<ServiceContainer> {
  const image = options.image ?? NODE_FIXTURE_IMAGE
  await requireImage(engine, image)
  const dir = mkdtempSync(path.join(os.tmpdir(), `rampart-${purpose}-`))
  const envFile = path.join(dir, '.env')
  writeFileSync(envFile, options.envText ?? seedEnvText(25))
  const name = uniqueContainerName(purpose)
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  await engine.createContainer({
    name,
    image,
    env: {
      DEMO_ENV_FILE: '/config/.env',
      DEMO_ENV_FILE_ORIGIN: envFile,
      DEMO_HOST: '127.0.0.1',
      DEMO_PORT: String(port),
      DEMO_RPS: String(options.rps ?? 20)
    },
    cmd: ['node', '/app/server.js'],
    mounts: [
      { source: DEMO_SERVICE_DIR, target: '/app', readOnly: true },
      // Its one package (prom-client), from the project's own, as demo up mounts it.
      { source: locateDemoResources().nodeModulesDir, target: '/node_modules', readOnly: true },
      { source: dir, target: '/config', readOnly: true }
    ],
    network: 'host',
    labels: TEST_LABELS
  })
  const container: ServiceContainer = {
    name,
    port,
    baseUrl,
    healthUrl: `${baseUrl}/health`,
    verifyUrl: `${baseUrl}/admin/llm-provider-keys`,
    dir,
    envFile,
    async remove() {
      await removeContainers(engine, [name])
      rmSync(dir, { recursive: true, force: true })
    }
  }
  try {
    await engine.startContainer(name)
    await waitFor(
      `${name} to answer ${container.healthUrl}`,
      async () => ((await probeHttp(container.healthUrl, { timeoutMs: 1000 })).status === 200 ? true : undefined),
      30_000,
      50
    )
  } catch (error) {
    await container.remove()
    throw error
  }
  return container
}

/** GET a JSON body from the service (no keep-alive). */
export async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { connection: 'close' } })
  return response.json()
}

/**
 * A workspace whose default environment "demo" is this service with its env file (and, when
 * given, the Postgres fixture's database with the project's migrations, password from the named
 * variable); environment "api" is the same service through its flag API.
 */
export function rollbackWorkspaceYaml(
  service: ServiceContainer,
  database?: { fixture: PostgresFixture; database: string; passwordVariable: string }
): string {
  const serviceBlock = [
    '    service:',
    `      container: ${service.name}`,
    `      health_url: ${service.healthUrl}`,
    `      verify_urls: [${service.verifyUrl}]`
  ]
  const postgres =
    database === undefined
      ? []
      : [
          '    postgres:',
          `      container: ${database.fixture.container}`,
          `      image: ${POSTGRES_FIXTURE_IMAGE}`,
          '      host: 127.0.0.1',
          `      port: ${database.fixture.port}`,
          `      user: ${FIXTURE_USER}`,
          `      password: \${${database.passwordVariable}}`,
          `      database: ${database.database}`,
          '      disposable: true',
          '      network: host',
          `    migrations: ${PROJECT_MIGRATIONS}`
        ]
  return [
    'default_environment: demo',
    'environments:',
    '  demo:',
    ...serviceBlock,
    '    flag_source:',
    '      kind: env-file',
    `      path: ${service.envFile}`,
    '    flags: [unified_llm_hub]',
    ...postgres,
    '  api:',
    ...serviceBlock,
    '    flag_source:',
    '      kind: http',
    `      base_url: ${service.baseUrl}`,
    '    flags: [unified_llm_hub]',
    ''
  ].join('\n')
}
