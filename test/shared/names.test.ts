import { describe, expect, it } from 'vitest'
import {
  ContainerNameSchema,
  EnvironmentNameSchema,
  FlagNameSchema,
  ImageReferenceSchema,
  RequestedEnvironmentSchema
} from '@shared/schemas/names'

function messagesOf(result: { success: boolean; error?: { issues: Array<{ message: string }> } }): string[] {
  return result.error?.issues.map((issue) => issue.message) ?? []
}

describe('names', () => {
  it('takes flag names of letters, digits, "_", "." and "-", up to 100, and says so otherwise', () => {
    expect(FlagNameSchema.safeParse('unified_llm_hub').success).toBe(true)
    expect(FlagNameSchema.safeParse(`a${'b'.repeat(99)}`).success).toBe(true)
    expect(messagesOf(FlagNameSchema.safeParse(`a${'b'.repeat(100)}`))).toEqual([
      'a flag name is letters, digits, "_", "." or "-" (at most 100)'
    ])
    expect(FlagNameSchema.safeParse('-leading-dash').success).toBe(false)
  })

  it('defines environments without dots, but lets a request name any short string for the lookup to refuse', () => {
    expect(messagesOf(EnvironmentNameSchema.safeParse('prod.eu'))).toEqual([
      'an environment name is letters, digits, "_" or "-" (at most 64)'
    ])
    expect(RequestedEnvironmentSchema.safeParse('prod.eu').success).toBe(true)
    expect(RequestedEnvironmentSchema.safeParse('').success).toBe(false)
    expect(RequestedEnvironmentSchema.safeParse('e'.repeat(65)).success).toBe(false)
  })

  it('refuses a container name or image reference that would change a request path', () => {
    expect(ContainerNameSchema.safeParse('ops-center-direct').success).toBe(true)
    expect(messagesOf(ContainerNameSchema.safeParse('../images/json'))).toEqual([
      'a container name is letters, digits, "_", "." or "-"'
    ])
    expect(ImageReferenceSchema.safeParse('rampart-fixture/node:18').success).toBe(true)
    expect(ImageReferenceSchema.safeParse('node 18').success).toBe(false)
  })
})
