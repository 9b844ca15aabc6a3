import type { ParseArgsConfig } from 'node:util'
import type { CliIo } from './cli-io'
import type { CliRuntime } from './cli-runtime'

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>

/** One `rampart` command: its words, options, and what it does. */
export interface CliCommand {
  /** e.g. ['flags', 'eval'] */
  words: string[]
  summary: string
  usage: string
  options: OptionSpecs
  positionals?: boolean
  run(args: { values: OptionValues; positionals: string[] }, io: CliIo, runtime: CliRuntime): Promise<void>
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  json: { type: 'boolean', default: false },
  workspace: { type: 'string' },
  env: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false }
}
