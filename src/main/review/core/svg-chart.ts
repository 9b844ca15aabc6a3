import type { GuardChartView } from '@shared/review-types'
import { latencyLimitMs } from './guard-chart'

const WIDTH = 880
const HEIGHT = 180
const PAD = { left: 48, right: 12, top: 12, bottom: 22 }
const DECISION_COLOURS = { breach: '#f59e0b', trip: '#ef4444' } as const

/**
 * A rollout's guard windows as inline SVG (no script, no external reference): the treatment
 * error rate with the maximum error rate as a dashed line, and breach and trip windows marked.
 * A second chart draws treatment p95 against control p95 × (1 + degradation).
 */
export function errorRateSvg(chart: GuardChartView): string {
  const values = chart.points.map((point) => point.treatmentErrorRate)
  const limit = chart.thresholds?.maxErrorRate ?? null
  const top = Math.max(limit ?? 0, ...values.map((value) => value ?? 0), 0.01) * 1.15
  return svg(chart, 'Treatment error rate', [
    series(chart, values, top, '#38bdf8'),
    limit === null ? '' : horizontal(limit, top, `max error rate ${(limit * 100).toFixed(1)} %`),
    axisLabel(`${(top * 100).toFixed(1)} %`)
  ])
}

export function latencySvg(chart: GuardChartView): string {
  const treatment = chart.points.map((point) => point.treatmentP95Ms)
  const thresholds = chart.thresholds
  const limits = chart.points.map((point) => (thresholds === null ? null : latencyLimitMs(point, thresholds)))
  const top = Math.max(1, ...[...treatment, ...limits].map((value) => value ?? 0)) * 1.15
  return svg(chart, 'Treatment p95 (ms)', [
    series(chart, treatment, top, '#a78bfa'),
    thresholds === null ? '' : series(chart, limits, top, '#94a3b8', '4 3'),
    axisLabel(`${Math.round(top)} ms`)
  ])
}

function svg(chart: GuardChartView, title: string, parts: string[]): string {
  const marks = chart.points
    .map((point, index) =>
      point.decision === 'breach' || point.decision === 'trip'
        ? `<rect x="${x(chart, index) - 1.5}" y="${PAD.top}" width="3" height="${HEIGHT - PAD.top - PAD.bottom}" ` +
          `fill="${DECISION_COLOURS[point.decision]}" opacity="0.55"><title>${point.decision} at ` +
          `${isoOf(point.startMs)}</title></rect>`
        : ''
    )
    .join('')
  const span =
    chart.points.length === 0
      ? 'no guard windows'
      : `${isoOf(chart.points[0]!.startMs)} → ${isoOf(chart.points.at(-1)!.startMs)}` +
        (chart.windowsPerPoint > 1
          ? ` (${chart.windows} windows, ${chart.windowsPerPoint} per point, worst shown)`
          : '')
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" ` +
    `height="${HEIGHT}" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>` +
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#0f172a"/>${marks}${parts.join('')}` +
    `<text x="${PAD.left}" y="${HEIGHT - 6}" fill="#cbd5e1" font-size="11">${escapeXml(span)}</text></svg>`
  )
}

function series(chart: GuardChartView, values: ReadonlyArray<number | null>, top: number, colour: string, dash = '') {
  const segments: string[] = []
  let current: string[] = []
  values.forEach((value, index) => {
    if (value === null) {
      if (current.length > 0) segments.push(current.join(' '))
      current = []
      return
    }
    current.push(`${x(chart, index).toFixed(1)},${y(value, top).toFixed(1)}`)
  })
  if (current.length > 0) segments.push(current.join(' '))
  const dashed = dash === '' ? '' : ` stroke-dasharray="${dash}"`
  return segments
    .map((points) => `<polyline fill="none" stroke="${colour}" stroke-width="1.5"${dashed} points="${points}"/>`)
    .join('')
}

function horizontal(value: number, top: number, label: string): string {
  const at = y(value, top).toFixed(1)
  return (
    `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${at}" y2="${at}" stroke="#f87171" stroke-dasharray="6 4"/>` +
    `<text x="${WIDTH - PAD.right}" y="${Number(at) - 4}" fill="#fca5a5" font-size="11" text-anchor="end">` +
    `${escapeXml(label)}</text>`
  )
}

function axisLabel(text: string): string {
  return `<text x="4" y="${PAD.top + 10}" fill="#cbd5e1" font-size="11">${escapeXml(text)}</text>`
}

function x(chart: GuardChartView, index: number): number {
  const span = Math.max(1, chart.points.length - 1)
  return PAD.left + (index / span) * (WIDTH - PAD.left - PAD.right)
}

function y(value: number, top: number): number {
  return HEIGHT - PAD.bottom - (value / top) * (HEIGHT - PAD.top - PAD.bottom)
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

function isoOf(epochMs: number): string {
  return new Date(epochMs).toISOString()
}
