import { createHash } from 'node:crypto'
import { RampartError } from '@shared/errors'
import type { FlagState } from '@shared/flag-state'
import { canonicalJson } from '@main/history/core/history-chain'
import { resolveSecretReference } from '@main/platform/secret-reference'
import { fetchServiceText, serviceBaseUrl, shownBaseUrl } from '@main/platform/service-http'
import { readUnleashEnvironment, type UnleashEnvironment } from './core/unleash-feature'
import type { FlagAccessOptions, FlagPatch, FlagSnapshot, FlagSource } from './flag-source'
import { WriteQueue } from './write-queue'

export interface UnleashFlagSourceOptions {
  /** The server's base URL, e.g. http://127.0.0.1:4242 (a path prefix is kept). */
  url: string
  project: string
  /** The Unleash environment whose strategies are the flag's state. */
  environment: string
  /** A `${VAR}` reference to an Admin API token, resolved at each request; never kept, logged or recorded. */
  token: string
  env?: Readonly<Record<string, string | undefined>>
  tokenField?: string
  /** Per request, answer included; 5 s by default. */
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 5_000

/** Moves change only these: the environment's on/off and the flexibleRollout strategy's rollout. */
const WRITABLE: Record<keyof FlagState, boolean> = {
  enabled: true,
  rollout_percentage: true,
  whitelist_users: false,
  blacklist_users: false,
  start_date: false,
  end_date: false
}

interface FeatureBody {
  environments?: UnleashEnvironment[]
}

/**
 * Flags in an Unleash server, through its Admin API (docs/sources.md): a feature's strategies in
 * one environment read as Rampart's state (core/unleash-feature.ts), a feature that does not map
 * refused with every reason, moves written as the environment's on/off and the rollout
 * strategy's `rollout`. The revision is a hash of the environment's `enabled` and strategies, so
 * a change made in Unleash's own UI since the read refuses the write (and the rollout shows it as
 * drift). The Admin API has no compare-and-set: the check is a re-read just before writing.
 */
export class UnleashFlagSource implements FlagSource {
  readonly kind = 'unleash' as const
  readonly rules = 'unleash' as const
  readonly origin: string
  private readonly base: URL
  private readonly timeoutMs: number
  private readonly writes = new WriteQueue()

  constructor(private readonly options: UnleashFlagSourceOptions) {
    this.base = serviceBaseUrl(options.url, {
      field: 'flag_source.url',
      example: 'http://127.0.0.1:4242',
      tokenField: options.tokenField ?? 'flag_source.token'
    })
    const where = `project ${options.project}, environment ${options.environment}`
    this.origin = `Unleash at ${shownBaseUrl(this.base)} (${where})`
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  }

  async listFlags(): Promise<string[]> {
    const body = (await this.request('GET', this.projectPath('features'))) as { features?: Array<{ name?: unknown }> }
    return (body.features ?? []).map((feature) => String(feature.name))
  }

  async read(flag: string, options: FlagAccessOptions = {}): Promise<FlagSnapshot> {
    const environment = await this.readEnvironment(flag)
    const revision = revisionOf(environment)
    const reading = readUnleashEnvironment(flag, environment)
    if (reading.ok) return { flag, state: reading.state, revision, writable: { ...WRITABLE }, origin: this.origin }
    if (options.forKill === true) {
      // The kill writes only `enabled`: it must go through whatever the strategies say.
      return {
        flag,
        state: { ...KILL_READ_STATE, enabled: reading.enabled },
        revision,
        writable: { ...KILL_WRITABLE },
        origin: this.origin
      }
    }
    throw new RampartError(
      'refused',
      `feature ${flag} in ${this.origin} cannot be read as Rampart's flag state, so it is shown read-only: ` +
        `${reading.reasons.join('; ')}. Change it in Unleash (docs/sources.md lists the shape Rampart reads)`,
      { reasons: reading.reasons }
    )
  }

  write(
    flag: string,
    patch: FlagPatch,
    expectedRevision: string,
    options: FlagAccessOptions = {}
  ): Promise<FlagSnapshot> {
    return this.writes.run(() => this.writeNow(flag, patch, expectedRevision, options))
  }

