import { randomBytes } from 'node:crypto'
import { constants as fsConstants } from 'node:fs'
import { copyFile, mkdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DemoContainerStatus, DemoDownInput, DemoDownResult, DemoUpInput, DemoUpResult } from '@shared/demo-types'
import { RampartError } from '@shared/errors'
import { RUNBOOKS } from '@shared/runbook-types'
import { demoServicePort } from './core/demo-service-port'
import { resolveFlagEnvMapping, type FlagEnvMapping } from '@main/flags/core/flag-env-mapping'
import type { EnvironmentConfig, Workspace } from '@main/workspace/core/workspace-schema'
import { locateDemoResources, type DemoResources } from './demo-resources'
import { probeDemoHealth, type DemoHealthAnswer } from './demo-service-health'
import { demoServiceContainerSpec, ENV_FILE_LABEL, INSTANCE_LABEL, PORT_LABEL } from './demo-service-spec'
import type { ContainerInfo } from '@main/docker/core/container-info'
import type { ContainerSpec } from '@main/docker/core/container-spec'
import type { DockerEngine } from '@main/docker/docker-engine'
import { EnvFileFlagSource } from '@main/flags/env-file-source'
import type { HistoryStore } from '@main/history/history-store'
import { isLoopbackPortFree } from '@main/platform/loopback-port'
import { PostgresTarget } from '@main/database/postgres-target'
import { resolveSecretReference } from '@main/platform/secret-reference'
import type { RunbookRunner } from '@main/runbooks/runbook-runner'
import { postgresContainerSpec } from '@main/database/test-db-setup'

const DEMO_LABEL = 'rampart.demo'
const DEFAULT_DEMO_NODE_IMAGE = 'node:18-slim'

// Kept on the service container so a second `up` can tell whether it was set up the same way.
const DEFAULT_READY_TIMEOUT_MS = 90_000
const HEALTH_POLL_MS = 250
const STATE_CHECK_EVERY_MS = 1_000
const STOP_TIMEOUT_SECONDS = 10
const LOG_LINES_ON_FAILURE = 20

export interface DemoStackDeps {
  workspace: Workspace
  /** Where `${VAR}` references and RAMPART_DEMO_NODE_IMAGE are read. */
  env: Readonly<Record<string, string | undefined>>
  docker: { forEnvironment(name: string | undefined): DockerEngine }
  runbooks: RunbookRunner
  history: Pick<HistoryStore, 'operations'>
  /** The demo's files; resources/demo of this checkout by default. */
  resources?: DemoResources
  /** Added to the labels of every container `up` creates (tests mark theirs rampart.test=1). */
  containerLabels?: Record<string, string>
  /** For Postgres and for the service's /health, each. */
  readyTimeoutMs?: number
}

interface UpPlan {
  environment: string
  config: EnvironmentConfig
  engine: DockerEngine
  envFile: string
  resources: DemoResources
  flagMappings: Record<string, FlagEnvMapping>
  postgres: EnvironmentConfig['postgres']
  postgresSpec: ContainerSpec
  serviceSpec: ContainerSpec
  port: number
  instance: string
}

interface UpState {
  envFileCreated: boolean
  postgresStatus: DemoContainerStatus
  postgresDemoOwned: boolean
  serverVersion: string
  serviceStatus: DemoContainerStatus
  startedAt: string
}

/**
 * `rampart demo up|down`: Postgres and the demo ops-center service in containers on loopback
 * ports, the environment's env file mounted, each step recorded as a runbook and each Docker
 * action in the history file. `up` reuses what runs; `down` removes only containers labelled
 * rampart.demo=1 and never another container that happens to have the same name.
 */
export class DemoStack {
  constructor(private readonly deps: DemoStackDeps) {}

