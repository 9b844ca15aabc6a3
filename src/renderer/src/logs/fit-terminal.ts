import type { Terminal } from '@xterm/xterm'

// xterm's vertical scrollbar sits inside the terminal's width; columns under it would be hidden.
const SCROLLBAR_PX = 14
const MIN_COLS = 20
const MIN_ROWS = 4

interface CellSize {
  width: number
  height: number
}

/**
 * Keeps the terminal's columns and rows filling its host as the host changes size. This is
 * what xterm's fit addon does; the console measures the cell itself instead of depending on it.
 * Returns the function that stops following the host.
 */
export function fitTerminalToHost(terminal: Terminal, host: HTMLElement): () => void {
  const cell = measureCell(host, terminal)
  const fit = () => {
    const style = getComputedStyle(host)
    const width = host.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - SCROLLBAR_PX
    const height = host.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)
    const cols = Math.max(MIN_COLS, Math.floor(width / cell.width))
    const rows = Math.max(MIN_ROWS, Math.floor(height / cell.height))
    if (cols !== terminal.cols || rows !== terminal.rows) terminal.resize(cols, rows)
  }
  fit()
  const observer = new ResizeObserver(fit)
  observer.observe(host)
  return () => observer.disconnect()
}

/** One character cell in the terminal's font, rounded as xterm rounds it. */
function measureCell(host: HTMLElement, terminal: Terminal): CellSize {
  const sample = 'W'.repeat(64)
  const probe = host.ownerDocument.createElement('span')
  // Set through the CSSOM, which the Content-Security-Policy allows (a style attribute it would not).
  probe.style.position = 'absolute'
  probe.style.visibility = 'hidden'
  probe.style.whiteSpace = 'pre'
  probe.style.lineHeight = 'normal'
  probe.style.fontFamily = terminal.options.fontFamily ?? 'monospace'
  probe.style.fontSize = `${terminal.options.fontSize ?? 15}px`
  probe.textContent = sample
  host.append(probe)
  const box = probe.getBoundingClientRect()
  probe.remove()
  const ratio = window.devicePixelRatio || 1
  const lineHeight = terminal.options.lineHeight ?? 1
  return {
    width: Math.max(1, box.width / sample.length),
    height: Math.max(1, Math.floor(Math.ceil(box.height * ratio) * lineHeight) / ratio)
  }
}