  private async writeNow(
    flag: string,
    patch: FlagPatch,
    expectedRevision: string,
    options: FlagAccessOptions
  ): Promise<FlagSnapshot> {
    const environment = await this.readEnvironment(flag)
    const current = await this.read(flag, options)
    if (current.revision !== expectedRevision) {
      throw new RampartError(
        'conflict',
        `feature ${flag} in ${this.origin} changed since it was read; read it again, check the change, and retry`,
        { origin: this.origin, expectedRevision, actualRevision: current.revision, state: current.state }
      )
    }
    const readOnly = (Object.keys(patch) as Array<keyof FlagState>).filter(
      (field) =>
        patch[field] !== undefined &&
        !current.writable[field] &&
        canonicalJson(patch[field]) !== canonicalJson(current.state[field])
    )
    if (readOnly.length > 0) {
      throw new RampartError(
        'refused',
        `Rampart sets only enabled and rollout_percentage of feature ${flag} in ${this.origin}; ` +
          `change ${readOnly.join(', ')} in Unleash`,
        { readOnly }
      )
    }
    const wanted = { ...current.state, ...patch }
    const setEnabled = wanted.enabled !== current.state.enabled
    const setRollout = wanted.rollout_percentage !== current.state.rollout_percentage
    if (!setEnabled && !setRollout) return current
    const envPath = `features/${encodeURIComponent(flag)}/environments/${encodeURIComponent(this.options.environment)}`
    // Off first and on last, so no moment exposes more users than either end state.
    if (setEnabled && !wanted.enabled) await this.request('POST', this.projectPath(`${envPath}/off`))
    if (setRollout) {
      const reading = readUnleashEnvironment(flag, environment)
      if (!reading.ok)
        throw new RampartError('refused', `feature ${flag} in ${this.origin} has no rollout Rampart can set`)
      await this.request(
        'PATCH',
        this.projectPath(`${envPath}/strategies/${encodeURIComponent(reading.rolloutStrategyId)}`),
        [{ op: 'replace', path: '/parameters/rollout', value: String(wanted.rollout_percentage) }]
      )
    }
    if (setEnabled && wanted.enabled) await this.request('POST', this.projectPath(`${envPath}/on`))
    const written = await this.read(flag, options)
    if (written.state.enabled !== wanted.enabled || written.state.rollout_percentage !== wanted.rollout_percentage) {
      throw new RampartError(
        'failed',
        `${this.origin} accepted the change of feature ${flag} but reads back enabled=${written.state.enabled}, ` +
          `rollout_percentage=${written.state.rollout_percentage}`,
        { state: written.state }
      )
    }
    return written
  }

  private async readEnvironment(flag: string): Promise<UnleashEnvironment> {
    const body = (await this.request('GET', this.projectPath(`features/${encodeURIComponent(flag)}`), undefined, {
      notFound: `${this.origin} has no feature "${flag}"`
    })) as FeatureBody
    const environment = (body.environments ?? []).find((entry) => entry.name === this.options.environment)
    if (environment === undefined) {
      throw new RampartError(
        'bad_input',
        `feature ${flag} in ${this.origin} has no environment "${this.options.environment}" ` +
          `(it has: ${(body.environments ?? []).map((entry) => entry.name).join(', ') || 'none'})`
      )
    }
    return environment
  }

  private projectPath(relative: string): URL {
    return new URL(`api/admin/projects/${encodeURIComponent(this.options.project)}/${relative}`, this.base)
  }

  private async request(
    method: 'GET' | 'POST' | 'PATCH',
    url: URL,
    body?: unknown,
    messages: { notFound?: string } = {}
  ): Promise<unknown> {
    const token = resolveSecretReference(
      this.options.token,
      this.options.env ?? process.env,
      this.options.tokenField ?? 'flag_source.token'
    )
    const where = `${method} ${url.pathname}`
    const { status, text } = await fetchServiceText(
      url,
      {
        method,
        headers: { Accept: 'application/json', Authorization: token, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      },
      { timeoutMs: this.timeoutMs, subject: this.origin, where }
    )
    let parsed: unknown
    try {
      parsed = text === '' ? null : (JSON.parse(text) as unknown)
    } catch {
      parsed = undefined
    }
    if (status >= 200 && status < 300) return parsed
    const says = (parsed as { message?: unknown } | undefined)?.message
    const detail = typeof says === 'string' ? `: ${says}` : ''
    if (status === 401 || status === 403) {
      throw new RampartError(
        'refused',
        `${this.origin} refused ${where} (HTTP ${status}${detail}); flag_source.token must be an Admin API token ` +
          'allowed to read and update features of this project'
      )
    }
    if (status === 404 && messages.notFound !== undefined) throw new RampartError('bad_input', messages.notFound)
    throw new RampartError(
      status < 500 ? 'bad_input' : 'failed',
      `${this.origin} answered ${where} with HTTP ${status}${detail}`
    )
  }
}

const KILL_READ_STATE: FlagState = {
  enabled: false,
  rollout_percentage: 0,
  whitelist_users: [],
  blacklist_users: [],
  start_date: null,
  end_date: null
}

const KILL_WRITABLE: Record<keyof FlagState, boolean> = { ...WRITABLE, rollout_percentage: false }

/** What a write must find unchanged: the environment's switch and every strategy as Unleash holds it. */
function revisionOf(environment: UnleashEnvironment): string {
  const strategies = [...environment.strategies]
    .sort((a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0) || a.id.localeCompare(b.id))
    .map((strategy) => ({
      id: strategy.id,
      name: strategy.name,
      parameters: strategy.parameters ?? {},
      constraints: strategy.constraints ?? [],
      segments: strategy.segments ?? [],
      disabled: strategy.disabled === true
    }))
  return createHash('sha256')
    .update(canonicalJson({ enabled: environment.enabled, strategies }) ?? '')
    .digest('hex')
}
