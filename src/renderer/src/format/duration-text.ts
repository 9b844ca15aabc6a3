/** "734 ms" below a second, "2.41 s" below a minute, then "3 min 5 s". */
export function durationMsText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`
  const seconds = Math.round(ms / 1000)
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
}

/** A soak time: "none" for 0, else the largest whole units, e.g. "2 d 4 h", "45 min", "30 s". */
export function secondsText(seconds: number): string {
  if (seconds <= 0) return 'none'
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1]
  ]
  const parts: string[] = []
  let rest = seconds
  for (const [name, size] of units) {
    const count = Math.floor(rest / size)
    if (count > 0) parts.push(`${count} ${name}`)
    rest -= count * size
    if (parts.length === 2) break
  }
  return parts.join(' ')
}
