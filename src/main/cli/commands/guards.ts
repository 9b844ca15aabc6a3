import { resolve } from 'node:path'
import { detailOf, type FlagStateUnreadableDetail } from '@shared/error-details'
import { RampartError } from '@shared/errors'
import { FlagStateSchema, type FlagState } from '@shared/flag-state'
import {
  GUARD_THRESHOLD_KEYS,
  GuardSettingsSchema,
  ResolvedGuardSettingsSchema,
  type GuardSettings
} from '@shared/schemas/guard-settings'
import { readJsonFile } from '@main/platform/json-file'
import { formatGuardSummaryLine, formatGuardWindowLine } from '@main/guards/core/guard-replay-format'
import { GuardReplayTally } from '@main/guards/core/guard-replay-summary'
import { parseLogSince } from '@main/docker/core/log-since'
import { replayGuardLog } from '@main/guards/guard-replay'
import type { GuardWindow } from '@main/guards/core/guard-engine'
import { recordReplay } from '@main/guards/replay-record'
import { fileSha256 } from '@main/platform/file-sha256'
import { LineWriter, type CliIo } from '../cli-io'
import type { CliCommand, OptionSpecs, OptionValues } from '../cli-command'
import type { CliRuntime } from '../cli-runtime'
import { flag, optionalInteger, optionalString, requiredString } from '../cli-values'
import { describeGuardVerdict, formatGuardWindowRow, GUARD_TABLE_HEADER } from '../guard-window-text'
import { UsageError } from '../usage-error'

/** One option per threshold, named after it: --window-seconds sets window_seconds. */
const THRESHOLD_OPTIONS = GUARD_THRESHOLD_KEYS.map((field) => ({
  field,
  option: field.replaceAll('_', '-'),
  value: ResolvedGuardSettingsSchema.shape[field].isInt ? 'N' : 'X'
}))

const SETTINGS_OPTIONS: OptionSpecs = {
  guards: { type: 'string' },
  ...Object.fromEntries(THRESHOLD_OPTIONS.map(({ option }) => [option, { type: 'string' }])),
  'lateness-seconds': { type: 'string' }
}

const DEFAULT_SETTINGS = GuardSettingsSchema.parse({})
const FILE_FIELDS = [...GUARD_THRESHOLD_KEYS, 'action']
const DEFAULT_VALUES = GUARD_THRESHOLD_KEYS.map((field) => DEFAULT_SETTINGS[field]).join(', ')

// The field list wraps after its fourth name.
const SETTINGS_USAGE = [
  `  --guards FILE.json   guard settings (${FILE_FIELDS.slice(0, 4).join(', ')},`,
  `                       ${FILE_FIELDS.slice(4).join(', ')}); ` +
    `fields not in the file take the defaults ${DEFAULT_VALUES}`,
  `  ${THRESHOLD_OPTIONS.map(({ option, value }) => `--${option} ${value}`).join(', ')}`,
  '                       override single settings',
  '  --lateness-seconds N how far behind the newest event a line may arrive and still count (default: one window)'
]

