// SGR and other CSI sequences the console writes itself (colours): they take no cell.
const CSI = /\x1b\[[0-9;?]*[A-Za-z]/g // eslint-disable-line no-control-regex

/**
 * Terminal text cut at line ends into pieces of at most `maxChars` (a longer line is a piece of
 * its own). xterm parses each write whole and only yields to the page between writes, so one
 * write of a 500-line batch is one long task; pieces let it stop within its frame budget.
 */
export function terminalChunks(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return text === '' ? [] : [text]
  const chunks: string[] = []
  let start = 0
  while (start < text.length) {
    let end = start + maxChars
    if (end >= text.length) end = text.length
    else {
      const lineEnd = text.lastIndexOf('\n', end - 1)
      end = lineEnd >= start ? lineEnd + 1 : text.indexOf('\n', end) + 1 || text.length
    }
    chunks.push(text.slice(start, end))
    start = end
  }
  return chunks
}

/** How many cells each line of the text takes (colour sequences aside), one figure per line. */
export function lineWidths(text: string): number[] {
  const lines = text.split('\r\n')
  if (lines.at(-1) === '') lines.pop()
  return lines.map((line) => line.replace(CSI, '').length)
}

/**
 * The rows a terminal `columns` wide needs for lines of these widths: a line longer than the
 * terminal wraps onto as many rows as it fills.
 */
export function rowsFor(widths: readonly number[], columns: number): number {
  let rows = 0
  for (const width of widths) rows += Math.max(1, Math.ceil(width / Math.max(1, columns)))
  return rows
}
