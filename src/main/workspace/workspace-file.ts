import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml'
import { RampartError } from '@shared/errors'
import { DEFAULT_WORKSPACE_CONFIG, WorkspaceSchema, toWorkspace, type Workspace } from './core/workspace-schema'

export const WORKSPACE_FILE_NAME = 'rampart.config.yaml'

export interface WorkspaceLocation {
  /** `--workspace` from the command line, if given. */
  explicitPath?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
}

/** `--workspace`, then `RAMPART_WORKSPACE`, then `./rampart.config.yaml`, then the built-in default. */
export function findWorkspaceFile(location: WorkspaceLocation = {}): string | null {
  const cwd = location.cwd ?? process.cwd()
  const env = location.env ?? process.env
  const explicit = location.explicitPath !== undefined && location.explicitPath !== ''
  const named = explicit ? location.explicitPath : env.RAMPART_WORKSPACE
  if (named !== undefined && named !== '') {
    const path = resolve(cwd, named)
    // A forgotten RAMPART_WORKSPACE in a shell profile is hard to spot, so say where the name came from.
    const origin = explicit ? '--workspace' : 'RAMPART_WORKSPACE'
    if (!existsSync(path))
      throw new RampartError('bad_input', `Workspace file ${path} (named by ${origin}) does not exist`)
    return path
  }
  const local = resolve(cwd, WORKSPACE_FILE_NAME)
  return existsSync(local) ? local : null
}

export function loadWorkspace(location: WorkspaceLocation = {}): Workspace {
  const cwd = location.cwd ?? process.cwd()
  const file = findWorkspaceFile(location)
  if (file === null) return toWorkspace(DEFAULT_WORKSPACE_CONFIG, null, cwd)
  return parseWorkspaceText(readWorkspaceFile(file), file)
}

function readWorkspaceFile(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // Node's own messages for these do not always name the file.
    if (code === 'EISDIR') throw new RampartError('bad_input', `Workspace file ${file} is a directory, not a file`)
    if (code === 'ENOENT') throw new RampartError('bad_input', `Workspace file ${file} does not exist`)
    throw new RampartError('failed', `Cannot read workspace file ${file}: ${(error as Error).message}`)
  }
}

/** Parses and validates a workspace; every error names the file, the line and the field. */
export function parseWorkspaceText(text: string, file: string): Workspace {
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const syntaxError = document.errors[0]
  if (syntaxError !== undefined) {
    const line = lineCounter.linePos(syntaxError.pos[0]).line
    throw new RampartError('bad_input', `${file} line ${line}: ${firstLine(syntaxError.message)}`)
  }
  const parsed = WorkspaceSchema.safeParse(toPlainValue(document, file) ?? {})
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => {
      const path = issue.path as Array<string | number>
      // zod reports unknown keys on their parent object; the operator needs the key's own line and name.
      const located =
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ path: [...path, key], message: `unknown key "${key}"` }))
          : issue.code === 'invalid_key'
            ? [{ path, message: `invalid name: ${issue.issues.map((inner) => inner.message).join('; ')}` }]
            : [{ path, message: issue.message }]
      return located.map(({ path: fieldPath, message }) => {
        const field = fieldPath.map(String).join('.')
        const line = lineOf(document, lineCounter, fieldPath)
        return { line, text: `${file} line ${line}: ${field === '' ? '(top level)' : field}: ${message}` }
      })
    })
    // In file order, so the operator can walk down the file fixing them.
    problems.sort((a, b) => a.line - b.line)
    throw new RampartError('bad_input', problems.map((problem) => problem.text).join('\n'), {
      issues: parsed.error.issues
    })
  }
  return toWorkspace(parsed.data, file, dirname(file))
}

/** Aliases expand when the document becomes plain data; a few lines can expand to billions of values. */
const MAX_ALIAS_COUNT = 100

function toPlainValue(document: Document, file: string): unknown {
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (error) {
    // yaml refuses an alias bomb ("Excessive alias count…") and a few other shapes here, after parsing.
    throw new RampartError(
      'bad_input',
      `${file}: ${firstLine(error instanceof Error ? error.message : String(error))} ` +
        `(at most ${MAX_ALIAS_COUNT} alias expansions are allowed)`
    )
  }
}

/**
 * The line of the deepest key (or list item) on `path` that exists in the document: a field's own
 * line even when its value is a nested block starting below it; the first line when nothing matches.
 */
function lineOf(document: Document, lineCounter: LineCounter, path: Array<string | number>): number {
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line
  let node: unknown = document.contents
  let line = isNode(node) && node.range ? lineAt(node.range[0]) : 1
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(segment)
      )
      if (pair === undefined) break
      if (isNode(pair.key) && pair.key.range) line = lineAt(pair.key.range[0])
      node = pair.value
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment]
      if (item === undefined) break
      if (isNode(item) && item.range) line = lineAt(item.range[0])
      node = item
    } else {
      break
    }
  }
  return line
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message
}
