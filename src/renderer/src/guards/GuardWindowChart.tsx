import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { axisTimeText, decisionCounts, type ChartPoint } from './chart-points'
import { errorRateText, latencyText } from './guard-figure-text'

const HEIGHT_PX = 200
const FALLBACK_WIDTH_PX = 480
const AXIS = { stroke: '#9aa4b0', grid: { stroke: '#2a313a', width: 1 }, ticks: { stroke: '#2a313a', width: 1 } }
// Windows last whole seconds: ticks on whole seconds and round multiples, never fractions.
const TIME_STEPS_SECONDS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400, 172_800, 604_800, 2_592_000
]
const TREATMENT = '#ff5b61'
const CONTROL = '#6cb6ff'
const LIMIT = '#f0b43c'
// Behind the lines: a breach window in amber, a trip window in red (the legend below says so).
const BAND: Record<string, string> = { breach: 'rgba(240, 180, 60, 0.22)', trip: 'rgba(229, 72, 77, 0.38)' }

interface GuardWindowChartProps {
  points: readonly ChartPoint[]
  /** What one point stands for, read with the chart ("each point the worst of 5 windows"). */
  pointText?: string
  /** False where the points carry no control error rate (a review's downsampled buckets): no such line. */
  controlRate?: boolean
  testId?: string
}

/**
 * Treatment against control over the windows: error rate (left axis) and p95 latency (right axis,
 * dashed), with the limits each window was judged by: the maximum error rate, and control p95 ×
 * (1 + max_latency_degradation). Breach and trip windows are shaded. uPlot draws on a canvas and
 * sets element styles through the CSSOM, which the page's style-src policy does not govern, so
 * nothing inline is needed. The live Rollout panel and the Review page both draw with it.
 */
export function GuardWindowChart({
  points,
  pointText,
  controlRate = true,
  testId = 'guard-window-chart'
}: GuardWindowChartProps) {
  const container = useRef<HTMLDivElement | null>(null)
  const plot = useRef<uPlot | null>(null)
  // The shading hook reads the decisions of the points drawn last.
  const drawn = useRef<readonly ChartPoint[]>(points)

  useEffect(() => {
    const target = container.current
    if (target === null) return
    const chart = new uPlot(
      chartOptions(target.clientWidth || FALLBACK_WIDTH_PX, () => drawn.current, controlRate),
      chartData([], controlRate),
      target
    )
    plot.current = chart
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: target.clientWidth || FALLBACK_WIDTH_PX, height: HEIGHT_PX })
    )
    resize.observe(target)
    return () => {
      resize.disconnect()
      chart.destroy()
      plot.current = null
    }
  }, [controlRate])

  useEffect(() => {
    drawn.current = points
    plot.current?.setData(chartData(points, controlRate))
  }, [points, controlRate])

  const { breach, trip } = decisionCounts(points)
  const unit = pointText === undefined ? 'windows' : 'points'
  return (
    <figure className="guard-chart-figure">
      <div
        className="guard-chart"
        ref={container}
        data-testid={testId}
        data-points={points.length}
        data-breach-windows={breach}
        data-trip-windows={trip}
        aria-label={
          `${controlRate ? 'Treatment and control error rate' : 'Treatment error rate'} and p95 latency per ` +
          `window, with the error-rate and p95 limits; ${breach} breach and ${trip} trip ${unit} shaded` +
          (pointText === undefined ? '' : `; ${pointText}`)
        }
        role="img"
      />
      <figcaption className="guard-chart-key" data-testid="guard-chart-key">
        <span className="guard-chart-key-limit">Dotted amber: the limits each window was judged by</span>
        <span className="guard-chart-key-breach">
          Amber band: breach {unit === 'windows' ? 'window' : 'point'} ({breach})
        </span>
        <span className="guard-chart-key-trip">
          Red band: trip {unit === 'windows' ? 'window' : 'point'} ({trip})
        </span>
        {pointText !== undefined && <span className="guard-chart-key-points">{pointText}</span>}
      </figcaption>
    </figure>
  )
}