const guardsReplayCommand: CliCommand = {
  words: ['guards', 'replay'],
  summary: 'Run the guards over a saved log file, window by window',
  usage: [
    'rampart guards replay --log FILE.jsonl --flag F [--flag-config FILE.json] [--guards FILE.json] [--json]',
    '  --flag-config FILE.json  the flag state that attributes events without "flags" ' +
      "(default: the workspace's current state, read only when an event lacks them)",
    ...SETTINGS_USAGE,
    '  --json  one line per window {"window_start","treatment","control","decision","reasons"}, then',
    '          {"verdict","first_trip_window","windows","unparsed_lines"}',
    "  --record  store the windows in history as a review entry, with one event naming the log's SHA-256",
    '            and the settings (without it nothing is written)',
    'Exits 0 whatever the verdict; 2 for bad options or settings; 1 when the log cannot be read.'
  ].join('\n'),
  options: {
    log: { type: 'string' },
    flag: { type: 'string' },
    'flag-config': { type: 'string' },
    record: { type: 'boolean', default: false },
    ...SETTINGS_OPTIONS
  },
  async run({ values }, io, runtime) {
    const logPath = resolve(io.cwd, requiredString(values, 'log'))
    const flagName = requiredString(values, 'flag')
    const overrides = guardOverrides(values, io)
    const { lateness_seconds: latenessSeconds, ...settings } = { ...GuardSettingsSchema.parse({}), ...overrides }
    const configPath = optionalString(values, 'flag-config')
    // The workspace is read only when an event needs it: a log whose events all carry `flags` needs none.
    const flagState =
      configPath === undefined
        ? (): Promise<FlagState> => workspaceFlagState(values, runtime, flagName)
        : readJsonFile(resolve(io.cwd, configPath), FlagStateSchema, 'flag config')
    const json = flag(values, 'json')
    const out = new LineWriter(io.stdout)
    if (!json) await out.line(GUARD_TABLE_HEADER)
    const record = flag(values, 'record')
    const replayed: GuardWindow[] = []
    const report = await replayGuardLog(
      { logPath, flag: flagName, flagState, settings, latenessSeconds },
      async (windows) => {
        if (record) replayed.push(...windows)
        for (const window of windows)
          await out.line(json ? formatGuardWindowLine(window) : formatGuardWindowRow(window))
      }
    )
    if (json) {
      await out.line(formatGuardSummaryLine(report.summary))
    } else {
      for (const line of describeGuardVerdict(report.summary, report.counts)) await out.line(line)
      if (report.firstUnparsed !== null)
        await out.line(`first unparsed: line ${report.firstUnparsed.line} of ${logPath}: ${report.firstUnparsed.why}`)
    }
    if (record) {
      const services = await runtime.services()
      const event = recordReplay(services.store, {
        flag: flagName,
        logPath,
        sha256: (await fileSha256(logPath, 'the log file')).sha256,
        settings: { ...settings, lateness_seconds: latenessSeconds ?? settings.window_seconds },
        windows: replayed,
        summary: report.summary,
        actor: services.workspace.describe().actor
      })
      if (!json)
        await out.line(`recorded as review entry #${event.seq} (${event.environment}) in ${services.store.path}`)
    }
    await out.flush()
  }
}

const guardsWatchCommand: CliCommand = {
  words: ['guards', 'watch'],
  summary: "Follow a container's log and decide guard windows live, storing each in history",
  usage: [
    'rampart guards watch CONTAINER --flag F [--env NAME] [--since T] [--flag-config FILE.json] [--guards FILE.json] ' +
      '[--windows N] [--json]',
    "  Settings default to the environment's guards; a trip is recorded as a guard_trip event.",
    '  --since T     also judge lines since T (ISO 8601, Unix seconds or 10m); default: from now on',
    '  --windows N   stop after N decided windows (default: until Ctrl-C or the container stops for good;',
    '                a restart, as after a rollout move, is followed)',
    ...SETTINGS_USAGE,
    '  --json  one line per window, as guards replay; a summary line when it stops'
  ].join('\n'),
  options: {
    flag: { type: 'string' },
    since: { type: 'string' },
    'flag-config': { type: 'string' },
    windows: { type: 'string' },
    ...SETTINGS_OPTIONS
  },
  positionals: true,
  async run({ values, positionals }, io, runtime) {
    const container = positionals[0]
    if (container === undefined)
      throw new UsageError(
        'guards watch needs a container name, e.g. "rampart guards watch ops-center-direct --flag unified_llm_hub"'
      )
    if (positionals.length > 1)
      throw new UsageError(`guards watch takes one container, got ${positionals.length}: ${positionals.join(' ')}`)
    const flagName = requiredString(values, 'flag')
    const maxWindows = optionalInteger(values, 'windows', 1, 1_000_000)
    const since = optionalString(values, 'since')
    if (since !== undefined) parseLogSince(since, runtime.now())
    const overrides = guardOverrides(values, io)
    const configPath = optionalString(values, 'flag-config')
    const fixedState =
      configPath === undefined ? undefined : readJsonFile(resolve(io.cwd, configPath), FlagStateSchema, 'flag config')
    const { services } = await runtime.appContext()
    const json = flag(values, 'json')
    const out = new LineWriter(io.stdout)
    const tally = new GuardReplayTally()
    let decided = 0
    const stop = new AbortController()
    const onSignal = (): void => stop.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    io.stdout.on('error', onSignal)
    try {
      const watch = await withFlagConfigHint(
        services.guards.prepare(
          {
            environment: optionalString(values, 'env'),
            flag: flagName,
            container,
            since,
            overrides,
            ...(fixedState === undefined ? {} : { flagState: fixedState })
          },
          {
            onWindow: async (window) => {
              tally.add(window)
              await out.line(json ? formatGuardWindowLine(window) : formatGuardWindowRow(window))
              await out.flush()
              decided += 1
              if (maxWindows !== undefined && decided >= maxWindows) stop.abort()
            },
            onTrip: async (trip) => {
              if (!json)
                await out.line(
                  `guard trip recorded as history event #${trip.event.seq}; ` +
                    `the environment's action is "${trip.action}" ` +
                    '(not taken by guards watch; rampart rollout watch takes it)'
                )
            },
            onRefollow: (notice) => {
              if (!json)
                io.stderr.write(
                  `${notice.container} restarted (started ${notice.startedAt}); following its log again\n`
                )
            }
          }
        )
      )
      const { settings, environment } = watch.plan
      if (!json) {
        await out.line(
          `watching ${watch.plan.origin} [${environment}] for flag ${flagName}: ` +
            `${settings.window_seconds} s windows, decided ${settings.lateness_seconds} s after they end`
        )
        await out.line(GUARD_TABLE_HEADER)
        await out.flush()
      }
      const report = await watch.run(stop.signal)
      const summary = tally.summary(report.counts.unparsed)
      if (json) await out.line(formatGuardSummaryLine(summary))
      else for (const line of describeGuardVerdict(summary, report.counts)) await out.line(line)
      await out.flush()
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      io.stdout.off('error', onSignal)
    }
  }
}

