import { useCallback, useRef, type RefCallback } from 'react'
import { Terminal } from '@xterm/xterm'
import '@xterm/xterm/css/xterm.css'
import { fitTerminalToHost } from './fit-terminal'
import { openTerminal } from './open-terminal'

/** Rows kept above the screen: enough to scroll back through a burst, bounded so memory is. */
export const LOG_SCROLLBACK_ROWS = 10_000

// Full reset (scrollback included), then hide the cursor: nobody types into a log.
const RESET_SCREEN = '\x1bc\x1b[?25l'

export interface LogTerminal {
  /** For the element the terminal fills; the terminal lives as long as that element. */
  hostRef: RefCallback<HTMLDivElement>
  /** Resolves once xterm has taken the text in, so a stream's next batch can wait for it. */
  write: (text: string) => Promise<void>
  /** Empties the screen and the scrollback, after whatever was written before. */
  clear: () => void
}

/** A read-only xterm.js terminal for log output. */
export function useLogTerminal(): LogTerminal {
  const terminalRef = useRef<Terminal | null>(null)

  const hostRef = useCallback<RefCallback<HTMLDivElement>>((host) => {
    if (host === null) return
    const terminal = new Terminal({
      scrollback: LOG_SCROLLBACK_ROWS,
      disableStdin: true,
      cursorBlink: false,
      cursorInactiveStyle: 'none',
      fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', monospace",
      fontSize: 13,
      theme: {
        background: '#0b0e12',
        foreground: '#e6e9ed',
        red: '#ff7b7f',
        selectionBackground: '#2f4a66'
      }
    })
    const closeStyles = openTerminal(terminal, host)
    const stopFitting = fitTerminalToHost(terminal, host)
    terminal.write(RESET_SCREEN)
    terminalRef.current = terminal
    return () => {
      terminalRef.current = null
      stopFitting()
      terminal.dispose()
      closeStyles()
    }
  }, [])

  const write = useCallback((text: string) => {
    const terminal = terminalRef.current
    if (terminal === null || text === '') return Promise.resolve()
    return new Promise<void>((resolve) => terminal.write(text, resolve))
  }, [])

  const clear = useCallback(() => {
    terminalRef.current?.write(RESET_SCREEN)
  }, [])

  return { hostRef, write, clear }
}
