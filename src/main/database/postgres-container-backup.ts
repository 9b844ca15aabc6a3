import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Writable } from 'node:stream'
import { RampartError } from '@shared/errors'
import { conninfo } from './core/libpq-conninfo'
import type { DockerEngine } from '@main/docker/docker-engine'

/**
 * pg_dump and pg_restore run inside the Postgres container (through Docker exec, so the tools
 * always match the server's version), with the dump streamed to and from a file on this
 * workstation. Names reach the tools as a quoted libpq connection string in one argument; no
 * shell is involved.
 */
export interface ContainerDatabase {
  engine: DockerEngine
  container: string
  user: string
  /** Handed to the tools as PGPASSWORD, for a container whose socket asks for one. */
  password: string
  database: string
  /** With host networking the server listens on this port inside the container too. */
  port?: number
}

export interface BackupFile {
  /** Absolute path of the finished file. */
  file: string
  sha256: string
  bytes: number
}

const STDERR_SHOWN_CHARS = 2000

/**
 * `pg_dump --format=custom` into `file`: written under a temporary name while the SHA-256 is
 * computed on the way, fsynced, and renamed only when the dump exited 0, so a file with the
 * final name is always a complete dump. Refuses to overwrite an existing file.
 */
export async function dumpDatabase(source: ContainerDatabase, file: string): Promise<BackupFile> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  if (await exists(file))
    throw new RampartError('conflict', `The backup file ${file} already exists; nothing was overwritten`)
  const partial = `${file}.partial`
  const handle = await open(partial, 'wx', 0o600)
  const hash = createHash('sha256')
  let bytes = 0
  // A failed write (a full disk) reaches exec as a broken stdout: remembered so the error names the file, not Docker.
  let writeError: Error | undefined
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      bytes += chunk.length
      writeAll(handle, chunk).then(
        () => callback(),
        (error: Error) => {
          writeError ??= error
          callback(error)
        }
      )
    }
  })
  // Kept for the message even after exec stopped listening (the final flush in end() can fail too).
  sink.on('error', (error: Error) => (writeError ??= error))
  let closed = false
  try {
    const result = await source.engine.exec(
      source.container,
      [
        'pg_dump',
        '--format=custom',
        '--no-password',
        `--dbname=${conninfo({ dbname: source.database, user: source.user })}`
      ],
      { env: toolEnv(source), stdout: sink }
    )
    if (result.exitCode !== 0) {
      throw new RampartError(
        'failed',
        `pg_dump of "${source.database}" in container ${source.container} ` +
          `exited with code ${result.exitCode}: ${tail(result.stderr)}`,
        { exitCode: result.exitCode }
      )
    }
    await new Promise<void>((resolve, reject) =>
      sink.end((error?: Error | null) => (error ? reject(error) : resolve()))
    )
    if (bytes === 0)
      throw new RampartError('failed', `pg_dump of "${source.database}" in container ${source.container} wrote nothing`)
    await handle.sync()
    await handle.close()
    closed = true
    await rename(partial, file)
    await syncDirectory(dirname(file))
    return { file, sha256: hash.digest('hex'), bytes }
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined)
    await rm(partial, { force: true })
    const cause = writeError ?? error
    if (cause instanceof RampartError) throw cause
    throw new RampartError(
      'failed',
      `Cannot write the backup ${file}: ${(cause as Error).message}; the partial file was removed`
    )
  }
}

/**
 * Streams `file` into `pg_restore --clean --if-exists --single-transaction`: the objects in the
 * dump are dropped and recreated in one transaction, so a failure leaves the database as it was.
 * Objects created after the dump was taken are not in it and stay.
 */
export async function restoreDatabase(target: ContainerDatabase, file: string): Promise<{ bytes: number }> {
  const { size } = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new RampartError('bad_input', `Cannot read the backup file ${file}: ${error.message}`)
  })
  const result = await target.engine.exec(
    target.container,
    [
      'pg_restore',
      '--clean',
      '--if-exists',
      '--single-transaction',
      '--no-password',
      `--dbname=${conninfo({ dbname: target.database, user: target.user })}`
    ],
    { env: toolEnv(target), stdin: createReadStream(file) }
  )
  if (result.exitCode !== 0) {
    throw new RampartError(
      'failed',
      `pg_restore of ${file} into "${target.database}" in container ${target.container} ` +
        `exited with code ${result.exitCode}; ` +
        `its single transaction was rolled back, so the database is as it was: ${tail(result.stderr)}`,
      { exitCode: result.exitCode }
    )
  }
  return { bytes: size }
}

function toolEnv(database: ContainerDatabase): Record<string, string> {
  const env: Record<string, string> = { PGPASSWORD: database.password }
  if (database.port !== undefined) env.PGPORT = String(database.port)
  return env
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset)
    offset += bytesWritten
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file)
    return true
  } catch {
    return false
  }
}

/** Makes the rename durable; where a folder cannot be opened for that (Windows), the rename stands as is. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined
  try {
    handle = await open(directory, 'r')
    await handle.sync()
  } catch {
    // Not supported on this platform.
  } finally {
    await handle?.close().catch(() => undefined)
  }
}

function tail(stderr: string): string {
  const text = stderr.trim()
  if (text === '') return '(no error output)'
  return text.length > STDERR_SHOWN_CHARS ? `…${text.slice(-STDERR_SHOWN_CHARS)}` : text
}
