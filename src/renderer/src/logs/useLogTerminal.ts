import { useCallback, useRef, useState, type RefCallback } from 'react'
import { SearchAddon } from '@xterm/addon-search'
import { Terminal } from '@xterm/xterm'
import '@xterm/xterm/css/xterm.css'
import { fitTerminalToHost } from './fit-terminal'
import { LineBuffer } from './line-buffer'
import { openTerminal } from './open-terminal'
import { coverSelection } from './selection-cover'
import { lineWidths, rowsFor, terminalChunks } from './terminal-chunks'

/** Lines the terminal keeps: enough to scroll back through a burst, bounded so memory is. */
export const LOG_SCROLLBACK_LINES = 10_000
/**
 * xterm's scrollback counts rows, and a long line wraps onto several: the scrollback grows with
 * the rows the last LOG_SCROLLBACK_LINES lines take at the terminal's width, up to this bound.
 */
const MAX_SCROLLBACK_ROWS = 100_000
/** xterm parses one write whole: batches are written in pieces of about this many characters. */
const WRITE_CHUNK_CHARS = 2_048

// Full reset (scrollback included), then hide the cursor: nobody types into a log.
const RESET_SCREEN = '\x1bc\x1b[?25l'

// Matches are marked in the overview ruler (#RRGGBB, drawn on a canvas) and outlined; their
// backgrounds come from logs.css. A decoration's own background colour would reach the DOM
// renderer as a style attribute, which the console's Content-Security-Policy refuses.
const SEARCH_DECORATIONS = {
  matchOverviewRuler: '#f0b43c',
  matchBorder: '#f0b43c',
  activeMatchBorder: '#3ecf7a',
  activeMatchColorOverviewRuler: '#3ecf7a'
}
/** Past this many matches the addon stops highlighting and counting exactly. */
export const SEARCH_HIGHLIGHT_LIMIT = 1000

/** Where a search stands: which match is selected (1-based; 0 when none) among how many. */
export interface SearchResults {
  term: string
  index: number
  count: number
  /** More matches than the addon highlights: the count is a lower bound and no index is known. */
  overLimit: boolean
}

export interface LogTerminal {
  /** For the element the terminal fills; the terminal lives as long as that element. */
  hostRef: RefCallback<HTMLDivElement>
  /** Resolves once xterm has taken the text in, so a stream's next batch can wait for it. */
  write: (text: string) => Promise<void>
  /** Empties the screen and the scrollback, after whatever was written before. */
  clear: () => void
  /** Finds the next (or previous) match of `term`, case aside; an empty term clears the search. */
  find: (term: string, direction: 'next' | 'previous') => void
  results: SearchResults | null
}

/** A read-only xterm.js terminal for log output, searchable with @xterm/addon-search. */
export function useLogTerminal(): LogTerminal {
  const terminalRef = useRef<Terminal | null>(null)
  const searchRef = useRef<SearchAddon | null>(null)
  const termRef = useRef('')
  // The width of each line the terminal holds, newest last, to size the scrollback in lines.
  const widthsRef = useRef(new LineBuffer<number>(LOG_SCROLLBACK_LINES))
  const [results, setResults] = useState<SearchResults | null>(null)

  const hostRef = useCallback<RefCallback<HTMLDivElement>>((host) => {
    if (host === null) return
    const terminal = new Terminal({
      scrollback: LOG_SCROLLBACK_LINES,
      disableStdin: true,
      cursorBlink: false,
      cursorInactiveStyle: 'none',
      // Bold stays in the palette colour asked for (an ERROR red, not xterm's bright red).
      drawBoldTextInBrightColors: false,
      // The search addon highlights matches with decorations, a proposed API.
      allowProposedApi: true,
      fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', monospace",
      fontSize: 13,
      theme: {
        background: '#0b0e12',
        foreground: '#e6e9ed',
        red: '#ff7b7f',
        yellow: '#f0c674',
        cyan: '#7fd4e6',
        selectionBackground: '#2f4a66'
      }
    })
    const search = new SearchAddon({ highlightLimit: SEARCH_HIGHLIGHT_LIMIT })
    terminal.loadAddon(search)
    const closeStyles = openTerminal(terminal, host)
    const stopFitting = fitTerminalToHost(terminal, host)
    const selectionCover = coverSelection(terminal)
    // Matches are counted again as lines arrive (the addon re-searches after each write).
    const listener = search.onDidChangeResults(({ resultIndex, resultCount }) =>
      setResults({
        term: termRef.current,
        index: resultIndex + 1,
        count: resultCount,
        overLimit: resultIndex === -1 && resultCount >= SEARCH_HIGHLIGHT_LIMIT
      })
    )
    terminal.write(RESET_SCREEN)
    terminalRef.current = terminal
    searchRef.current = search
    return () => {
      terminalRef.current = null
      searchRef.current = null
      listener.dispose()
      selectionCover.dispose()
      stopFitting()
      terminal.dispose()
      closeStyles()
    }
  }, [])

  const write = useCallback((text: string) => {
    const terminal = terminalRef.current
    if (terminal === null || text === '') return Promise.resolve()
    widthsRef.current.push(lineWidths(text))
    const rows = rowsFor(widthsRef.current.all(), terminal.cols) - terminal.rows
    if (rows > (terminal.options.scrollback ?? LOG_SCROLLBACK_LINES)) {
      // In steps, so that xterm resizes its buffer now and then, not on every batch.
      terminal.options.scrollback = Math.min(MAX_SCROLLBACK_ROWS, Math.ceil((rows * 1.25) / 1000) * 1000)
    }
    const chunks = terminalChunks(text, WRITE_CHUNK_CHARS)
    return new Promise<void>((resolve) =>
      chunks.forEach((chunk, index) => terminal.write(chunk, index === chunks.length - 1 ? resolve : undefined))
    )
  }, [])

  const clear = useCallback(() => {
    widthsRef.current.take()
    // The selection goes with the text it selected (a reset leaves it behind, uncovered).
    terminalRef.current?.clearSelection()
    terminalRef.current?.write(RESET_SCREEN)
  }, [])

  const find = useCallback((term: string, direction: 'next' | 'previous') => {
    const search = searchRef.current
    if (search === null) return
    termRef.current = term
    if (term === '') {
      search.clearDecorations()
      terminalRef.current?.clearSelection()
      setResults(null)
      return
    }
    const options = { caseSensitive: false, decorations: SEARCH_DECORATIONS }
    const found = direction === 'next' ? search.findNext(term, options) : search.findPrevious(term, options)
    if (!found) setResults({ term, index: 0, count: 0, overLimit: false })
  }, [])

  return { hostRef, write, clear, find, results }
}