  async up(request: DemoUpInput = {}): Promise<DemoUpResult> {
    const plan = await this.planUp(request)
    const state: UpState = {
      envFileCreated: false,
      postgresStatus: 'running',
      postgresDemoOwned: true,
      serverVersion: '',
      serviceStatus: 'running',
      startedAt: ''
    }
    const pg = plan.postgres
    const url = `http://127.0.0.1:${plan.port}`
    const run = await this.deps.runbooks.run(
      {
        runbook: RUNBOOKS.demoUp,
        environment: plan.environment,
        input: {
          port: plan.port,
          pgPort: pg.port,
          nodeImage: plan.serviceSpec.image,
          postgresImage: pg.image,
          envFile: plan.envFile,
          traffic: request.traffic ?? null
        },
        steps: [
          { name: 'env file', run: () => this.ensureEnvFile(plan, state) },
          {
            name: `postgres container ${pg.container}`,
            run: async (_, report) => {
              const existing = await plan.engine.inspectContainer(pg.container)
              state.postgresDemoOwned = existing === null || existing.labels[DEMO_LABEL] === '1'
              state.postgresStatus = await this.ensureContainer(plan, plan.postgresSpec, report)
              const where =
                pg.network === 'host' ? `host network, 127.0.0.1:${pg.port}` : `published on 127.0.0.1:${pg.port}`
              const owner = state.postgresDemoOwned ? '' : '; it was not created by demo up, so demo down will leave it'
              return `${describeStatus(pg.container, pg.image, state.postgresStatus)} (${where})${owner}`
            }
          },
          {
            name: 'postgres ready',
            cancellable: true,
            run: async (_, report, tools) => {
              const target = PostgresTarget.fromEnvironment(plan.environment, pg, this.deps.env)
              const ready = await target.waitUntilReady({
                timeoutMs: this.readyTimeoutMs(),
                signal: tools.signal,
                onAttempt: (attempt) => {
                  if (attempt.attempt % 10 === 0)
                    report(
                      `not yet (${attempt.attempt} attempts, ${Math.round(attempt.elapsedMs / 1000)} s): ` +
                        `${attempt.error}`
                    )
                }
              })
              state.serverVersion = ready.serverVersion
              return `${target.describe()} answers SELECT 1 (PostgreSQL ${ready.serverVersion})`
            }
          },
          {
            name: `demo service container ${plan.serviceSpec.name}`,
            run: async (_, report) => {
              state.serviceStatus = await this.ensureContainer(plan, plan.serviceSpec, report)
              const { name, image } = plan.serviceSpec
              return `${describeStatus(name, image, state.serviceStatus)} (host network, ${url})`
            }
          },
          {
            name: 'demo service health',
            cancellable: true,
            run: async (_, report, tools) => {
              const answer = await this.waitForHealth(plan, `${url}/health`, report, tools.signal)
              state.startedAt = answer.startedAt ?? ''
              return `${url}/health answers {"status":"ok"}`
            }
          }
        ],
        result: () => ({ url, postgres: `${pg.user}@127.0.0.1:${pg.port}/${pg.database}`, envFile: plan.envFile })
      },
      undefined
    )
    return {
      environment: plan.environment,
      envFile: { path: plan.envFile, created: state.envFileCreated },
      postgres: {
        container: pg.container,
        image: pg.image,
        status: state.postgresStatus,
        demoOwned: state.postgresDemoOwned,
        network: pg.network,
        host: pg.host,
        port: pg.port,
        database: pg.database,
        user: pg.user,
        serverVersion: state.serverVersion
      },
      service: {
        container: plan.serviceSpec.name,
        image: plan.serviceSpec.image,
        status: state.serviceStatus,
        url,
        healthUrl: `${url}/health`,
        startedAt: state.startedAt
      },
      run
    }
  }

  async down(request: DemoDownInput = {}): Promise<DemoDownResult> {
    const { environment, config } = this.environment(request.environment)
    const engine = this.deps.docker.forEnvironment(environment)
    const names = [...new Set([config.service.container, config.postgres.container])]
    const removed: string[] = []
    const kept: DemoDownResult['kept'] = []
    const absent: string[] = []
    const toRemove: string[] = []
    for (const name of names) {
      const info = await engine.inspectContainer(name)
      if (info === null) absent.push(name)
      else if (info.labels[DEMO_LABEL] === '1') toRemove.push(name)
      else if (name === config.service.container) {
        this.record(engine, environment, name, 'remove', 'refused', { reason: `no ${DEMO_LABEL}=1 label` })
        throw new RampartError(
          'refused',
          `A container named "${name}" exists on the Docker engine at ${engine.endpoint.display} ` +
            `but was not created by rampart demo (it has no ${DEMO_LABEL}=1 label); ` +
            'demo down removes only what demo up created, so it leaves it and everything else alone. ' +
            `Remove it yourself if you mean to (docker rm -f ${name}).`,
          { container: name, labels: info.labels }
        )
      } else {
        kept.push({ container: name, reason: `not created by rampart demo (no ${DEMO_LABEL}=1 label)` })
      }
    }
    const steps =
      toRemove.length === 0
        ? [
            {
              name: 'nothing to remove',
              run: async () => `no container of environment "${environment}" carries ${DEMO_LABEL}=1`
            }
          ]
        : toRemove.map((name) => ({
            name: `remove ${name}`,
            run: async () => {
              await this.recorded(engine, environment, name, 'stop', {}, () =>
                engine.stopContainer(name, { timeoutSeconds: STOP_TIMEOUT_SECONDS })
              )
              await this.recorded(engine, environment, name, 'remove', {}, () =>
                engine.removeContainer(name, { force: true, volumes: true })
              )
              removed.push(name)
              return `stopped and removed ${name} (and its anonymous volumes)`
            }
          }))
    const run = await this.deps.runbooks.run(
      {
        runbook: RUNBOOKS.demoDown,
        environment,
        input: { containers: names },
        steps,
        result: () => ({ removed, kept, absent })
      },
      undefined
    )
    return { environment, removed, kept, absent, run }
  }

