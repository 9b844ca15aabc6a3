import { createHash } from 'node:crypto'
import { RampartError } from '@shared/errors'
import { FLAG_STATE_FIELDS, FlagStateSchema, type FlagState } from '@shared/flag-state'
import { canonicalJson } from '@main/history/core/history-chain'
import type { FlagPatch, FlagSnapshot, FlagSource } from './flag-source'
import { resolveSecretReference } from '@main/platform/secret-reference'
import { fetchServiceText, serviceBaseUrl, shownBaseUrl } from '@main/platform/service-http'
import { WriteQueue } from './write-queue'

export interface HttpFlagSourceOptions {
  /** The service's base URL, e.g. http://127.0.0.1:8084 (a path prefix is kept). */
  baseUrl: string
  /** A `${VAR}` reference for a bearer token, resolved at each request; the value is never kept or shown. */
  token?: string
  /** Where the token reference is resolved. */
  env?: Readonly<Record<string, string | undefined>>
  /** Where the reference came from, for its errors, e.g. `environment "staging" flag_source.token`. */
  tokenField?: string
  /** Per request, answer included; 5 s by default. */
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 5_000
const FEATURES_PATH = 'api/v1/features/'

/** What the seed's API can set: `POST …/enable`, `/disable` and `/rollout/{percentage}`. Nothing else. */
const WRITABLE: Record<keyof FlagState, boolean> = {
  enabled: true,
  rollout_percentage: true,
  whitelist_users: false,
  blacklist_users: false,
  start_date: false,
  end_date: false
}

interface ApiAnswer {
  status: number
  body: unknown
}

/**
 * Flags behind the service's own API (the seed's endpoints). Only `enabled` and
 * `rollout_percentage` can be written; the lists and dates are read-only here. The revision is a
 * hash of the `config` the API returns, so a write is refused when anyone changed the flag since it
 * was read. The API has no compare-and-set, so the check is a re-read just before writing: it
 * narrows the window for a lost update, it cannot close it.
 */
export class HttpFlagSource implements FlagSource {
  readonly kind = 'http' as const
  readonly rules = 'rampart' as const
  /** The base URL as shown in messages (no credentials). */
  readonly origin: string
  private readonly base: URL
  private readonly timeoutMs: number
  private readonly writes = new WriteQueue()

  constructor(private readonly options: HttpFlagSourceOptions) {
    this.base = serviceBaseUrl(options.baseUrl, {
      field: 'flag API base URL',
      example: 'http://127.0.0.1:8084',
      tokenField: options.tokenField ?? 'flag_source.token'
    })
    this.origin = shownBaseUrl(this.base)
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  }

  async listFlags(): Promise<string[]> {
    const url = this.url(FEATURES_PATH)
    const { body } = await this.request('GET', url)
    const flags = (body as { flags?: unknown } | null)?.flags
    if (Array.isArray(flags)) {
      const names = flags.map((entry) =>
        typeof entry === 'string' ? entry : (entry as { flag?: unknown } | null)?.flag
      )
      if (names.every((name): name is string => typeof name === 'string')) return names
    } else if (typeof flags === 'object' && flags !== null) {
      return Object.keys(flags)
    }
    throw new RampartError(
      'failed',
      `flag API ${url.toString()} answered without a "flags" list (expected {"flags":[{"flag":"…"}, …]})`
    )
  }

