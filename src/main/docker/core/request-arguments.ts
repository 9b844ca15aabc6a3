import { RampartError } from '@shared/errors'
import { ContainerNameSchema, ImageReferenceSchema } from '@shared/schemas/names'

/** Refuses, before any request, a name that is not a container name or id: it is pasted into the request path. */
export function checkContainerRef(name: string): void {
  if (!ContainerNameSchema.safeParse(name).success) {
    throw new RampartError(
      'bad_input',
      `"${name}" is not a container name or id (letters, digits, "_", "." or "-", starting with a letter or digit)`
    )
  }
}

/** Refuses, before any request, a reference that is not an image reference. */
export function checkImageRef(ref: string): void {
  if (!ImageReferenceSchema.safeParse(ref).success || ref.split('/').includes('..'))
    throw new RampartError('bad_input', `"${ref}" is not an image reference (e.g. postgres:15)`)
}

/** Refuses a stop or restart timeout that is not a whole number of seconds up to an hour. */
export function checkStopTimeout(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) {
    throw new RampartError('bad_input', `timeoutSeconds ${seconds} is not a whole number of seconds from 0 to 3600`)
  }
}
