/**
 * Catching the RampartError an operation must end with: each helper fails the test when the
 * operation ends with anything else, or does not fail at all.
 */
import { expect } from 'vitest'
import { RampartError } from '@shared/errors'

/** The RampartError `promise` rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<RampartError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(RampartError)
    return error as RampartError
  }
  throw new Error('expected a RampartError, but the operation succeeded')
}

/** The RampartError `action` throws. */
export function thrownBy(action: () => unknown): RampartError {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(RampartError)
    return error as RampartError
  }
  throw new Error('expected a RampartError, but nothing was thrown')
}