  /** Everything that can refuse is decided here, before the first step touches anything. */
  private async planUp(request: DemoUpInput): Promise<UpPlan> {
    const { environment, config } = this.environment(request.environment)
    const engine = this.deps.docker.forEnvironment(environment)
    refuseRemoteEngine(engine, environment)
    const envFile = this.envFilePath(config)
    const port = request.port ?? demoServicePort(config)
    const postgres = {
      ...config.postgres,
      port: request.pgPort ?? config.postgres.port,
      image: request.postgresImage ?? config.postgres.image
    }
    const password = resolveSecretReference(
      postgres.password,
      this.deps.env,
      `environment "${environment}" postgres.password`
    )
    const nodeImage = request.nodeImage ?? nonEmpty(this.deps.env.RAMPART_DEMO_NODE_IMAGE) ?? DEFAULT_DEMO_NODE_IMAGE
    const resources = this.deps.resources ?? locateDemoResources()
    const flagMappings = this.flagMappings(config)

    const existingService = await engine.inspectContainer(config.service.container)
    const instance =
      this.checkExistingService(existingService, { environment, engine, port, envFile }) ??
      randomBytes(8).toString('hex')
    if (existingService === null) await refuseBusyPort(port, `the demo service (choose another with --port)`)
    if ((await engine.inspectContainer(postgres.container)) === null) {
      await refuseBusyPort(
        postgres.port,
        `Postgres (choose another with --pg-port, or set postgres.port of environment "${environment}")`
      )
    }

    const labels = { ...(this.deps.containerLabels ?? {}), [DEMO_LABEL]: '1' }
    return {
      environment,
      config,
      engine,
      envFile,
      resources,
      flagMappings,
      postgres,
      postgresSpec: postgresContainerSpec(environment, { ...config, postgres }, password, labels),
      serviceSpec: demoServiceContainerSpec({
        environment,
        container: config.service.container,
        image: nodeImage,
        port,
        envFile,
        serviceDir: resources.serviceDir,
        nodeModulesDir: resources.nodeModulesDir,
        flagMappings,
        instance,
        traffic: request.traffic ?? {},
        labels
      }),
      port,
      instance
    }
  }

  /** The running demo's instance id when it can be reused; refuses a container it must not touch or reuse. */
  private checkExistingService(
    info: ContainerInfo | null,
    wanted: { environment: string; engine: DockerEngine; port: number; envFile: string }
  ): string | null {
    if (info === null) return null
    const { environment, engine } = wanted
    if (info.labels[DEMO_LABEL] !== '1') {
      this.record(engine, environment, info.name, 'create', 'refused', {
        reason: `a container of that name exists without ${DEMO_LABEL}=1`
      })
      throw new RampartError(
        'refused',
        `A container named "${info.name}" already exists on the Docker engine at ${engine.endpoint.display} ` +
          `and was not created by rampart demo (it has no ${DEMO_LABEL}=1 label); demo up will not touch it. ` +
          `Remove or rename it, or set service.container of environment "${environment}" to another name.`,
        { container: info.name }
      )
    }
    const port = info.labels[PORT_LABEL]
    const envFile = info.labels[ENV_FILE_LABEL]
    if (port !== String(wanted.port) || envFile !== wanted.envFile) {
      throw new RampartError(
        'refused',
        `The demo service "${info.name}" is already set up with port ${port ?? '?'} and env file ${envFile ?? '?'}, ` +
          `not port ${wanted.port} and ${wanted.envFile}; ` +
          `run "rampart demo down --env ${environment}" first to change them`,
        { container: info.name }
      )
    }
    return info.labels[INSTANCE_LABEL] ?? null
  }

