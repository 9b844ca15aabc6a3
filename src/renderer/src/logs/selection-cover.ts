import type { IDecoration, IDisposable, Terminal } from '@xterm/xterm'

/**
 * Keeps xterm's DOM renderer from painting selected cells with a style attribute, which the
 * console's `style-src 'self'` policy refuses (one violation per selected run of cells, every
 * frame). The search addon selects each match it finds; a mouse selection does the same.
 *
 * A cell under a `top` layer decoration is left to that decoration, so the selected rows get one
 * such decoration each, without colours: the selection stays visible through xterm's own
 * selection layer, whose colours come from its style sheet (see open-terminal.ts).
 */
/** Several frames, even on a busy machine: the renderer has drawn the new selection by then. */
const COVER_OVERLAP_MS = 250

export function coverSelection(terminal: Terminal): IDisposable {
  let covers: IDecoration[] = []
  const retiring = new Set<ReturnType<typeof setTimeout>>()
  const dispose = (decorations: readonly IDecoration[]) => {
    for (const decoration of decorations) decoration.dispose()
  }
  const cover = () => {
    // The old covers go a little later: the DOM renderer learns of a new selection on its own
    // animation frame, and a row drawn before that still has the old one selected.
    const old = covers
    const timer = setTimeout(() => {
      retiring.delete(timer)
      dispose(old)
    }, COVER_OVERLAP_MS)
    retiring.add(timer)
    covers = []
    const range = terminal.getSelectionPosition()
    if (range === undefined) return
    const buffer = terminal.buffer.active
    // Markers are placed relative to the cursor's line, as the search addon places its own.
    const cursorLine = buffer.baseY + buffer.cursorY
    for (let line = range.start.y; line <= range.end.y; line += 1) {
      const marker = terminal.registerMarker(line - cursorLine)
      const decoration = terminal.registerDecoration({ marker, x: 0, width: terminal.cols, layer: 'top' })
      if (decoration === undefined) marker.dispose()
      else {
        decoration.onDispose(() => marker.dispose())
        covers.push(decoration)
      }
    }
  }
  // A resize reflows the rows (and widens them) under a selection that stays.
  const listeners = [terminal.onSelectionChange(cover), terminal.onResize(cover)]
  return {
    dispose: () => {
      for (const listener of listeners) listener.dispose()
      for (const timer of retiring) clearTimeout(timer)
      retiring.clear()
      dispose(covers)
      covers = []
    }
  }
}
