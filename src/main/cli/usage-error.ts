import { RampartError } from '@shared/errors'

/** Bad usage of the command line: exit code 2 with a message naming what is wrong. */
export class UsageError extends RampartError {
  constructor(message: string) {
    super('bad_input', message)
    this.name = 'UsageError'
  }
}

/** docs/design.md "The command line": 0 on success, 2 on bad usage or bad input, 1 on an operational failure. */
export function exitCodeFor(error: unknown): 1 | 2 {
  return error instanceof RampartError && error.code === 'bad_input' ? 2 : 1
}