export const guardsCommands: CliCommand[] = [guardsReplayCommand, guardsWatchCommand]

/** The workspace's current state of the flag, for events without `flags` when no --flag-config is given. */
async function workspaceFlagState(values: OptionValues, runtime: CliRuntime, flagName: string): Promise<FlagState> {
  try {
    return await (await runtime.flags()).readState(optionalString(values, 'env'), flagName)
  } catch (error) {
    if (!(error instanceof RampartError)) throw error
    throw new RampartError(
      error.code,
      `reading flag ${flagName} from the workspace, to attribute events that carry no "flags" ` +
        `(or give --flag-config FILE.json): ${error.message}`,
      error.detail
    )
  }
}

/**
 * The --guards file (a full set of settings: fields it lacks take the design's defaults, not the
 * environment's), then the single options on top. Applied over the defaults (replay) or the
 * environment's guards (watch).
 */
function guardOverrides(values: OptionValues, io: CliIo): Partial<GuardSettings> {
  const file = optionalString(values, 'guards')
  const merged: Record<string, unknown> =
    file === undefined ? {} : { ...readJsonFile(resolve(io.cwd, file), GuardSettingsSchema, 'guard settings') }
  for (const { option, field } of THRESHOLD_OPTIONS) {
    const text = optionalString(values, option)
    if (text === undefined) continue
    const number = Number(text)
    if (text.trim() === '' || !Number.isFinite(number)) throw new UsageError(`--${option} ${text} is not a number`)
    const checked = GuardSettingsSchema.shape[field].safeParse(number)
    if (!checked.success)
      throw new UsageError(`--${option} ${text}: ${checked.error.issues.map((issue) => issue.message).join('; ')}`)
    merged[field] = checked.data
  }
  const lateness = optionalInteger(values, 'lateness-seconds', 0, 86_400)
  if (lateness !== undefined) merged.lateness_seconds = lateness
  return merged as Partial<GuardSettings>
}

/** A flag state the watch could not read from the workspace: say how to give one. */
async function withFlagConfigHint<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending
  } catch (error) {
    const unreadable =
      error instanceof RampartError && detailOf<FlagStateUnreadableDetail>(error)?.flagStateUnreadable === true
    if (!unreadable) throw error
    throw new RampartError(error.code, `${error.message} (or give --flag-config FILE.json)`, error.detail)
  }
}
