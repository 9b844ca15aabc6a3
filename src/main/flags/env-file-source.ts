import { createHash, randomBytes } from 'node:crypto'
import * as nodeFileSystem from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { RampartError } from '@shared/errors'
import type { FlagState } from '@shared/flag-state'
import { EnvFileDocument } from './core/env-file-document'
import {
  FLAG_STATE_FIELDS,
  decodeFlagState,
  describeFlagVariableProblem,
  encodeFlagPatch,
  readFlagState,
  readFlagStateForKill,
  type FlagEnvMapping,
  type FlagStateReading
} from './core/flag-env-mapping'
import type { FlagAccessOptions, FlagPatch, FlagSnapshot, FlagSource } from './flag-source'
import { WriteQueue } from './write-queue'

/** The file operations the source uses; Node's own unless a test needs one step to fail. */
export type EnvFileSystem = Pick<typeof nodeFileSystem, 'readFile' | 'realpath' | 'stat' | 'open' | 'rename' | 'unlink'>

export interface EnvFileFlagSourceOptions {
  path: string
  /** Flag name → the variables that hold its state, in the order flags are listed. */
  flags: Readonly<Record<string, FlagEnvMapping>>
  fileSystem?: EnvFileSystem
}

interface LoadedEnvFile {
  document: EnvFileDocument
  revision: string
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Flags kept in an env file (the seed's scheme). A write changes only the variables whose value
 * changes, is atomic (temporary file beside the original, fsync, rename) and is refused when the file
 * changed since the revision the caller read.
 */
export class EnvFileFlagSource implements FlagSource {
  readonly kind = 'env-file' as const
  readonly rules = 'rampart' as const
  private readonly path: string
  private readonly flags: Readonly<Record<string, FlagEnvMapping>>
  private readonly fileSystem: EnvFileSystem
  private readonly writes = new WriteQueue()

  constructor(options: EnvFileFlagSourceOptions) {
    this.path = options.path
    this.flags = options.flags
    this.fileSystem = options.fileSystem ?? nodeFileSystem
    for (const [flag, mapping] of Object.entries(options.flags)) rejectBadMapping(flag, mapping, options.path)
  }

  async listFlags(): Promise<string[]> {
    return Object.keys(this.flags)
  }

  async read(flag: string, options: FlagAccessOptions = {}): Promise<FlagSnapshot> {
    const mapping = this.mappingFor(flag)
    const file = await this.load()
    return this.snapshot(flag, file, readWith(options, file, mapping))
  }

  write(
    flag: string,
    patch: FlagPatch,
    expectedRevision: string,
    options: FlagAccessOptions = {}
  ): Promise<FlagSnapshot> {
    return this.writes.run(() => this.writeNow(flag, patch, expectedRevision, options))
  }

  private async writeNow(
    flag: string,
    patch: FlagPatch,
    expectedRevision: string,
    options: FlagAccessOptions
  ): Promise<FlagSnapshot> {
    const mapping = this.mappingFor(flag)
    const encoded = encodeFlagPatch(patch, mapping)
    const file = await this.load()
    this.refuseIfChanged(file.revision, expectedRevision)

    const changes = changedVariables(file.document, mapping, patch, encoded)
    if (Object.keys(changes).length === 0) return this.snapshot(flag, file, readWith(options, file, mapping))

    const bytes = Buffer.from(file.document.setValues(changes), 'utf8')
    // The result must read back cleanly before it replaces anything; a kill may leave a bad value
    // it did not write (it is reported), never one it wrote.
    const written = parseEnvFile(bytes, this.path)
    const reading = readWith(options, written, mapping)
    const refused = reading.problems.filter(
      (problem) => options.forKill !== true || Object.hasOwn(changes, problem.variable)
    )
    if (refused.length > 0)
      throw new RampartError('bad_input', refused.map(describeFlagVariableProblem).join('; '), refused)
    const snapshot = this.snapshot(flag, written, reading)
    await this.replaceAtomically(bytes, file.revision)
    return snapshot
  }

  private mappingFor(flag: string): FlagEnvMapping {
    if (!Object.hasOwn(this.flags, flag)) {
      const known = Object.keys(this.flags)
      throw new RampartError(
        'bad_input',
        `flag "${flag}" has no variables mapped in env file ${this.path} ` +
          `(mapped flags: ${known.length > 0 ? known.join(', ') : 'none'})`
      )
    }
    return this.flags[flag]!
  }

  private snapshot(flag: string, file: LoadedEnvFile, reading: FlagStateReading): FlagSnapshot {
    return {
      flag,
      state: reading.state,
      ...(reading.problems.length > 0 ? { unreadable: reading.problems } : {}),
      revision: file.revision,
      writable: {
        enabled: true,
        rollout_percentage: true,
        whitelist_users: true,
        blacklist_users: true,
        start_date: true,
        end_date: true
      },
      origin: this.path
    }
  }

  private refuseIfChanged(actualRevision: string, expectedRevision: string): void {
    if (actualRevision === expectedRevision) return
    throw new RampartError(
      'conflict',
      `env file ${this.path} changed since it was read; read it again, check the change, and retry`,
      { file: this.path, expectedRevision, actualRevision }
    )
  }

  private async load(): Promise<LoadedEnvFile> {
    let bytes: Buffer
    try {
      bytes = await this.fileSystem.readFile(this.path)
    } catch (error) {
      throw this.readError(error)
    }
    return parseEnvFile(bytes, this.path)
  }

  private readError(error: unknown): RampartError {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return new RampartError('bad_input', `env file ${this.path} does not exist`)
    if (code === 'EISDIR') return new RampartError('bad_input', `env file ${this.path} is a directory, not a file`)
    return new RampartError('failed', `cannot read env file ${this.path}: ${(error as Error).message}`)
  }

  /**
   * Temporary file in the same folder (so the rename cannot cross file systems), written and fsynced,
   * given the original's mode and owner, checked once more against the revision, renamed over the
   * original, then the folder fsynced so the rename itself survives a crash. On any failure the
   * temporary file is removed and the original is left as it was.
   */
  private async replaceAtomically(bytes: Buffer, expectedRevision: string): Promise<void> {
    const fs = this.fileSystem
    let target: string
    let mode: number
    let owner: { uid: number; gid: number }
    try {
      // A symlinked .env (say to .env.development) stays a symlink; its target is what changes.
      target = await fs.realpath(this.path)
      const stat = await fs.stat(target)
      mode = stat.mode & 0o7777
      owner = { uid: stat.uid, gid: stat.gid }
    } catch (error) {
      throw this.readError(error)
    }

    const directory = dirname(target)
    const temporary = join(
      directory,
      `.${basename(target)}.rampart-${process.pid}-${randomBytes(6).toString('hex')}.tmp`
    )
    let created = false
    try {
      const handle = await fs.open(temporary, 'wx', mode)
      created = true
      try {
        await handle.writeFile(bytes)
        // `open` applies the umask; set the mode explicitly. Only root can (and needs to) keep the owner.
        await handle.chmod(mode)
        if (process.getuid?.() === 0) await handle.chown(owner.uid, owner.gid)
        await handle.sync()
      } finally {
        await handle.close()
      }
      // Narrows the window for an edit made elsewhere while this write was in progress.
      this.refuseIfChanged(revisionOf(await fs.readFile(target)), expectedRevision)
      await fs.rename(temporary, target)
      created = false
    } catch (error) {
      if (created) await fs.unlink(temporary).catch(() => undefined)
      if (error instanceof RampartError) throw error
      throw new RampartError(
        'failed',
        `could not write env file ${this.path}: ${(error as Error).message}; the file was left unchanged`,
        { file: this.path }
      )
    }
    await syncDirectory(fs, directory)
  }
}

/** The strict reading (a bad value throws, naming file, line and variable), or for a kill the lenient one. */
function readWith(options: FlagAccessOptions, file: LoadedEnvFile, mapping: FlagEnvMapping): FlagStateReading {
  if (options.forKill === true) return readFlagStateForKill(file.document, mapping)
  return { state: decodeFlagState(file.document, mapping), problems: [] }
}

function parseEnvFile(bytes: Buffer, path: string): LoadedEnvFile {
  const text = bytes.toString('utf8')
  // Decoding invalid UTF-8 would silently replace bytes, and a write would then change lines it never meant to.
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    throw new RampartError(
      'bad_input',
      `env file ${path} line ${firstLineNotUtf8(bytes)} is not valid UTF-8; save the file as UTF-8 and retry`,
      { file: path, line: firstLineNotUtf8(bytes) }
    )
  }
  return { document: EnvFileDocument.parse(text, path), revision: revisionOf(bytes) }
}

function firstLineNotUtf8(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let start = 0
  for (let line = 1; ; line += 1) {
    const newline = bytes.indexOf(0x0a, start)
    const end = newline === -1 ? bytes.length : newline
    try {
      decoder.decode(bytes.subarray(start, end))
    } catch {
      return line
    }
    if (newline === -1) return line
    start = newline + 1
  }
}

function revisionOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Only the variables whose decoded value differs, so an equivalent spelling (`1`, `a, b`) stays as written. */
function changedVariables(
  document: EnvFileDocument,
  mapping: FlagEnvMapping,
  patch: FlagPatch,
  encoded: Record<string, string>
): Record<string, string> {
  const { state: current, problems } = readFlagState(document, mapping)
  // An unreadable value is always rewritten when patched: its default in `current` says nothing.
  const unreadable = new Set(problems.map((problem) => problem.variable))
  const changes: Record<string, string> = {}
  for (const field of FLAG_STATE_FIELDS) {
    const wanted = patch[field]
    if (wanted === undefined) continue
    const variable = mapping[field]
    if (!unreadable.has(variable) && sameFieldValue(current[field], wanted)) continue
    changes[variable] = encoded[variable]!
  }
  return changes
}

function sameFieldValue(current: FlagState[keyof FlagState], wanted: FlagState[keyof FlagState]): boolean {
  if (Array.isArray(current) && Array.isArray(wanted)) {
    return current.length === wanted.length && current.every((user, index) => user === wanted[index])
  }
  return (current === '' ? null : current) === (wanted === '' ? null : wanted)
}

function rejectBadMapping(flag: string, mapping: FlagEnvMapping, path: string): void {
  const seen = new Map<string, string>()
  for (const field of FLAG_STATE_FIELDS) {
    const variable = mapping[field]
    if (typeof variable !== 'string' || !VARIABLE_NAME.test(variable)) {
      throw new RampartError(
        'bad_input',
        `flag "${flag}" in env file ${path}: ${field} maps to ${JSON.stringify(variable)}, which is not a variable name`
      )
    }
    const other = seen.get(variable)
    if (other !== undefined) {
      throw new RampartError(
        'bad_input',
        `flag "${flag}" in env file ${path}: ${other} and ${field} both map to ${variable}; ` +
          'each field needs its own variable'
      )
    }
    seen.set(variable, field)
  }
}

/** Makes the rename durable. Some platforms cannot open or fsync a folder; the data itself is already synced. */
async function syncDirectory(fs: EnvFileSystem, directory: string): Promise<void> {
  let handle: nodeFileSystem.FileHandle | undefined
  try {
    handle = await fs.open(directory, 'r')
    await handle.sync()
  } catch {
    // Nothing to undo: the new file is in place either way.
  } finally {
    await handle?.close().catch(() => undefined)
  }
}
