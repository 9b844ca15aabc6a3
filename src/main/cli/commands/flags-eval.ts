import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { FlagStateSchema, type FlagState } from '@shared/flag-state'
import { RampartError } from '@shared/errors'
import { compileFlag, type FlagRules } from '@main/flags/core/flag-evaluation'
import { readJsonFile } from '@main/platform/json-file'
import { LineWriter } from '../cli-io'
import { formatEvaluationLine } from '../evaluation-line'
import type { CliCommand } from '../cli-command'
import { flag, optionalInstant, optionalString, requiredString, stringList } from '../cli-values'
import { UsageError } from '../usage-error'

export const flagsEvalCommand: CliCommand = {
  words: ['flags', 'eval'],
  summary: 'Evaluate a flag for users, exactly as the service would',
  usage:
    'rampart flags eval --flag F [--flag-config FILE.json] (--user U ... | --users-file FILE) ' +
    '[--at ISO8601] [--json]\n' +
    '  Without --flag-config the state is read from the workspace environment (--env).',
  options: {
    flag: { type: 'string' },
    'flag-config': { type: 'string' },
    user: { type: 'string', multiple: true },
    'users-file': { type: 'string' },
    at: { type: 'string' }
  },
  async run({ values }, io, runtime) {
    const flagName = requiredString(values, 'flag')
    const users = readUsers(stringList(values, 'user'), optionalString(values, 'users-file'), io.cwd)
    const atEpochMs = optionalInstant(values, 'at') ?? runtime.now().getTime()
    const configPath = optionalString(values, 'flag-config')
    let state: FlagState
    let rules: FlagRules = 'rampart'
    if (configPath !== undefined) {
      state = readJsonFile(resolve(io.cwd, configPath), FlagStateSchema, 'flag config')
    } else {
      const flags = await runtime.flags()
      state = await flags.readState(optionalString(values, 'env'), flagName)
      // A flag in Unleash is evaluated as Unleash's SDKs evaluate it.
      rules = flags.rulesOf(optionalString(values, 'env'))
    }

    const evaluate = compileFlag(flagName, state, rules)
    const out = new LineWriter(io.stdout)
    const json = flag(values, 'json')
    const flagJson = JSON.stringify(flagName)
    for (const user of users) {
      const result = evaluate(user, atEpochMs)
      if (json) {
        await out.line(formatEvaluationLine(flagJson, user, result))
      } else {
        await out.line(`${user}\t${result.enabled ? 'on ' : 'off'}\t${result.reason}\tbucket ${result.bucket ?? '-'}`)
      }
    }
    await out.flush()
  }
}

/** `--user` values, or one user per line of `--users-file` (blank lines skipped, CRLF accepted). */
function readUsers(fromOptions: string[], usersFile: string | undefined, cwd: string): string[] {
  if (fromOptions.length > 0 && usersFile !== undefined) {
    throw new UsageError('give either --user or --users-file, not both')
  }
  if (usersFile !== undefined) {
    const path = resolve(cwd, usersFile)
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const why =
        code === 'ENOENT'
          ? 'does not exist'
          : code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${(error as Error).message})`
      throw new RampartError('bad_input', `users file ${path} ${why}`)
    }
    return text
      .split('\n')
      .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
      .filter((line) => line !== '')
  }
  if (fromOptions.length === 0) throw new UsageError('give at least one --user, or --users-file')
  return fromOptions
}
