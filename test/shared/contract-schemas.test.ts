/**
 * Every input schema of the contract, operations and streams alike, read from the contract's own
 * tables (a new operation is covered the day it is added): generated valid inputs are accepted;
 * extra fields, wrong kinds of value, prototype keys, huge strings and non-objects are refused;
 * and the validator never throws, whatever it is given.
 */
import fc from 'fast-check'
import type { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { contract, streams } from '@shared/contract/contract'
import { acceptedKinds, objectFields, SAMPLE_OF_KIND, stringNode, validValue } from '@test/support/zod-arbitrary'

const INPUTS: Array<[string, z.ZodType]> = [
  ...Object.entries(contract).map(([name, spec]): [string, z.ZodType] => [name, spec.input]),
  ...Object.entries(streams).map(([name, spec]): [string, z.ZodType] => [name, spec.input])
]

const HUGE = 'a'.repeat(1 << 20)

/** Parses without letting a throw pass as a refusal: a throw fails the test. */
function accepts(schema: z.ZodType, value: unknown): boolean {
  return schema.safeParse(value).success
}

/** An object with an own property of the given name, as JSON.parse or structured clone would make it. */
function withOwnKey(value: Record<string, unknown>, key: string, extra: unknown): Record<string, unknown> {
  const copy = { ...value }
  Object.defineProperty(copy, key, { value: extra, enumerable: true, configurable: true, writable: true })
  return copy
}

describe('the contract’s input schemas', () => {
  it('cover every operation and stream, each an object of named fields', () => {
    expect(INPUTS.length).toBe(Object.keys(contract).length + Object.keys(streams).length)
    for (const [name, schema] of INPUTS) expect(objectFields(schema), name).not.toBeNull()
  })

  for (const [name, schema] of INPUTS) {
    describe(name, () => {
      const fields = objectFields(schema)!

      it('accepts generated valid inputs', () => {
        fc.assert(
          fc.property(validValue(schema, name), (input) => {
            const parsed = schema.safeParse(input)
            expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
          }),
          { numRuns: 150 }
        )
      })

      it('refuses an extra field, a prototype key among them, without throwing', () => {
        fc.assert(
          fc.property(
            validValue(schema, name) as fc.Arbitrary<Record<string, unknown>>,
            fc.constantFrom('__proto__', 'constructor', 'prototype', 'isAdmin', 'then', 'toJSON'),
            fc.jsonValue(),
            (input, key, extra) => {
              fc.pre(!Object.hasOwn(fields, key))
              expect(accepts(schema, withOwnKey(input, key, extra))).toBe(false)
            }
          ),
          { numRuns: 60 }
        )
        expect(Object.prototype).not.toHaveProperty('polluted')
      })

      it('refuses a value of a kind a field does not take, in any field (any field at all when it has none)', () => {
        const names = Object.keys(fields)
        fc.assert(
          fc.property(
            validValue(schema, name) as fc.Arbitrary<Record<string, unknown>>,
            fc.constantFrom(...(names.length > 0 ? names : ['field'])),
            fc.constantFrom(...(Object.keys(SAMPLE_OF_KIND) as Array<keyof typeof SAMPLE_OF_KIND>)),
            (input, field, kind) => {
              fc.pre(!Object.hasOwn(fields, field) || !acceptedKinds(fields[field]!).has(kind))
              expect(accepts(schema, { ...input, [field]: SAMPLE_OF_KIND[kind] })).toBe(false)
            }
          ),
          { numRuns: 80 }
        )
      })

      it('refuses a megabyte string in every string field', () => {
        fc.assert(
          fc.property(validValue(schema, name) as fc.Arbitrary<Record<string, unknown>>, (input) => {
            for (const [field, fieldSchema] of Object.entries(fields)) {
              if (!stringNode(fieldSchema)) continue
              expect(accepts(schema, { ...input, [field]: HUGE }), field).toBe(false)
            }
          }),
          { numRuns: 5 }
        )
      })

      it('refuses anything that is not an object, and never throws on any value', () => {
        fc.assert(
          fc.property(
            fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true }),
            (value) => {
              const parsed = schema.safeParse(value)
              if (typeof value !== 'object' || value === null || Array.isArray(value))
                expect(parsed.success).toBe(false)
            }
          ),
          { numRuns: 200 }
        )
      })
    })
  }
})
