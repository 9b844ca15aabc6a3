import { RampartError } from '@shared/errors'
import { FLAG_STATE_FIELDS, type FlagState } from '@shared/flag-state'
import { parseDateGate, type DateGateEdge } from './date-gate'
import type { EnvValue, EnvValues } from './env-file-document'

/** Which environment variable holds each field of one flag's state. */
export type FlagEnvMapping = { readonly [Field in keyof FlagState]: string }

export { FLAG_STATE_FIELDS }

const SEED_FLAG = 'unified_llm_hub'

/** The seed's names, which do not follow the default pattern (`LLM_HUB`, not `UNIFIED_LLM_HUB`, after the first). */
export const SEED_FLAG_ENV_MAPPING: FlagEnvMapping = {
  enabled: 'FEATURE_UNIFIED_LLM_HUB',
  rollout_percentage: 'FEATURE_LLM_HUB_ROLLOUT',
  whitelist_users: 'FEATURE_LLM_HUB_WHITELIST',
  blacklist_users: 'FEATURE_LLM_HUB_BLACKLIST',
  start_date: 'FEATURE_LLM_HUB_START_DATE',
  end_date: 'FEATURE_LLM_HUB_END_DATE'
}

/**
 * The mapping used when the workspace names none: the seed's own names for the seed's flag, else
 * `FEATURE_<FLAG>` and `FEATURE_<FLAG>_{ROLLOUT,WHITELIST,BLACKLIST,START_DATE,END_DATE}`, with the flag
 * upper-cased and anything a shell variable cannot hold (`-`, `.`) turned into `_`.
 */
export function defaultFlagEnvMapping(flag: string): FlagEnvMapping {
  if (flag === SEED_FLAG) return SEED_FLAG_ENV_MAPPING
  const base = `FEATURE_${flag.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`
  return {
    enabled: base,
    rollout_percentage: `${base}_ROLLOUT`,
    whitelist_users: `${base}_WHITELIST`,
    blacklist_users: `${base}_BLACKLIST`,
    start_date: `${base}_START_DATE`,
    end_date: `${base}_END_DATE`
  }
}

/** The workspace's mapping for the flag when it names one, else the default. */
export function resolveFlagEnvMapping(
  flag: string,
  configured: Readonly<Record<string, FlagEnvMapping>> = {}
): FlagEnvMapping {
  return Object.hasOwn(configured, flag) ? configured[flag]! : defaultFlagEnvMapping(flag)
}

const TRUE_WORDS = ['true', '1', 'yes', 'on']
const FALSE_WORDS = ['false', '0', 'no', 'off']

export interface FlagVariableProblem {
  file: string
  line: number
  variable: string
  value: string
  problem: string
}

/** A decoded value, or what is wrong with the text, phrased to follow `VARIABLE=value in FILE line N`. */
type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string }

/**
 * A flag's state from env values. A missing or empty variable means the field's default (disabled,
 * 0 %, no users listed, no date gate); every default points the safe way. Every bad value is reported
 * at once, each naming the file, line and variable, in one `bad_input` RampartError.
 */
export function decodeFlagState(values: EnvValues, mapping: FlagEnvMapping): FlagState {
  const { state, problems } = readFlagState(values, mapping)
  if (problems.length > 0)
    throw new RampartError('bad_input', problems.map(describeFlagVariableProblem).join('; '), problems)
  return state
}

/**
 * What a lenient read found: the state, with each unreadable field at its default, and what was
 * unreadable (by line).
 */
export interface FlagStateReading {
  state: FlagState
  problems: FlagVariableProblem[]
}

/**
 * The state a kill starts from. A kill writes only `enabled`, so a bad value in another field
 * (`ROLLOUT=25%` typed by hand) must not stop the emergency action; an unreadable `enabled` is
 * taken as enabled, because the service may well read it so, and the kill then writes `false`.
 */
export function readFlagStateForKill(values: EnvValues, mapping: FlagEnvMapping): FlagStateReading {
  const reading = readFlagState(values, mapping)
  const enabledUnreadable = reading.problems.some((problem) => problem.variable === mapping.enabled)
  return enabledUnreadable ? { ...reading, state: { ...reading.state, enabled: true } } : reading
}

/** Every field that can be read, and every one that cannot; never throws for a bad value. */
export function readFlagState(values: EnvValues, mapping: FlagEnvMapping): FlagStateReading {
  const problems: FlagVariableProblem[] = []
  const read = <T>(field: keyof FlagState, fallback: T, decode: (text: string) => Decoded<T>): T => {
    const variable = mapping[field]
    const found = values.getValue(variable)
    if (found === undefined || found.value.trim() === '') return fallback
    const decoded = decode(found.value.trim())
    if (decoded.ok) return decoded.value
    problems.push(variableProblem(values.origin, variable, found, decoded.problem))
    return fallback
  }

  const state: FlagState = {
    enabled: read('enabled', false, decodeBoolean),
    rollout_percentage: read('rollout_percentage', 0, decodePercentage),
    whitelist_users: read('whitelist_users', [], splitUserList),
    blacklist_users: read('blacklist_users', [], splitUserList),
    start_date: read<string | null>('start_date', null, (text) => decodeDateGate(text, 'start')),
    end_date: read<string | null>('end_date', null, (text) => decodeDateGate(text, 'end'))
  }
  problems.sort((a, b) => a.line - b.line)
  return { state, problems }
}