  private async ensureEnvFile(plan: UpPlan, state: UpState): Promise<string> {
    const { resources } = plan
    const existing = await stat(plan.envFile).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null
      throw new RampartError('failed', `Cannot look at env file ${plan.envFile}: ${error.message}`)
    })
    if (existing !== null && !existing.isFile())
      throw new RampartError('bad_input', `env file ${plan.envFile} is not a file`)
    if (existing === null) {
      await mkdir(path.dirname(plan.envFile), { recursive: true })
      // COPYFILE_EXCL: a file made in between by someone else is theirs, not overwritten.
      await copyFile(resources.envTemplate, plan.envFile, fsConstants.COPYFILE_EXCL)
      state.envFileCreated = true
    }
    // Read here as Rampart reads it, so a bad value is named now rather than found in the service's log.
    const source = new EnvFileFlagSource({ path: plan.envFile, flags: plan.flagMappings })
    const flags: string[] = []
    for (const flag of Object.keys(plan.flagMappings)) {
      const { state: flagState } = await source.read(flag)
      flags.push(`${flag} ${flagState.enabled ? 'on' : 'off'} at ${flagState.rollout_percentage} %`)
    }
    const what = state.envFileCreated
      ? `created ${plan.envFile} from resources/demo/${path.basename(resources.envTemplate)}`
      : `using ${plan.envFile}`
    return `${what}: ${flags.join(', ')}`
  }

  private async ensureContainer(
    plan: UpPlan,
    spec: ContainerSpec,
    report: (message: string) => void
  ): Promise<DemoContainerStatus> {
    const { engine, environment } = plan
    const info = await engine.inspectContainer(spec.name)
    if (info === null) {
      await this.ensureImage(engine, environment, spec.image, report)
      await this.recorded(
        engine,
        environment,
        spec.name,
        'create',
        { image: spec.image, network: spec.network, labels: spec.labels ?? {} },
        () => engine.createContainer(spec)
      )
      await this.recorded(engine, environment, spec.name, 'start', {}, () => engine.startContainer(spec.name))
      return 'created'
    }
    if (info.state === 'running' || info.state === 'restarting') return 'running'
    if (info.state === 'paused') {
      throw new RampartError(
        'failed',
        `Container ${spec.name} is paused; unpause it (docker unpause ${spec.name}) and run demo up again`
      )
    }
    await this.recorded(engine, environment, spec.name, 'start', { was: info.state }, () =>
      engine.startContainer(spec.name)
    )
    return 'started'
  }

  private async ensureImage(
    engine: DockerEngine,
    environment: string,
    image: string,
    report: (message: string) => void
  ): Promise<void> {
    if (await engine.imageExists(image)) return
    report(`image ${image} is not on the engine; pulling it`)
    let lastStatus = ''
    await this.recorded(engine, environment, null, 'pull', { image }, () =>
      engine.pullImage(image, (progress) => {
        if (progress.status === lastStatus) return
        lastStatus = progress.status
        report(`${progress.image}: ${progress.status} (${progress.layersDone}/${progress.layers} layers)`)
      })
    )
  }

  /** Ready means GET /health answers ok from this container's instance, not merely that something listens there. */
  private async waitForHealth(
    plan: UpPlan,
    url: string,
    report: (message: string) => void,
    signal: AbortSignal
  ): Promise<DemoHealthAnswer> {
    const { engine, serviceSpec } = plan
    const timeoutMs = this.readyTimeoutMs()
    const started = Date.now()
    let lastStateCheck = started
    let stranger = false
    for (;;) {
      signal.throwIfAborted()
      const answer = await probeDemoHealth(url)
      if (answer !== null && answer.status === 'ok' && answer.instance === plan.instance) return answer
      if (answer !== null && answer.instance !== plan.instance) stranger = true
      if (Date.now() - lastStateCheck >= STATE_CHECK_EVERY_MS) {
        lastStateCheck = Date.now()
        const info = await engine.inspectContainer(serviceSpec.name)
        if (info === null || info.state === 'exited' || info.state === 'dead') {
          const how = info === null ? 'was removed' : `exited with code ${info.exitCode}`
          throw new RampartError(
            'failed',
            `The demo service ${serviceSpec.name} ${how} before ${url} answered.` +
              `${await this.logTail(engine, serviceSpec.name)}`
          )
        }
        report(`waiting for ${url} (${Math.round((Date.now() - started) / 1000)} s)`)
      }
      if (Date.now() - started > timeoutMs) {
        const why = stranger
          ? ` Another process answers on port ${plan.port}; free the port or choose another with --port.`
          : ''
        throw new RampartError(
          'failed',
          `${url} did not answer within ${timeoutMs / 1000} s.${why}${await this.logTail(engine, serviceSpec.name)}`
        )
      }
      await sleep(HEALTH_POLL_MS)
    }
  }

  /** The container's last lines, for a failure message: the service says why it stopped there. */
  private async logTail(engine: DockerEngine, name: string): Promise<string> {
    try {
      const lines: string[] = []
      for await (const batch of engine.logs(name, { tail: LOG_LINES_ON_FAILURE }))
        for (const line of batch) lines.push(line.text)
      return lines.length === 0 ? ' It wrote nothing.' : ` Its last lines:\n${lines.join('\n')}`
    } catch {
      return ''
    }
  }

  private environment(name: string | undefined): { environment: string; config: EnvironmentConfig } {
    const { workspace } = this.deps
    const environment = name ?? workspace.defaultEnvironment
    const config = workspace.environments[environment]
    if (config === undefined) {
      throw new RampartError(
        'bad_input',
        `No environment "${environment}" in ${workspace.file ?? 'the built-in default workspace'} ` +
          `(there are: ${Object.keys(workspace.environments).join(', ')})`
      )
    }
    return { environment, config }
  }

  /**
   * The environment's env file; with an HTTP flag source, .env beside the workspace
   * (the service still starts from a file).
   */
  private envFilePath(config: EnvironmentConfig): string {
    const file = config.flag_source.kind === 'env-file' ? config.flag_source.path : '.env'
    return path.resolve(this.deps.workspace.baseDir, file)
  }

  private flagMappings(config: EnvironmentConfig): Record<string, FlagEnvMapping> {
    const configured = config.flag_source.kind === 'env-file' ? config.flag_source.mappings : {}
    return Object.fromEntries(config.flags.map((flag) => [flag, resolveFlagEnvMapping(flag, configured)]))
  }

  private readyTimeoutMs(): number {
    return this.deps.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS
  }

  private async recorded<T>(
    engine: DockerEngine,
    environment: string,
    container: string | null,
    action: string,
    detail: object,
    work: () => Promise<T>
  ): Promise<T> {
    try {
      const result = await work()
      this.record(engine, environment, container, action, 'succeeded', detail)
      return result
    } catch (error) {
      this.record(engine, environment, container, action, 'failed', { ...detail, error: (error as Error).message })
      throw error
    }
  }

  private record(
    engine: DockerEngine,
    environment: string,
    container: string | null,
    action: string,
    outcome: string,
    detail: object
  ): void {
    this.deps.history.operations.recordDockerAction({
      environment,
      endpoint: engine.endpoint.display,
      container,
      action,
      outcome,
      detail
    })
  }
}

function describeStatus(container: string, image: string, status: DemoContainerStatus): string {
  switch (status) {
    case 'created':
      return `created ${container} from ${image} and started it`
    case 'started':
      return `started ${container} (it was stopped)`
    case 'running':
      return `${container} is running; reused`
  }
}

/** Bind mounts name paths on this machine, so the engine must run here too. */
function refuseRemoteEngine(engine: DockerEngine, environment: string): void {
  const display = engine.endpoint.display
  const local =
    display.startsWith('unix://') ||
    display.startsWith('npipe://') ||
    /^tcp(\+tls)?:\/\/(127\.0\.0\.1|localhost|\[::1\]):/.test(display)
  if (!local) {
    throw new RampartError(
      'refused',
      "demo up mounts the demo service's files from this machine, " +
        `but environment "${environment}" uses the Docker engine at ${display}; ` +
        'run it against a local engine (unset docker.host / DOCKER_HOST)'
    )
  }
}

async function refuseBusyPort(port: number, what: string): Promise<void> {
  if (await isLoopbackPortFree(port)) return
  throw new RampartError(
    'refused',
    `Port ${port} on 127.0.0.1 is in use by another process, so it cannot serve ${what}`,
    { port }
  )
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
