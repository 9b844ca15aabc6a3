// Writes docs/benchmarks.md from the figures the benches recorded in one `npm run bench` run.
import { cpus, freemem, loadavg, totalmem } from 'node:os'

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const min = (values) => Math.min(...values)
function show(value, unit) {
  if (unit === 'MiB') return `${value.toFixed(1)} MiB`
  return value < 1000 ? `${value.toFixed(0)} ms` : `${(value / 1000).toFixed(2)} s`
}
const minMedian = (values, unit) =>
  values.length === 0 ? '–' : `${show(min(values), unit)} / ${show(median(values), unit)}`
const ratioOf = (figure) =>
  figure.peerValues.length === 0 ? null : median(figure.rampartValues) / median(figure.peerValues)

function goalText(goal, unit) {
  if (goal === null) return 'none (shown for reference)'
  return 'ratio' in goal ? `ratio ≤ ${goal.ratio}` : `Rampart ≤ ${goal.rampartAtMost} ${unit}`
}

function met(figure) {
  const { goal } = figure
  if (goal === null) return null
  const value = 'ratio' in goal ? ratioOf(figure) : median(figure.rampartValues)
  return value !== null && value <= ('ratio' in goal ? goal.ratio : goal.rampartAtMost)
}

export function benchmarksPage({ figures, failed, startedAt, endedAt, loadBefore, loadAfter, command }) {
  const cpu = cpus()
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`${command}\` (bench/run.mjs) from one run, ${startedAt} to ${endedAt}; do not edit by hand.`,
    'Each figure alternates Rampart and its peer round by round in the same run, so a busy moment on the',
    'machine hits both; the ratio is Rampart’s median ÷ the peer’s median (below 1: Rampart is faster or',
    'smaller). Every bench first checks that Rampart and the peer give the same results and fails if not.',
    '',
    '## Machine',
    '',
    `- CPU: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores`,
    `- Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free at the end)`,
    `- Node.js ${process.version}, ${process.platform} ${process.arch}`,
    `- Load average (1, 5, 15 min): ${loadBefore} at the start, ${loadAfter} at the end. The machine is shared`,
    '  with other jobs (test suites, browsers) while the bench runs: absolute times vary from run to run,',
    '  and more so the shorter they are; the alternating rounds keep the ratios comparable.',
    '',
    '## Figures',
    '',
    '| work | Rampart | peer | Rampart min / median | peer min / median | ratio | goal | met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |'
  ]
  for (const figure of figures) {
    const ratio = ratioOf(figure)
    const verdict = met(figure)
    lines.push(
      `| ${figure.work} | ${figure.rampart} | ${figure.peer ?? 'none: a goal of its own'} | ` +
        `${minMedian(figure.rampartValues, figure.unit)} | ${minMedian(figure.peerValues, figure.unit)} | ` +
        `${ratio === null ? '–' : ratio.toFixed(2)} | ${goalText(figure.goal, figure.unit)} | ` +
        `${verdict === null ? '–' : verdict ? 'yes' : '**no**'} |`
    )
  }
  const compared = (figure) => (figure.peer === null ? '' : ` (${figure.peer})`)
  lines.push('', '## Did the results agree?', '')
  for (const figure of figures) lines.push(`- ${figure.work}${compared(figure)}: ${figure.agreed}`)
  const notMet = figures.filter((figure) => met(figure) === false)
  lines.push('', '## Goals not met', '')
  if (notMet.length === 0) lines.push('None.')
  for (const figure of notMet) lines.push(`- **${figure.work}**${compared(figure)}: ${figure.ifNotMet ?? 'no note.'}`)
  if (failed.length > 0)
    lines.push('', '## Benches that failed in this run', '', ...failed.map((name) => `- ${name} (see its output)`))
  lines.push('')
  return lines.join('\n')
}

export function loadText() {
  return loadavg()
    .map((value) => value.toFixed(1))
    .join(', ')
}
