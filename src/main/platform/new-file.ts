import { createWriteStream, linkSync, rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { RampartError } from '@shared/errors'

/**
 * Writes a file that must not exist yet, all or nothing: the content goes to a temporary file
 * beside it, which is then linked into place (a link never replaces an existing file) and removed.
 * A failure halfway leaves no half-written file and never touches a file that was already there.
 */
export async function writeNewFile(
  target: string,
  produce: (write: (chunk: string) => Promise<void>) => Promise<void>
): Promise<void> {
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.partial`)
  const stream = createWriteStream(temporary, { flags: 'wx' })
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve())
    stream.once('error', reject)
  })
  try {
    await opened
    await produce(
      (chunk) =>
        new Promise<void>((resolve, reject) => {
          stream.write(chunk, (error) => (error ? reject(error) : resolve()))
        })
    )
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject)
      stream.end(() => resolve())
    })
    linkSync(temporary, target)
  } catch (error) {
    stream.destroy()
    throw fileError(target, error)
  } finally {
    rmSync(temporary, { force: true })
  }
}

function fileError(target: string, error: unknown): RampartError {
  if (error instanceof RampartError) return error
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EEXIST')
    return new RampartError('bad_input', `cannot write ${target}: it already exists (not overwritten)`)
  return new RampartError('failed', `cannot write ${target}: ${error instanceof Error ? error.message : String(error)}`)
}
