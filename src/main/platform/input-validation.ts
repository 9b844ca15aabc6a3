import type { z } from 'zod'
import { RampartError } from '@shared/errors'

/** A zod failure as one line naming each field: "reason: too short; flag: required". */
export function describeIssues(error: z.ZodError, rootLabel = '(input)'): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : rootLabel}: ${issue.message}`)
    .join('; ')
}

/** Validates `value`, or throws a `bad_input` RampartError that says what (`what`) and which fields. */
export function parseOrBadInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  throw new RampartError('bad_input', `${what}: ${describeIssues(parsed.error)}`, { issues: parsed.error.issues })
}
