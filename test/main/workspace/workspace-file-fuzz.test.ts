/**
 * The workspace loader over generated input: YAML text that may not even parse, arbitrary data
 * written as YAML, and valid workspaces with one field replaced by anything. It loads, or it
 * refuses with a bad_input RampartError whose every line names the file (and, for a field, the
 * field's path); nothing else escapes.
 */
import fc from 'fast-check'
import { stringify } from 'yaml'
import { describe, expect, it } from 'vitest'
import { parseWorkspaceText } from '@main/workspace/workspace-file'
import { RampartError } from '@shared/errors'

const FILE = '/srv/ops/rampart.config.yaml'

/** The refusal `text` gets, or null when it loads. */
function refusalOf(text: string): RampartError | null {
  try {
    parseWorkspaceText(text, FILE)
    return null
  } catch (error) {
    if (!(error instanceof RampartError)) throw error
    return error
  }
}

function expectNamesTheFile(error: RampartError): void {
  expect(error.code).toBe('bad_input')
  for (const line of error.message.split('\n')) expect(line.startsWith(FILE)).toBe(true)
}

const yamlPiece = fc.oneof(
  fc.constantFrom(
    'environments:',
    'local:',
    '  ',
    '\n',
    '- ',
    ': ',
    '&a ',
    '*a',
    '<<: *a',
    '!!str ',
    '!!binary ',
    '!custom ',
    '{',
    '}',
    '[',
    ']',
    '"',
    "'",
    '#',
    '---',
    '...',
    '|',
    '>',
    '? ',
    '%YAML 1.2',
    '__proto__:',
    'constructor:'
  ),
  fc.stringMatching(/^[a-z_]{1,10}$/),
  fc.string({ maxLength: 8, unit: 'grapheme' })
)
const yamlText = fc.oneof(
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.array(yamlPiece, { maxLength: 60 }).map((pieces) => pieces.join(''))
)

// Keys a hostile or careless file might hold, beside ordinary ones.
const key = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '<<', '', 'environments', 'postgres', 'flags'),
  fc.string({ maxLength: 10 })
)
const anyData = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 })
  )
})).value

const VALID = {
  default_environment: 'local',
  environments: {
    local: {
      service: { container: 'ops-center-direct', health_url: 'http://127.0.0.1:8084/health', verify_urls: [] },
      flag_source: { kind: 'env-file', path: './.env', mappings: {} },
      flags: ['unified_llm_hub'],
      postgres: { container: 'unicorn-postgresql', port: 5432, password: '${RAMPART_PG_PASSWORD}', disposable: true },
      migrations: './migrations',
      guards: { window_seconds: 60, min_requests: 100, max_error_rate: 0.05, action: 'rollback' },
      rollout: { min_soak_seconds: 0 },
      protected: false
    }
  }
}

/** Every path to a value in VALID, objects and arrays included. */
function pathsOf(value: unknown, path: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [path]
  const children = Object.entries(value).flatMap(([name, child]) => pathsOf(child, [...path, name]))
  return path.length === 0 ? children : [path, ...children]
}
const VALID_PATHS = pathsOf(VALID)

function replaced(path: string[], value: unknown): unknown {
  const copy = structuredClone(VALID) as Record<string, unknown>
  let node = copy
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string, unknown>
  node[path.at(-1)!] = value
  return copy
}

describe('the workspace loader over generated input', () => {
  it('loads or refuses any YAML-like text, naming the file', () => {
    fc.assert(
      fc.property(yamlText, (text) => {
        const error = refusalOf(text)
        if (error !== null) expectNamesTheFile(error)
      }),
      { numRuns: 1500 }
    )
  })

  it('loads or refuses any data written as YAML, naming the file', () => {
    fc.assert(
      fc.property(anyData, (data) => {
        const error = refusalOf(stringify(data))
        if (error !== null) expectNamesTheFile(error)
      }),
      { numRuns: 1000 }
    )
  })

  it('refuses a valid workspace with one field replaced by anything, naming that field or the one above it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID_PATHS), anyData, (path, value) => {
        const error = refusalOf(stringify(replaced(path, value)))
        if (error === null) return
        expectNamesTheFile(error)
        // The dotted path of the replaced field, or of a field inside it, or the level above it
        // (an environment name the record refuses, a default naming no environment).
        const field = path.join('.')
        const parent = path.slice(0, -1).join('.')
        const named = error.message
          .split('\n')
          .some((line) => line.includes(`: ${field}`) || (parent !== '' && line.includes(`: ${parent}`)))
        expect(named, error.message).toBe(true)
      }),
      { numRuns: 1000 }
    )
  })

  // Found by the data property above: yaml printed its own Node warning beside the error.
  it('refuses a list used as a key with its one error, and no warning of yaml’s own on stderr', async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error): void => void warnings.push(warning.message)
    process.on('warning', onWarning)
    try {
      const error = refusalOf('environments:\n  ? [local, staging]\n  : {}\n')
      expect(error?.message).toContain(`${FILE} line 1: environments.[ local, staging ]: invalid name`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings).toEqual([])
  })

  it('never lets a __proto__ key reach an object prototype', () => {
    const text = stringify({ environments: { local: { __proto__: { polluted: true } } } }).replace(
      'environments:',
      'environments:\n  __proto__:\n    polluted: true'
    )
    refusalOf(text)
    refusalOf(
      'environments:\n  local:\n    flag_source:\n      kind: env-file\n      mappings:\n        __proto__: {}\n'
    )
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
  })
})
