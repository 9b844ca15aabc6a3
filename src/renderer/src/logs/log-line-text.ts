import type { LogLine } from '@shared/log-line'
import { readableLogLine, readableText, type ReadableLogLine } from './readable-log-line'

/** As written (`plain`), or each JSON line read out into its fields (`json`). */
export type LogViewMode = 'plain' | 'json'

// Palette colours only: xterm draws them with classes, while 24-bit colours become inline
// style attributes, which the console's Content-Security-Policy refuses.
const DIM = '\x1b[2m'
const BOLD = '\x1b[1m'
const RED = '\x1b[31m'
const YELLOW = '\x1b[33m'
const CYAN = '\x1b[36m'
const RESET = '\x1b[0m'

// C0 controls (tab aside), DEL and C1 controls: a container's output is data, not terminal
// commands, so it can neither move the cursor, clear the screen nor recolour our own marks.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g // eslint-disable-line no-control-regex

/**
 * A batch of log lines as one terminal write, one line per row. Plain: the timestamp dimmed,
 * stderr in red. JSON: time, level and message first, the other fields after, coloured by how
 * severe the line is. Rampart's own notices (the engine's stream lost, then back) in yellow after
 * a "rampart:" mark, in both modes. Control characters are shown as symbols (ESC as ␛) instead of
 * being obeyed.
 */
export function logBatchText(lines: readonly LogLine[], mode: LogViewMode = 'plain'): string {
  let text = ''
  for (const line of lines) {
    text += `${mode === 'json' && line.stream !== 'rampart' ? jsonRow(readableLogLine(line)) : plainRow(line)}\r\n`
  }
  return text
}

/** What is shown, as a text file: the same rows without colours, one per line. */
export function logFileText(lines: readonly LogLine[], mode: LogViewMode): string {
  let text = ''
  for (const line of lines) {
    const row = mode === 'json' && line.stream !== 'rampart' ? readableText(readableLogLine(line)) : plainFileRow(line)
    text += `${visibleText(row)}\n`
  }
  return text
}

function plainRow(line: LogLine): string {
  const stamp = line.timestamp === null ? '' : `${DIM}${timestampText(line.timestamp)}${RESET} `
  const body = visibleText(line.text)
  if (line.stream === 'rampart') return `${stamp}${YELLOW}rampart: ${body}${RESET}`
  return line.stream === 'stderr' ? `${stamp}${RED}${body}${RESET}` : `${stamp}${body}`
}

function plainFileRow(line: LogLine): string {
  const text = line.stream === 'rampart' ? `rampart: ${line.text}` : line.text
  return line.timestamp === null ? text : `${timestampText(line.timestamp)} ${text}`
}

function jsonRow(line: ReadableLogLine): string {
  const colour = line.severity === 'error' ? RED : line.severity === 'warning' ? YELLOW : ''
  const time = line.time === null ? '' : `${DIM}${line.time}${RESET} `
  if (!line.json) return `${time}${colour}${visibleText(line.text)}${colour === '' ? '' : RESET}`
  const level = `${BOLD}${colour === '' ? CYAN : colour}${visibleText((line.level ?? '').padEnd(13))}${RESET}`
  const message = line.message === null ? '' : `  ${colour}${visibleText(line.message)}${colour === '' ? '' : RESET}`
  const fields = line.fields.map(([key, value]) => `${DIM}${visibleText(key)}=${RESET}${visibleText(value)}`).join(' ')
  return `${time}${level}${message}${fields === '' ? '' : `  ${fields}`}`
}

/** Docker's nanosecond RFC 3339 timestamp cut to milliseconds: the rest only widens every row. */
function timestampText(timestamp: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(timestamp)
  if (match === null) return timestamp
  const [, seconds, fraction = '', zone] = match
  const millis = fraction === '' ? '.000' : fraction.slice(0, 4).padEnd(4, '0')
  return `${seconds}${millis}${zone}`
}

/** The text with every control character replaced by a visible stand-in. */
function visibleText(text: string): string {
  return text.replace(CONTROL, (char) => {
    const code = char.charCodeAt(0)
    if (code < 0x20) return String.fromCharCode(0x2400 + code)
    if (code === 0x7f) return '\u2421'
    return '\ufffd'
  })
}
