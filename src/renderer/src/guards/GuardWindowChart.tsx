import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { GuardWindowRow } from './guard-window-row'
import { clockTimeText } from './clock-time-text'
import { errorRateText, latencyText } from './guard-figure-text'

const HEIGHT_PX = 180
const FALLBACK_WIDTH_PX = 480
const AXIS = { stroke: '#9aa4b0', grid: { stroke: '#2a313a', width: 1 }, ticks: { stroke: '#2a313a', width: 1 } }
// Windows last whole seconds: ticks on whole seconds and round multiples, never fractions.
const TIME_STEPS_SECONDS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400]
const TREATMENT = '#ff5b61'
const CONTROL = '#6cb6ff'

/**
 * Treatment against control over the recent windows: error rate (left axis) and p95 latency
 * (right axis, dashed). uPlot draws on a canvas and sets element styles through the CSSOM,
 * which the page's style-src policy does not govern, so nothing inline is needed.
 */
export function GuardWindowChart({ windows }: { windows: readonly GuardWindowRow[] }) {
  const container = useRef<HTMLDivElement | null>(null)
  const plot = useRef<uPlot | null>(null)

  useEffect(() => {
    const target = container.current
    if (target === null) return
    const chart = new uPlot(chartOptions(target.clientWidth || FALLBACK_WIDTH_PX), [[], [], [], [], []], target)
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
    plot.current?.setData(chartData(windows))
  }, [windows])

  return (
    <div
      className="guard-chart"
      ref={container}
      data-testid="guard-window-chart"
      aria-label="Treatment and control error rate and p95 latency per window"
      role="img"
    />
  )
}

function chartOptions(widthPx: number): uPlot.Options {
  return {
    width: widthPx,
    height: HEIGHT_PX,
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      rate: { range: (_self, _min, max) => [0, Math.max(0.1, max * 1.1)] },
      ms: { range: (_self, _min, max) => [0, Math.max(10, max * 1.1)] }
    },
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
      {
        label: 'Treatment error rate',
        scale: 'rate',
        stroke: TREATMENT,
        width: 2,
        value: (_self, value) => errorRateText(value)
      },
      {
        label: 'Control error rate',
        scale: 'rate',
        stroke: CONTROL,
        width: 2,
        value: (_self, value) => errorRateText(value)
      },
      {
        label: 'Treatment p95',
        scale: 'ms',
        stroke: TREATMENT,
        width: 1,
        dash: [5, 4],
        value: (_self, value) => latencyText(value)
      },
      {
        label: 'Control p95',
        scale: 'ms',
        stroke: CONTROL,
        width: 1,
        dash: [5, 4],
        value: (_self, value) => latencyText(value)
      }
    ]
  }
}

function chartData(windows: readonly GuardWindowRow[]): uPlot.AlignedData {
  return [
    windows.map((window) => Date.parse(window.windowStart) / 1000),
    windows.map((window) => window.treatment.errorRate),
    windows.map((window) => window.control.errorRate),
    windows.map((window) => window.treatment.p95Ms),
    windows.map((window) => window.control.p95Ms)
  ]
}
