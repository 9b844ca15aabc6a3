import { useRef, useState } from 'react'
import type { LogLine } from '@shared/log-line'
import { downloadText } from '@renderer/contract/download-text'
import { LineBuffer } from './line-buffer'
import { lagMs } from './log-lag'
import { logBatchText, logFileText, type LogViewMode } from './log-line-text'
import type { LogTerminal } from './useLogTerminal'

/** Lines kept for the JSON switch and the download: about what the terminal's scrollback holds. */
const SHOWN_LINES = 10_000
/** Lines kept while paused; past this the oldest waiting ones are dropped, and the page says how many. */
export const WAITING_LINES = 50_000

export interface LogViewCounts {
  /** Every line received since Follow, shown or waiting. */
  received: number
  waiting: number
  /** Waiting lines pushed out of the bounded buffer while paused. */
  dropped: number
  shown: number
}

export interface LogView {
  /** For the stream: writes the batch, or keeps it while paused (the stream goes on either way). */
  receive: (lines: LogLine[]) => Promise<void>
  paused: boolean
  pause: () => void
  /** Shows the waiting lines, then new ones as they come. */
  resume: () => void
  mode: LogViewMode
  setMode: (mode: LogViewMode) => void
  counts: LogViewCounts
  /** How long ago the newest line shown was written (null: not known, or nothing shown yet). */
  lagMs: number | null
  /** Empties the terminal and both buffers (a new Follow). */
  reset: () => void
  /** Saves the lines shown, as shown (no colours), as a file named after the container. */
  download: (container: string) => void
}

/**
 * What the Logs page shows of a stream: the lines in the terminal (as written, or read out as
 * JSON), and while paused the lines that keep arriving, bounded, until Resume.
 */
export function useLogView(terminal: Pick<LogTerminal, 'write' | 'clear'>): LogView {
  const shown = useRef(new LineBuffer<LogLine>(SHOWN_LINES))
  const waiting = useRef(new LineBuffer<LogLine>(WAITING_LINES))
  // Read by the stream's handler between renders: refs, kept in step with the state below.
  const pausedRef = useRef(false)
  const modeRef = useRef<LogViewMode>('plain')
  const [paused, setPaused] = useState(false)
  const [mode, setModeState] = useState<LogViewMode>('plain')
  const [counts, setCounts] = useState<LogViewCounts>({ received: 0, waiting: 0, dropped: 0, shown: 0 })
  const [lag, setLag] = useState<number | null>(null)

  const count = (received: number) =>
    setCounts((previous) => ({
      received: previous.received + received,
      waiting: waiting.current.size,
      dropped: waiting.current.dropped,
      shown: shown.current.size
    }))

  const receive = async (lines: LogLine[]) => {
    if (pausedRef.current) {
      waiting.current.push(lines)
      count(lines.length)
      return
    }
    shown.current.push(lines)
    count(lines.length)
    // One write per batch; the next batch is asked for once xterm has taken this one.
    await terminal.write(logBatchText(lines, modeRef.current))
    // Measured once on screen: what the page is behind by is what the operator sees late.
    setLag(lagMs(lines.at(-1)?.timestamp ?? null, Date.now()))
  }

  const pause = () => {
    pausedRef.current = true
    setPaused(true)
  }

  const resume = () => {
    const lines = waiting.current.take()
    pausedRef.current = false
    setPaused(false)
    shown.current.push(lines)
    // Written now, before any batch that arrives after: the order of the log is kept.
    void terminal.write(logBatchText(lines, modeRef.current))
    count(0)
  }

  const setMode = (next: LogViewMode) => {
    if (next === modeRef.current) return
    modeRef.current = next
    setModeState(next)
    terminal.clear()
    void terminal.write(logBatchText(shown.current.all(), next))
  }

  const reset = () => {
    shown.current.take()
    waiting.current.take()
    pausedRef.current = false
    setPaused(false)
    terminal.clear()
    setCounts({ received: 0, waiting: 0, dropped: 0, shown: 0 })
    setLag(null)
  }

  const download = (container: string) => {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    const suffix = modeRef.current === 'json' ? '-readable' : ''
    downloadText(`${container}-${stamp}${suffix}.log`, logFileText(shown.current.all(), modeRef.current), 'text/plain')
  }

  return { receive, paused, pause, resume, mode, setMode, counts, lagMs: lag, reset, download }
}
