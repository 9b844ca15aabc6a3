import type { LogLine } from '@shared/log-line'

// Palette colours only: xterm draws them with classes, while 24-bit colours become inline
// style attributes, which the console's Content-Security-Policy refuses.
const DIM = '\x1b[2m'
const RED = '\x1b[31m'
const YELLOW = '\x1b[33m'
const RESET = '\x1b[0m'

// C0 controls (tab aside), DEL and C1 controls: a container's output is data, not terminal
// commands, so it can neither move the cursor, clear the screen nor recolour our own marks.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g // eslint-disable-line no-control-regex

/**
 * A batch of log lines as one terminal write: the timestamp dimmed, stderr in red, Rampart's own
 * notices (the engine's stream lost, then back) in yellow after a "rampart:" mark, one line per
 * row. Control characters are shown as symbols (ESC as ␛) instead of being obeyed.
 */
export function logBatchText(lines: readonly LogLine[]): string {
  let text = ''
  for (const line of lines) {
    const stamp = line.timestamp === null ? '' : `${DIM}${timestampText(line.timestamp)}${RESET} `
    const body = visibleText(line.text)
    if (line.stream === 'rampart') text += `${stamp}${YELLOW}rampart: ${body}${RESET}\r\n`
    else text += line.stream === 'stderr' ? `${stamp}${RED}${body}${RESET}\r\n` : `${stamp}${body}\r\n`
  }
  return text
}

/** Docker's nanosecond RFC 3339 timestamp cut to milliseconds: the rest only widens every row. */
function timestampText(timestamp: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(timestamp)
  if (match === null) return timestamp
  const [, seconds, fraction = '', zone] = match
  const millis = fraction === '' ? '.000' : fraction.slice(0, 4).padEnd(4, '0')
  return `${seconds}${millis}${zone}`
}

/** The line with every control character replaced by a visible stand-in. */
function visibleText(text: string): string {
  return text.replace(CONTROL, (char) => {
    const code = char.charCodeAt(0)
    if (code < 0x20) return String.fromCharCode(0x2400 + code)
    if (code === 0x7f) return '\u2421'
    return '\ufffd'
  })
}
