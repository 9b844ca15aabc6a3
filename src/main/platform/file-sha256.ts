import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { RampartError } from '@shared/errors'

/** SHA-256 (hex) and size of a file, read as a stream; `what` names the file in an error ("the backup file"). */
export async function fileSha256(file: string, what = 'the file'): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  try {
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer)
      bytes += (chunk as Buffer).length
    }
  } catch (error) {
    throw new RampartError('bad_input', `Cannot read ${what} ${file}: ${(error as Error).message}`)
  }
  return { sha256: hash.digest('hex'), bytes }
}
