import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { GuardWindowRow } from './guard-window-row'
import { clockTimeText } from './clock-time-text'
import { errorRateText, latencyText } from './guard-figure-text'

const HEIGHT_PX = 200
const FALLBACK_WIDTH_PX = 480
const AXIS = { stroke: '#9aa4b0', grid: { stroke: '#2a313a', width: 1 }, ticks: { stroke: '#2a313a', width: 1 } }
// Windows last whole seconds: ticks on whole seconds and round multiples, never fractions.
const TIME_STEPS_SECONDS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400]
const TREATMENT = '#ff5b61'
const CONTROL = '#6cb6ff'
const LIMIT = '#f0b43c'
// Behind the lines: a breach window in amber, a trip window in red (the legend below says so).
const BAND: Record<string, string> = { breach: 'rgba(240, 180, 60, 0.22)', trip: 'rgba(229, 72, 77, 0.38)' }

/**
 * Treatment against control over the recent windows: error rate (left axis) and p95 latency
 * (right axis, dashed), with the limits each window was judged by: the maximum error rate, and
 * control p95 × (1 + max_latency_degradation). Breach and trip windows are shaded. uPlot draws on
 * a canvas and sets element styles through the CSSOM, which the page's style-src policy does not
 * govern, so nothing inline is needed.
 */
export function GuardWindowChart({ windows }: { windows: readonly GuardWindowRow[] }) {
  const container = useRef<HTMLDivElement | null>(null)
  const plot = useRef<uPlot | null>(null)
  // The shading hook reads the decisions of the windows drawn last.
  const drawn = useRef<readonly GuardWindowRow[]>(windows)

  useEffect(() => {
    const target = container.current
    if (target === null) return
    const chart = new uPlot(
      chartOptions(target.clientWidth || FALLBACK_WIDTH_PX, () => drawn.current),
      chartData([]),
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
  }, [])

  useEffect(() => {
    drawn.current = windows
    plot.current?.setData(chartData(windows))
  }, [windows])

  const breaches = windows.filter((window) => window.decision === 'breach').length
  const trips = windows.filter((window) => window.decision === 'trip').length
  return (
    <figure className="guard-chart-figure">
      <div
        className="guard-chart"
        ref={container}
        data-testid="guard-window-chart"
        data-breach-windows={breaches}
        data-trip-windows={trips}
        aria-label={
          'Treatment and control error rate and p95 latency per window, with the error-rate and p95 limits; ' +
          `${breaches} breach and ${trips} trip windows shaded`
        }
        role="img"
      />
      <figcaption className="guard-chart-key" data-testid="guard-chart-key">
        <span className="guard-chart-key-limit">Dotted amber: the limits each window was judged by</span>
        <span className="guard-chart-key-breach">Amber band: breach window ({breaches})</span>
        <span className="guard-chart-key-trip">Red band: trip window ({trips})</span>
      </figcaption>
    </figure>
  )
}

function chartOptions(widthPx: number, shown: () => readonly GuardWindowRow[]): uPlot.Options {
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
        values: (_self, splits) => splits.map((split) => clockTimeText(new Date(split * 1000).toISOString()))
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
        value: (_self, value) => (value === null ? '—' : clockTimeText(new Date(value * 1000).toISOString()))
      },
      { label: 'Treatment error rate', scale: 'rate', stroke: TREATMENT, width: 2, value: rateValue },
      { label: 'Control error rate', scale: 'rate', stroke: CONTROL, width: 2, value: rateValue },
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

function chartData(windows: readonly GuardWindowRow[]): uPlot.AlignedData {
  return [
    windows.map((window) => Date.parse(window.windowStart) / 1000),
    windows.map((window) => window.treatment.errorRate),
    windows.map((window) => window.control.errorRate),
    windows.map((window) => window.limits.maxErrorRate),
    windows.map((window) => window.treatment.p95Ms),
    windows.map((window) => window.control.p95Ms),
    windows.map(latencyLimit)
  ]
}

/** The p95 the treatment may reach in this window: control p95 × (1 + max_latency_degradation). */
function latencyLimit(window: GuardWindowRow): number | null {
  const { p95Ms } = window.control
  const degradation = window.limits.maxLatencyDegradation
  return p95Ms === null || degradation === null ? null : p95Ms * (1 + degradation)
}

/** Shades each breach and trip window over its whole span, behind the lines. */
function shadeDecisions(chart: uPlot, windows: readonly GuardWindowRow[]): void {
  const { ctx, bbox } = chart
  ctx.save()
  ctx.beginPath()
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height)
  ctx.clip()
  for (const window of windows) {
    const fill = BAND[window.decision]
    if (fill === undefined) continue
    const startSeconds = Date.parse(window.windowStart) / 1000
    const left = chart.valToPos(startSeconds, 'x', true)
    const right = chart.valToPos(startSeconds + window.windowSeconds, 'x', true)
    ctx.fillStyle = fill
    // At least a few pixels wide, so a single window on a wide range still shows.
    ctx.fillRect(left, bbox.top, Math.max(right - left, 6), bbox.height)
  }
  ctx.restore()
}
