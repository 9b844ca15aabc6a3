/**
 * fast-check arbitraries read from a zod schema's definition: values the schema should accept,
 * and what each node accepts, so a test can put a wrong-typed value in its place. Knows the zod
 * kinds the contract uses; any other kind throws, naming where it is, so a new kind in the
 * contract fails the test until it is taught here rather than going unchecked.
 */
import fc from 'fast-check'
import type { z } from 'zod'

/** A zod schema's definition, as far as this module reads it. */
interface Definition {
  type: string
  checks?: Array<{ _zod: { def: CheckDefinition } }>
  format?: string
  shape?: Record<string, z.ZodType>
  catchall?: z.ZodType
  innerType?: z.ZodType
  element?: z.ZodType
  keyType?: z.ZodType
  valueType?: z.ZodType
  options?: z.ZodType[]
  values?: unknown[]
  entries?: Record<string, string | number>
  in?: z.ZodType
}

interface CheckDefinition {
  check: string
  format?: string
  pattern?: RegExp
  minimum?: number
  maximum?: number
  value?: number
  inclusive?: boolean
}

/** JavaScript kinds of value, for "a value of a kind this field does not take". */
export type ValueKind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object' | 'undefined'

function definitionOf(schema: z.ZodType): Definition {
  return (schema as unknown as { _zod: { def: Definition } })._zod.def
}

function checksOf(definition: Definition): CheckDefinition[] {
  return (definition.checks ?? []).map((check) => check._zod.def)
}

function unsupported(definition: Definition, where: string): never {
  throw new Error(`zod-arbitrary: no generator for zod type "${definition.type}" at ${where}; add one`)
}

/** Values `schema` accepts. `where` names the node in errors. */
export function validValue(schema: z.ZodType, where = 'input'): fc.Arbitrary<unknown> {
  const definition = definitionOf(schema)
  switch (definition.type) {
    case 'string':
      return validString(schema, definition)
    case 'number':
      return validNumber(definition)
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'literal':
      return fc.constantFrom(...definition.values!)
    case 'enum':
      return fc.constantFrom(...Object.values(definition.entries!))
    case 'optional':
    case 'default':
      return fc.option(validValue(definition.innerType!, where), { nil: undefined })
    case 'nullable':
      return fc.option(validValue(definition.innerType!, where), { nil: null })
    case 'pipe':
      return validValue(definition.in!, where)
    case 'union':
      return fc.oneof(...definition.options!.map((option, index) => validValue(option, `${where}|${index}`)))
    case 'array': {
      const lengths = lengthBounds(definition)
      return fc.array(validValue(definition.element!, `${where}[]`), {
        minLength: lengths.min,
        maxLength: Math.min(lengths.max ?? 4, 4)
      })
    }
    case 'record':
      return fc.dictionary(
        validValue(definition.keyType!, `${where}{key}`) as fc.Arbitrary<string>,
        validValue(definition.valueType!, `${where}{}`),
        { maxKeys: 3 }
      )
    case 'object':
      return validObject(definition, where)
    default:
      return unsupported(definition, where)
  }
}

function validObject(definition: Definition, where: string): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(definition.shape!)
  const arbitraries = Object.fromEntries(fields.map(([name, field]) => [name, validValue(field, `${where}.${name}`)]))
  // An optional field is left out as often as it is given.
  const requiredKeys = fields.filter(([, field]) => !isOptional(field)).map(([name]) => name)
  return fc.record(arbitraries, { requiredKeys }).map((value) => {
    for (const name of Object.keys(value)) if (value[name] === undefined) delete value[name]
    return value
  })
}

function isOptional(schema: z.ZodType): boolean {
  const type = definitionOf(schema).type
  return type === 'optional' || type === 'default'
}

function lengthBounds(definition: Definition): { min: number; max: number | undefined } {
  let min = 0
  let max: number | undefined
  for (const check of checksOf(definition)) {
    if (check.check === 'min_length') min = Math.max(min, check.minimum!)
    if (check.check === 'max_length') max = Math.min(max ?? Infinity, check.maximum!)
    if (check.check === 'length_equals') min = max = check.value!
  }
  return { min, max }
}

function validString(schema: z.ZodType, definition: Definition): fc.Arbitrary<string> {
  if (definition.format === 'datetime') return instant.map((iso) => iso)
  if (definition.format === 'date') return instant.map((iso) => iso.slice(0, 10))
  if (definition.format !== undefined) return unsupported(definition, `string format ${definition.format}`)
  const checks = checksOf(definition)
  const { min, max } = lengthBounds(definition)
  const pattern = checks.find((check) => check.check === 'string_format' && check.format === 'regex')?.pattern
  const base =
    pattern !== undefined
      ? fc.stringMatching(pattern).filter((text) => text.length >= min && (max === undefined || text.length <= max))
      : fc.string({ minLength: min, maxLength: Math.min(max ?? 40, 40), unit: 'grapheme' })
  // A refinement is a function no generator can read: its values are kept only when it holds.
  return checks.some((check) => check.check === 'custom') ? base.filter((text) => schema.safeParse(text).success) : base
}

const instant = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true })
  .map((date) => date.toISOString())

function validNumber(definition: Definition): fc.Arbitrary<number> {
  let min = -Number.MAX_SAFE_INTEGER
  let max = Number.MAX_SAFE_INTEGER
  let minExclusive = false
  let maxExclusive = false
  let integer = false
  for (const check of checksOf(definition)) {
    if (check.check === 'number_format') integer = true
    if (check.check === 'greater_than') [min, minExclusive] = [check.value!, !check.inclusive]
    if (check.check === 'less_than') [max, maxExclusive] = [check.value!, !check.inclusive]
  }
  const inRange = (value: number): boolean =>
    (minExclusive ? value > min : value >= min) && (maxExclusive ? value < max : value <= max)
  const arbitrary = integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true })
  return arbitrary.filter(inRange)
}

/** The kinds of value a node accepts (undefined where the field may be left out). */
export function acceptedKinds(schema: z.ZodType): Set<ValueKind> {
  const definition = definitionOf(schema)
  switch (definition.type) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
      return new Set([definition.type])
    case 'literal':
    case 'enum': {
      const values = definition.values ?? Object.values(definition.entries!)
      return new Set(values.map((value) => (value === null ? 'null' : (typeof value as ValueKind))))
    }
    case 'optional':
    case 'default':
      return new Set([...acceptedKinds(definition.innerType!), 'undefined'])
    case 'nullable':
      return new Set([...acceptedKinds(definition.innerType!), 'null'])
    case 'pipe':
      return acceptedKinds(definition.in!)
    case 'union':
      return new Set(definition.options!.flatMap((option) => [...acceptedKinds(option)]))
    case 'array':
      return new Set(['array'])
    case 'record':
    case 'object':
      return new Set(['object'])
    default:
      return unsupported(definition, 'acceptedKinds')
  }
}

/** One value of each kind. */
export const SAMPLE_OF_KIND: Record<Exclude<ValueKind, 'undefined'>, unknown> = {
  string: 'x',
  number: 1,
  boolean: true,
  null: null,
  array: [],
  object: {}
}

/** The fields of an object schema (the contract's inputs are all objects), by name. */
export function objectFields(schema: z.ZodType): Record<string, z.ZodType> | null {
  const definition = definitionOf(schema)
  return definition.type === 'object' ? definition.shape! : null
}

/** Whether a node is a string (under any optional/default/pipe wrapping) with a bound on its length. */
export function stringNode(schema: z.ZodType): boolean {
  return acceptedKinds(schema).has('string')
}
