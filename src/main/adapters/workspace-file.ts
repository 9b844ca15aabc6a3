import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { isNode, LineCounter, parseDocument, type Document } from 'yaml'
import { RampartError } from '../../shared/errors'
import {
  DEFAULT_WORKSPACE_CONFIG,
  WorkspaceSchema,
  toWorkspace,
  type Workspace
} from '../core/workspace-schema'

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
  const named = location.explicitPath ?? env.RAMPART_WORKSPACE
  if (named !== undefined && named !== '') {
    const path = resolve(cwd, named)
    if (!existsSync(path)) throw new RampartError('bad_input', `Workspace file ${path} does not exist`)
    return path
  }
  const local = resolve(cwd, WORKSPACE_FILE_NAME)
  return existsSync(local) ? local : null
}

export function loadWorkspace(location: WorkspaceLocation = {}): Workspace {
  const cwd = location.cwd ?? process.cwd()
  const file = findWorkspaceFile(location)
  if (file === null) return toWorkspace(DEFAULT_WORKSPACE_CONFIG, null, cwd)
  return parseWorkspaceText(readFileSync(file, 'utf8'), file)
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
  const parsed = WorkspaceSchema.safeParse(document.toJS() ?? {})
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.')
      const line = lineOf(document, lineCounter, issue.path as Array<string | number>)
      return `${file} line ${line}: ${field === '' ? '(top level)' : field}: ${issue.message}`
    })
    throw new RampartError('bad_input', problems.join('\n'), { issues: parsed.error.issues })
  }
  return toWorkspace(parsed.data, file, dirname(file))
}

/** The line of the deepest node on `path` that exists in the document (1 when none does). */
function lineOf(document: Document, lineCounter: LineCounter, path: Array<string | number>): number {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true)
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line
  }
  return 1
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message
}
