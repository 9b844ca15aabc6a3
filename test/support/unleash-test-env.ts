/**
 * The Unleash server of the test environment (scripts/test-env/unleash.sh: unleash-server on
 * 127.0.0.1 backed by a Postgres fixture container), and what tests do through its Admin API as an
 * operator would in Unleash's UI: create a feature with strategies, switch it, change a strategy.
 * Every feature a test creates has a unique name and is archived and deleted by `cleanup`.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import type { UnleashConstraint } from '@main/flags/core/unleash-feature'

const ENV_FILE = `${process.env.RAMPART_TEST_ENV_DIR ?? '/tmp/rampart-test-env'}/unleash.env`
const START_HINT = 'start the test environment: bash scripts/test-env/up.sh (it starts unleash.sh)'

export const UNLEASH_PROJECT = 'default'
export const UNLEASH_ENVIRONMENT = 'development'
/** The variable the tests' workspaces name the Admin API token by. */
export const UNLEASH_TOKEN_VARIABLE = 'RAMPART_TEST_UNLEASH_TOKEN'

export interface StrategyInput {
  name: string
  parameters?: Record<string, string>
  constraints?: UnleashConstraint[]
}

export class TestUnleash {
  readonly url: string
  readonly adminToken: string
  readonly version: string
  private readonly features: string[] = []

  constructor() {
    if (!existsSync(ENV_FILE)) throw new Error(`no ${ENV_FILE}: Unleash is not running — ${START_HINT}`)
    const values = Object.fromEntries(
      readFileSync(ENV_FILE, 'utf8')
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
    )
    if (values.RAMPART_TEST_UNLEASH_URL === undefined || values.RAMPART_TEST_UNLEASH_ADMIN_TOKEN === undefined)
      throw new Error(`${ENV_FILE} is incomplete — ${START_HINT}`)
    this.url = values.RAMPART_TEST_UNLEASH_URL
    this.adminToken = values.RAMPART_TEST_UNLEASH_ADMIN_TOKEN
    this.version = values.RAMPART_TEST_UNLEASH_VERSION ?? 'unknown'
  }

  uniqueFlag(): string {
    return `unleash_${randomBytes(4).toString('hex')}`
  }

  /** Creates the feature with these strategies in the test environment, switched on or off. */
  async createFeature(flag: string, strategies: StrategyInput[], enabled: boolean): Promise<void> {
    await this.api('POST', `projects/${UNLEASH_PROJECT}/features`, { name: flag, type: 'release' })
    this.features.push(flag)
    for (const strategy of strategies) await this.addStrategy(flag, strategy)
    await this.api('POST', `${this.envPath(flag)}/${enabled ? 'on' : 'off'}`)
  }

  async addStrategy(flag: string, strategy: StrategyInput): Promise<string> {
    const created = (await this.api('POST', `${this.envPath(flag)}/strategies`, {
      constraints: [],
      parameters: {},
      ...strategy
    })) as { id: string }
    return created.id
  }

  async strategies(flag: string): Promise<Array<{ id: string; name: string; parameters: Record<string, string> }>> {
    const feature = (await this.api('GET', `projects/${UNLEASH_PROJECT}/features/${flag}`)) as {
      environments: Array<{
        name: string
        enabled: boolean
        strategies: Array<{ id: string; name: string; parameters: Record<string, string> }>
      }>
    }
    return feature.environments.find((environment) => environment.name === UNLEASH_ENVIRONMENT)!.strategies
  }

  async enabled(flag: string): Promise<boolean> {
    const feature = (await this.api('GET', `projects/${UNLEASH_PROJECT}/features/${flag}`)) as {
      environments: Array<{ name: string; enabled: boolean }>
    }
    return feature.environments.find((environment) => environment.name === UNLEASH_ENVIRONMENT)!.enabled
  }

  /** A hand edit in Unleash: the rollout strategy's percentage set to `rollout`. */
  async setRollout(flag: string, strategyId: string, rollout: number): Promise<void> {
    await this.api('PATCH', `${this.envPath(flag)}/strategies/${strategyId}`, [
      { op: 'replace', path: '/parameters/rollout', value: String(rollout) }
    ])
  }

  /** A backend (SDK) token for the test environment, created through the Admin API. */
  async clientToken(): Promise<string> {
    const created = (await this.api('POST', 'api-tokens', {
      tokenName: `rampart-test-${randomBytes(3).toString('hex')}`,
      type: 'backend',
      environment: UNLEASH_ENVIRONMENT,
      projects: ['*']
    })) as { secret: string }
    return created.secret
  }

  async cleanup(): Promise<void> {
    for (const flag of this.features.splice(0)) {
      await this.api('DELETE', `projects/${UNLEASH_PROJECT}/features/${flag}`).catch(() => undefined)
      await this.api('DELETE', `archive/${flag}`).catch(() => undefined)
    }
  }

  private envPath(flag: string): string {
    return `projects/${UNLEASH_PROJECT}/features/${flag}/environments/${UNLEASH_ENVIRONMENT}`
  }

  async api(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}/api/admin/${path}`, {
      method,
      headers: { Authorization: this.adminToken, 'Content-Type': 'application/json', Accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`Unleash ${method} ${path}: HTTP ${response.status} ${text}`)
    return text === '' ? null : (JSON.parse(text) as unknown)
  }
}