function chartOptions(widthPx: number, shown: () => readonly ChartPoint[], controlRate: boolean): uPlot.Options {
  return {
    width: widthPx,
    height: HEIGHT_PX,
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      rate: { range: (_self, _min, max) => [0, Math.max(0.1, max * 1.1)] },
      ms: { range: (_self, _min, max) => [0, Math.max(10, max * 1.1)] }
    },
    hooks: { drawAxes: [(chart) => shadeDecisions(chart, shown())] },
    axes: [
      {
        ...AXIS,
        space: 70,
        incrs: TIME_STEPS_SECONDS,
        values: (self, splits) => splits.map((split) => axisTimeText(split, xRangeSeconds(self)))
      },
      {
        ...AXIS,
        scale: 'rate',
        values: (_self, splits) => splits.map((split) => `${Math.round(split * 100)} %`),
        size: 50
      },
      {
        ...AXIS,
        scale: 'ms',
        side: 1,
        values: (_self, splits) => splits.map((split) => `${Math.round(split)} ms`),
        size: 60,
        grid: { show: false }
      }
    ],
    series: [
      {
        label: 'Window',
        value: (self, value) => (value === null ? '—' : axisTimeText(value, xRangeSeconds(self)))
      },
      { label: 'Treatment error rate', scale: 'rate', stroke: TREATMENT, width: 2, value: rateValue },
      ...(controlRate
        ? [{ label: 'Control error rate', scale: 'rate', stroke: CONTROL, width: 2, value: rateValue }]
        : []),
      { label: 'Error-rate limit', scale: 'rate', stroke: LIMIT, width: 2, dash: [2, 4], value: rateValue },
      { label: 'Treatment p95', scale: 'ms', stroke: TREATMENT, width: 1, dash: [5, 4], value: msValue },
      { label: 'Control p95', scale: 'ms', stroke: CONTROL, width: 1, dash: [5, 4], value: msValue },
      { label: 'p95 limit', scale: 'ms', stroke: LIMIT, width: 1, dash: [2, 4], value: msValue }
    ]
  }
}

function rateValue(_self: uPlot, value: number | null): string {
  return errorRateText(value)
}

function msValue(_self: uPlot, value: number | null): string {
  return latencyText(value)
}

function xRangeSeconds(chart: uPlot): number {
  const { min, max } = chart.scales.x ?? {}
  return min === undefined || max === undefined || min === null || max === null ? 0 : max - min
}

function chartData(points: readonly ChartPoint[], controlRate: boolean): uPlot.AlignedData {
  return [
    points.map((point) => point.startMs / 1000),
    points.map((point) => point.treatmentErrorRate),
    ...(controlRate ? [points.map((point) => point.controlErrorRate)] : []),
    points.map((point) => point.errorRateLimit),
    points.map((point) => point.treatmentP95Ms),
    points.map((point) => point.controlP95Ms),
    points.map((point) => point.p95LimitMs)
  ]
}

/** Shades each breach and trip point over its whole span, behind the lines. */
function shadeDecisions(chart: uPlot, points: readonly ChartPoint[]): void {
  const { ctx, bbox } = chart
  ctx.save()
  ctx.beginPath()
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height)
  ctx.clip()
  for (const point of points) {
    const fill = BAND[point.decision]
    if (fill === undefined) continue
    const startSeconds = point.startMs / 1000
    const left = chart.valToPos(startSeconds, 'x', true)
    const right = chart.valToPos(startSeconds + point.spanMs / 1000, 'x', true)
    ctx.fillStyle = fill
    // At least a few pixels wide, so a single window on a wide range still shows.
    ctx.fillRect(left, bbox.top, Math.max(right - left, 6), bbox.height)
  }
  ctx.restore()
}
