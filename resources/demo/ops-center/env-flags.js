'use strict'
/**
 * Reads the flags' state from the env file, once at start, as the seed's service does. Reads the
 * file the way Rampart's env-file source does (src/main/core/env-file-document.ts and
 * flag-env-mapping.ts), so the service and the console always agree on what the file says: `export`
 * prefixes, spaces around `=`, single and double quotes, inline ` #` comments, CRLF, a BOM.
 * A value the service cannot read stops it with a message naming the file, line and variable.
 */

const fs = require('node:fs')
const { dateGateInstant } = require('./flag-rules.js')

/** The seed's flag and its variables (they do not follow FEATURE_<FLAG>_… after the first). */
const SEED_FLAGS = {
  unified_llm_hub: {
    enabled: 'FEATURE_UNIFIED_LLM_HUB',
    rollout_percentage: 'FEATURE_LLM_HUB_ROLLOUT',
    whitelist_users: 'FEATURE_LLM_HUB_WHITELIST',
    blacklist_users: 'FEATURE_LLM_HUB_BLACKLIST',
    start_date: 'FEATURE_LLM_HUB_START_DATE',
    end_date: 'FEATURE_LLM_HUB_END_DATE'
  }
}

const FIELDS = ['enabled', 'rollout_percentage', 'whitelist_users', 'blacklist_users', 'start_date', 'end_date']
const TRUE_WORDS = ['true', '1', 'yes', 'on']
const FALSE_WORDS = ['false', '0', 'no', 'off']
const ASSIGNMENT_HEAD = /^([ \t]*)(export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)([ \t]*=)/
const AFTER_QUOTE = /^[ \t]*(#[^]*)?$/
const ESCAPES = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' }

class EnvFileError extends Error {}

/** KEY → { value, line } for every assignment in the text. */
function parseEnvText(text, origin) {
  const values = new Map()
  const lines = text.replace(/^\uFEFF/, '').split('\n')
  lines.forEach((raw, index) => {
    const number = index + 1
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (/^[ \t]*$/.test(content) || /^[ \t]*#/.test(content)) return
    const head = ASSIGNMENT_HEAD.exec(content)
    if (head === null) {
      throw new EnvFileError(
        `${origin} line ${number} is not a KEY=value assignment, a comment or a blank line: ` +
          `${JSON.stringify(content.slice(0, 60))}`
      )
    }
    const key = head[3]
    if (values.has(key)) {
      throw new EnvFileError(
        `${key} is set twice in ${origin}, on lines ${values.get(key).line} and ${number}; keep one`
      )
    }
    values.set(key, { value: parseValue(content.slice(head[0].length), key, number, origin), line: number })
  })
  return values
}

function parseValue(rest, key, number, origin) {
  const value = rest.replace(/^[ \t]*/, '')
  const quote = value[0]
  if (quote !== "'" && quote !== '"') {
    const comment = /[ \t]+#/.exec(rest)
    return (comment === null ? rest : rest.slice(0, comment.index)).replace(/^[ \t]+|[ \t]+$/g, '')
  }
  let close = -1
  if (quote === "'") close = value.indexOf("'", 1)
  else {
    for (let i = 1; i < value.length; i += 1) {
      if (value[i] === '\\') i += 1
      else if (value[i] === '"') {
        close = i
        break
      }
    }
  }
  if (close === -1) throw new EnvFileError(`${key} in ${origin} line ${number} has an unterminated ${quote} quote`)
  if (!AFTER_QUOTE.test(value.slice(close + 1))) {
    throw new EnvFileError(`${key} in ${origin} line ${number} has text after its closing ${quote} quote`)
  }
  const inner = value.slice(1, close)
  return quote === "'" ? inner : inner.replace(/\\([^])/g, (sequence, c) => ESCAPES[c] ?? sequence)
}

/** One flag's state from the values; every unreadable variable is reported at once. */
function decodeFlagState(values, mapping, origin) {
  const problems = []
  const read = (field, fallback, decode) => {
    const found = values.get(mapping[field])
    if (found === undefined || found.value.trim() === '') return fallback
    const text = found.value.trim()
    const decoded = decode(text)
    if (decoded.ok) return decoded.value
    problems.push({
      line: found.line,
      message: `${mapping[field]}=${found.value} in ${origin} line ${found.line} ${decoded.problem}`
    })
    return fallback
  }
  const state = {
    enabled: read('enabled', false, (text) => {
      const word = text.toLowerCase()
      if (TRUE_WORDS.includes(word)) return { ok: true, value: true }
      if (FALSE_WORDS.includes(word)) return { ok: true, value: false }
      return { ok: false, problem: 'is not a boolean (true/false, 1/0, yes/no, on/off)' }
    }),
    rollout_percentage: read('rollout_percentage', 0, (text) =>
      /^[0-9]+$/.test(text) && Number(text) <= 100
        ? { ok: true, value: Number(text) }
        : { ok: false, problem: 'is not a percentage (a whole number 0–100)' }
    ),
    whitelist_users: read('whitelist_users', [], splitUsers),
    blacklist_users: read('blacklist_users', [], splitUsers),
    start_date: read('start_date', null, (text) => dateGate(text, 'start')),
    end_date: read('end_date', null, (text) => dateGate(text, 'end'))
  }
  if (problems.length > 0) {
    throw new EnvFileError(
      problems
        .sort((a, b) => a.line - b.line)
        .map((problem) => problem.message)
        .join('; ')
    )
  }
  return state
}

function splitUsers(text) {
  return {
    ok: true,
    value: text
      .split(',')
      .map((user) => user.trim())
      .filter((user) => user !== '')
  }
}

function dateGate(text, edge) {
  return dateGateInstant(text, edge) === undefined
    ? { ok: false, problem: 'is not a date gate: expected YYYY-MM-DD or an ISO 8601 timestamp with seconds and a zone' }
    : { ok: true, value: text }
}

/**
 * flag → state for every flag in `mappings` (flag → { field: VARIABLE }), read from the file at `path`.
 * Throws an EnvFileError whose message is meant for the operator.
 */
function readFlagsFromEnvFile(path, mappings) {
  let text
  try {
    text = fs.readFileSync(path, 'utf8')
  } catch (error) {
    if (error.code === 'ENOENT')
      throw new EnvFileError(`env file ${path} does not exist (set DEMO_ENV_FILE, or mount the file at /config/.env)`)
    throw new EnvFileError(`cannot read env file ${path}: ${error.message}`)
  }
  const values = parseEnvText(text, path)
  const flags = {}
  for (const [flag, mapping] of Object.entries(mappings)) {
    for (const field of FIELDS) {
      if (typeof mapping[field] !== 'string')
        throw new EnvFileError(`DEMO_FLAGS: flag ${flag} names no variable for ${field}`)
    }
    flags[flag] = decodeFlagState(values, mapping, path)
  }
  return flags
}

module.exports = { SEED_FLAGS, EnvFileError, readFlagsFromEnvFile }
