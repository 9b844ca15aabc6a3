import type { FlagState } from '@shared/flag-state'
import type { FlagRules } from './core/flag-evaluation'
import type { FlagVariableProblem } from './core/flag-env-mapping'

/** The fields of a flag's state that a write may change. */
export type FlagPatch = Partial<FlagState>

/** What a source read: the state, and a revision that changes whenever the underlying data changes. */
export interface FlagSnapshot {
  flag: string
  state: FlagState
  /** Opaque; pass it back to `write` so a change made elsewhere in between is refused. */
  revision: string
  /** Which fields this source can set (the HTTP API cannot set every field). */
  writable: Record<keyof FlagState, boolean>
  /** Where the state came from, for messages: a file path or a URL. */
  origin: string
  /** Values a kill read could not decode (their fields are at their defaults in `state`); only from reads `forKill`. */
  unreadable?: FlagVariableProblem[]
}

export interface FlagAccessOptions {
  /**
   * For the kill, which writes only `enabled`: a bad value in another field is reported in
   * `unreadable` instead of refusing, and an unreadable `enabled` counts as enabled. Sources
   * whose values cannot be malformed (the HTTP API) read as usual.
   */
  forKill?: boolean
}

/** One place a flag's state lives: an env file, the service's flag API or an Unleash server. */
export interface FlagSource {
  readonly kind: 'env-file' | 'http' | 'unleash'
  /** Whose evaluation rules the service reading this source follows (core/flag-evaluation.ts). */
  readonly rules: FlagRules
  /** Flags this source knows about, in a stable order. */
  listFlags(): Promise<string[]>
  read(flag: string, options?: FlagAccessOptions): Promise<FlagSnapshot>
  /** Refuses with a `conflict` RampartError when the data changed since `expectedRevision`. */
  write(flag: string, patch: FlagPatch, expectedRevision: string, options?: FlagAccessOptions): Promise<FlagSnapshot>
}
