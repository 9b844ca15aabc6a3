import type { SupervisionNotice, FlagWatchView, SupervisionSummary } from '@shared/supervision-types'
import { guardWindowRow, type GuardWindowRow } from './guard-window-row'

type ActionNotice = Extract<SupervisionNotice, { kind: 'action' }>['action']

/** An automatic action as a panel shows it: main's notice, and the trip that led to it. */
export interface GuardActionView {
  notice: ActionNotice
  /** When the notice reached the console (the action was done by then). */
  receivedAt: string
  /** The tripping window's reasons, as main decided them. */
  reasons: string[]
}

/** What the console knows of one flag's supervision since it opened. */
export interface FlagSupervision {
  /** Main's watch of the flag; null until main reports on it. */
  watch: FlagWatchView | null
  /** The latest windows, oldest first. */
  windows: GuardWindowRow[]
  /** Automatic actions since the console opened, newest first, until dismissed. */
  actions: GuardActionView[]
  /** Grows with every window and action: a panel reads its rollout status again when it changes. */
  changes: number
  /** The reasons of the latest trip, for the action notice main sends right after it. */
  lastTripReasons: string[]
}

export interface SupervisionState {
  flags: Readonly<Record<string, FlagSupervision>>
  summary: SupervisionSummary | null
}

// The chart shows a few minutes at short windows; everything is in the history file anyway.
const WINDOWS_KEPT = 30
const ACTIONS_KEPT = 5

export const EMPTY_SUPERVISION: SupervisionState = { flags: {}, summary: null }

const NOTHING_YET: FlagSupervision = { watch: null, windows: [], actions: [], changes: 0, lastTripReasons: [] }

function flagKey(environment: string, flag: string): string {
  return JSON.stringify([environment, flag])
}

export function flagSupervision(state: SupervisionState, environment: string, flag: string): FlagSupervision {
  return state.flags[flagKey(environment, flag)] ?? NOTHING_YET
}

/**
 * The state after a batch of notices, as main sent them. A snapshot (the first notice, and again
 * after a reconnection) replaces the watches and adds each flag's latest window; windows and
 * actions already seen are kept, so a reconnection does not empty the charts.
 */
export function applySupervision(
  state: SupervisionState,
  notices: readonly SupervisionNotice[],
  receivedAt: string
): SupervisionState {
  let flags = { ...state.flags }
  let summary = state.summary
  const change = (environment: string, flag: string, update: (current: FlagSupervision) => FlagSupervision) => {
    const key = flagKey(environment, flag)
    flags = { ...flags, [key]: update(flags[key] ?? NOTHING_YET) }
  }
  for (const notice of notices) {
    switch (notice.kind) {
      case 'snapshot':
        summary = notice.summary
        for (const watch of notice.watches) {
          change(watch.environment, watch.flag, (current) => {
            const withWatch = { ...current, watch }
            return watch.latestWindow === null ? withWatch : withWindow(withWatch, guardWindowRow(watch.latestWindow))
          })
        }
        break
      case 'watch':
        summary = notice.summary
        change(notice.watch.environment, notice.watch.flag, (current) => ({ ...current, watch: notice.watch }))
        break
      case 'window':
        change(notice.environment, notice.flag, (current) => withWindow(current, guardWindowRow(notice.window)))
        break
      case 'action':
        change(notice.environment, notice.flag, (current) => ({
          ...current,
          actions: [{ notice: notice.action, receivedAt, reasons: current.lastTripReasons }, ...current.actions].slice(
            0,
            ACTIONS_KEPT
          ),
          lastTripReasons: [],
          changes: current.changes + 1
        }))
        break
      case 'attention':
        break
    }
  }
  return { flags, summary }
}

export function withoutAction(
  state: SupervisionState,
  environment: string,
  flag: string,
  tripEventSeq: number
): SupervisionState {
  const key = flagKey(environment, flag)
  const current = state.flags[key]
  if (current === undefined) return state
  const actions = current.actions.filter((action) => action.notice.tripEventSeq !== tripEventSeq)
  return { ...state, flags: { ...state.flags, [key]: { ...current, actions } } }
}

function withWindow(current: FlagSupervision, row: GuardWindowRow): FlagSupervision {
  if (current.windows.some((window) => window.id === row.id)) return current
  const windows = [...current.windows, row]
    .sort((a, b) => Date.parse(a.windowStart) - Date.parse(b.windowStart))
    .slice(-WINDOWS_KEPT)
  return {
    ...current,
    windows,
    lastTripReasons: row.decision === 'trip' ? row.reasons : current.lastTripReasons,
    changes: current.changes + 1
  }
}