  async read(flag: string): Promise<FlagSnapshot> {
    const url = this.flagUrl(flag)
    const { body } = await this.request('GET', url, { notFound: `flag API ${this.origin} has no flag "${flag}"` })
    const config = (body as { config?: unknown } | null)?.config
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new RampartError('failed', `flag API ${url.toString()} answered without a "config" object for flag ${flag}`)
    }
    const parsed = FlagStateSchema.safeParse(config)
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `config.${issue.path.join('.')} ${issue.message}`)
      throw new RampartError(
        'failed',
        `flag API ${url.toString()} answered with a config Rampart cannot read: ${problems.join('; ')}`,
        { config }
      )
    }
    return {
      flag,
      state: parsed.data,
      revision: createHash('sha256')
        .update(canonicalJson(config) ?? '')
        .digest('hex'),
      writable: { ...WRITABLE },
      origin: this.origin
    }
  }

  write(flag: string, patch: FlagPatch, expectedRevision: string): Promise<FlagSnapshot> {
    return this.writes.run(() => this.writeNow(flag, patch, expectedRevision))
  }

  private async writeNow(flag: string, patch: FlagPatch, expectedRevision: string): Promise<FlagSnapshot> {
    checkPatch(patch)
    const current = await this.read(flag)
    if (current.revision !== expectedRevision) {
      throw new RampartError(
        'conflict',
        `flag ${flag} at ${this.origin} changed since it was read; read it again, check the change, and retry`,
        { origin: this.origin, expectedRevision, actualRevision: current.revision, state: current.state }
      )
    }
    const readOnly = FLAG_STATE_FIELDS.filter(
      (field) => !WRITABLE[field] && patch[field] !== undefined && !sameValue(patch[field], current.state[field])
    )
    if (readOnly.length > 0) {
      throw new RampartError(
        'refused',
        `the flag API at ${this.origin} cannot set ${readOnly.join(', ')} of flag ${flag}: ` +
          'through it only enabled and rollout_percentage can be changed; ' +
          'change the others where the service keeps them',
        { readOnly }
      )
    }

    const wanted = { ...current.state, ...pick(patch) }
    const setEnabled = wanted.enabled !== current.state.enabled
    const setRollout = wanted.rollout_percentage !== current.state.rollout_percentage
    if (!setEnabled && !setRollout) return current
    // Turning off goes first and turning on last, so no moment exposes more users than either end state.
    if (setEnabled && !wanted.enabled) await this.post(flag, 'disable')
    if (setRollout) await this.post(flag, `rollout/${wanted.rollout_percentage}`)
    if (setEnabled && wanted.enabled) await this.post(flag, 'enable')

    const written = await this.read(flag)
    if (written.state.enabled !== wanted.enabled || written.state.rollout_percentage !== wanted.rollout_percentage) {
      throw new RampartError(
        'failed',
        `flag API ${this.origin} accepted the change of flag ${flag} ` +
          `but reads back enabled=${written.state.enabled}, rollout_percentage=${written.state.rollout_percentage} ` +
          `(wanted enabled=${wanted.enabled}, rollout_percentage=${wanted.rollout_percentage})`,
        { wanted, state: written.state }
      )
    }
    return written
  }

  private async post(flag: string, action: string): Promise<void> {
    await this.request('POST', this.url(`${FEATURES_PATH}${encodeURIComponent(flag)}/${action}`), {
      notFound: `flag API ${this.origin} has no flag "${flag}" (or no ${action} endpoint)`
    })
  }

  private flagUrl(flag: string): URL {
    return this.url(`${FEATURES_PATH}${encodeURIComponent(flag)}`)
  }

  private url(relative: string): URL {
    return new URL(relative, this.base)
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (this.options.token !== undefined) {
      const token = resolveSecretReference(
        this.options.token,
        this.options.env ?? process.env,
        this.options.tokenField ?? 'flag_source.token'
      )
      headers.Authorization = `Bearer ${token}`
    }
    return headers
  }

  /** One request with the deadline over the whole answer; every failure becomes a RampartError naming the URL. */
  private async request(method: 'GET' | 'POST', url: URL, messages: { notFound?: string } = {}): Promise<ApiAnswer> {
    const where = `${method} ${url.toString()}`
    const { status, text } = await fetchServiceText(
      url,
      { method, headers: this.headers() },
      { timeoutMs: this.timeoutMs, subject: 'flag API', where }
    )
    const body = parseJson(text)
    if (status >= 200 && status < 300) {
      if (body === undefined)
        throw new RampartError(
          'failed',
          `flag API answered ${where} with HTTP ${status} but not JSON: ${excerpt(text)}`
        )
      return { status, body }
    }
    const says = serverMessage(body, text)
    if (status === 401 || status === 403) {
      throw new RampartError(
        'refused',
        `flag API refused ${where} (HTTP ${status}${says}); check the token (flag_source.token) of this environment`
      )
    }
    if (status === 404 && messages.notFound !== undefined)
      throw new RampartError('bad_input', `${messages.notFound} (${where}: HTTP 404${says})`)
    throw new RampartError(
      status < 500 ? 'bad_input' : 'failed',
      `flag API answered ${where} with HTTP ${status}${says}`,
      { status }
    )
  }
}

function checkPatch(patch: FlagPatch): void {
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue
    if (!(FLAG_STATE_FIELDS as readonly string[]).includes(field)) {
      throw new RampartError(
        'bad_input',
        `"${field}" is not a flag field (expected one of ${FLAG_STATE_FIELDS.join(', ')})`
      )
    }
  }
  if (patch.enabled !== undefined && typeof patch.enabled !== 'boolean') {
    throw new RampartError('bad_input', `enabled ${JSON.stringify(patch.enabled)} must be true or false`)
  }
  const percentage = patch.rollout_percentage
  if (percentage !== undefined && !(Number.isInteger(percentage) && percentage >= 0 && percentage <= 100)) {
    throw new RampartError(
      'bad_input',
      `rollout_percentage ${JSON.stringify(percentage)} is not a percentage (a whole number 0–100)`
    )
  }
}

/** The writable part of a patch. */
function pick(patch: FlagPatch): Partial<FlagState> {
  const picked: Partial<FlagState> = {}
  if (patch.enabled !== undefined) picked.enabled = patch.enabled
  if (patch.rollout_percentage !== undefined) picked.rollout_percentage = patch.rollout_percentage
  return picked
}

function sameValue(a: unknown, b: unknown): boolean {
  const normalise = (value: unknown): unknown => (value === '' ? null : value)
  return canonicalJson(normalise(a)) === canonicalJson(normalise(b))
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function serverMessage(body: unknown, text: string): string {
  const error =
    (body as { error?: unknown; detail?: unknown } | undefined)?.error ??
    (body as { detail?: unknown } | undefined)?.detail
  if (typeof error === 'string' && error !== '') return `: ${error}`
  return text.trim() === '' ? '' : `: ${excerpt(text)}`
}

function excerpt(text: string): string {
  const line = text.trim().replace(/\s+/g, ' ')
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line)
}