function decodeBoolean(text: string): Decoded<boolean> {
  const word = text.toLowerCase()
  if (TRUE_WORDS.includes(word)) return { ok: true, value: true }
  if (FALSE_WORDS.includes(word)) return { ok: true, value: false }
  return { ok: false, problem: 'is not a boolean (true/false, 1/0, yes/no, on/off)' }
}

function decodePercentage(text: string): Decoded<number> {
  // Digits only: `12.5`, `-5`, `1e2` and `0x10` are refused rather than rounded or reinterpreted.
  if (!/^[0-9]+$/.test(text) || Number(text) > 100) {
    return { ok: false, problem: 'is not a percentage (a whole number 0–100)' }
  }
  return { ok: true, value: Number(text) }
}

function splitUserList(text: string): Decoded<string[]> {
  const users = text
    .split(',')
    .map((user) => user.trim())
    .filter((user) => user !== '')
  return { ok: true, value: users }
}

function decodeDateGate(text: string, edge: DateGateEdge): Decoded<string> {
  const parsed = parseDateGate(text, edge)
  return parsed.ok ? { ok: true, value: text } : { ok: false, problem: dateGateProblem(text, parsed.message) }
}

/** The date parser's complaint without its leading quoted value, which our own messages already show. */
function dateGateProblem(text: string, message: string): string {
  const quoted = `"${text}" `
  return message.startsWith(quoted) ? message.slice(quoted.length) : `is not a date gate: ${message}`
}

function variableProblem(file: string, variable: string, found: EnvValue, problem: string): FlagVariableProblem {
  return { file, line: found.line, variable, value: found.value, problem }
}

/** `VARIABLE=value in FILE line N <problem>`. */
export function describeFlagVariableProblem(p: FlagVariableProblem): string {
  return `${p.variable}=${p.value} in ${p.file} line ${p.line} ${p.problem}`
}

/**
 * The env values that write a patch: booleans as `true`/`false`, lists joined with `,`, a null date as
 * empty. Refuses (`bad_input`, naming the field) anything the file could not give back unchanged.
 */
export function encodeFlagPatch(patch: Partial<FlagState>, mapping: FlagEnvMapping): Record<string, string> {
  const encoded: Record<string, string> = {}
  for (const [field, value] of Object.entries(patch) as [keyof FlagState, unknown][]) {
    if (value === undefined) continue
    const variable = Object.hasOwn(mapping, field) ? mapping[field] : undefined
    if (variable === undefined) {
      throw new RampartError(
        'bad_input',
        `"${field}" is not a flag field (expected one of ${FLAG_STATE_FIELDS.join(', ')})`
      )
    }
    encoded[variable] = encodeField(field, value)
  }
  return encoded
}

function encodeField(field: keyof FlagState, value: unknown): string {
  switch (field) {
    case 'enabled':
      if (typeof value !== 'boolean') throw fieldError(field, value, 'must be true or false')
      return value ? 'true' : 'false'
    case 'rollout_percentage':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) {
        throw fieldError(field, value, 'is not a percentage (a whole number 0–100)')
      }
      return String(value)
    case 'whitelist_users':
    case 'blacklist_users':
      return encodeUserList(field, value)
    case 'start_date':
    case 'end_date': {
      if (value === null || value === '') return ''
      if (typeof value !== 'string') throw fieldError(field, value, 'must be a date string or null')
      const parsed = parseDateGate(value, field === 'start_date' ? 'start' : 'end')
      if (!parsed.ok) throw fieldError(field, value, dateGateProblem(value, parsed.message))
      return value
    }
  }
}

function encodeUserList(field: keyof FlagState, value: unknown): string {
  if (!Array.isArray(value) || !value.every((user) => typeof user === 'string')) {
    throw fieldError(field, value, 'must be a list of user ids')
  }
  for (const user of value as string[]) {
    // The list is stored comma-separated and trimmed; these could not be read back as written.
    if (user.trim() === '' || user !== user.trim() || /[,\r\n]/.test(user)) {
      throw fieldError(
        field,
        value,
        `holds ${JSON.stringify(user)}; ` +
          'a user id must not be empty, start or end with white space, or hold a comma or line break'
      )
    }
  }
  return (value as string[]).join(',')
}

function fieldError(field: keyof FlagState, value: unknown, problem: string): RampartError {
  return new RampartError('bad_input', `${field} ${JSON.stringify(value)} ${problem}`, { field, value })
}
