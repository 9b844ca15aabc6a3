/** Where a page of windows stands among them all, for the pager's buttons and its words. */
export interface PageRange {
  /** 1-based, inclusive; 0 and 0 when there are none. */
  from: number
  to: number
  first: boolean
  last: boolean
  previousOffset: number
  nextOffset: number
  lastOffset: number
}

export function pageRange(offset: number, perPage: number, total: number): PageRange {
  const lastOffset = total === 0 ? 0 : Math.floor((total - 1) / perPage) * perPage
  const from = total === 0 ? 0 : Math.min(offset + 1, total)
  const to = Math.min(offset + perPage, total)
  return {
    from,
    to,
    first: offset <= 0,
    last: offset + perPage >= total,
    previousOffset: Math.max(0, offset - perPage),
    nextOffset: Math.min(offset + perPage, lastOffset),
    lastOffset
  }
}

/** "Windows 51–100 of 1,234". */
export function windowPageText(range: PageRange, total: number, reading: boolean): string {
  if (reading) return 'Reading the windows…'
  if (total === 0) return 'No guard window recorded for this rollout.'
  return `Windows ${range.from.toLocaleString('en')}–${range.to.toLocaleString('en')} of ${total.toLocaleString('en')}`
}
