/** The Logs page's plain functions: the bounded buffers, the readable JSON mode, the download's text, the picker. */
import { describe, expect, it } from 'vitest'
import type { ContainerView } from '@shared/container-types'
import type { LogLine } from '@shared/log-line'
import type { EnvironmentView } from '@shared/views'
import { containerChoices } from '@renderer/logs/container-choices'
import { LineBuffer } from '@renderer/logs/line-buffer'
import { logBatchText, logFileText } from '@renderer/logs/log-line-text'
import { readableLogLine, readableText } from '@renderer/logs/readable-log-line'

const STAMP = '2025-11-03T09:00:12.123456789Z'

function line(text: string, stream: LogLine['stream'] = 'stdout'): LogLine {
  return { stream, text, timestamp: STAMP }
}

describe('LineBuffer', () => {
  it('keeps the newest items up to its capacity and counts those it dropped', () => {
    const buffer = new LineBuffer<number>(3)
    buffer.push([1, 2])
    buffer.push([3, 4, 5])
    expect(buffer.all()).toEqual([3, 4, 5])
    expect(buffer.dropped).toBe(2)
    buffer.push([6, 7, 8, 9, 10])
    expect(buffer.all()).toEqual([8, 9, 10])
    expect(buffer.dropped).toBe(7)
    expect(buffer.take()).toEqual([8, 9, 10])
    expect(buffer.size).toBe(0)
    expect(buffer.dropped).toBe(0)
  })
})

describe('the readable JSON mode', () => {
  it('puts time, event type and message first, the other fields after', () => {
    const readable = readableLogLine(
      line('{"timestamp":"2025-11-03T09:00:12.5Z","event_type":"ERROR","error_type":"E2E","message":"boom","n":4}')
    )
    expect(readable).toMatchObject({
      time: '09:00:12.500Z',
      level: 'ERROR',
      message: 'boom',
      fields: [
        ['error_type', 'E2E'],
        ['n', '4']
      ],
      severity: 'error',
      json: true
    })
    expect(readableText(readable)).toBe('09:00:12.500Z ERROR          boom  error_type=E2E n=4')
  })

  it('says an API call in its own fields, a 5xx as an error, and objects as compact JSON', () => {
    const readable = readableLogLine(
      line(
        '{"event_type":"API_CALL","status_code":503,"method":"GET","endpoint":"/api/x",' +
          '"duration_ms":12,"flags":{"f":true}}'
      )
    )
    expect(readable.message).toBe('503 GET /api/x 12 ms')
    expect(readable.fields).toEqual([['flags', '{"f":true}']])
    expect(readable.severity).toBe('error')
    // No time in the line: Docker's stamp, cut to milliseconds.
    expect(readable.time).toBe('09:00:12.123Z')
  })

  it('reads a time without a zone as UTC, and a level as the level', () => {
    const readable = readableLogLine(line('{"time":"2025-11-03T08:00:00","level":"warn","msg":"slow"}'))
    expect(readable).toMatchObject({ time: '08:00:00.000Z', level: 'WARN', message: 'slow', severity: 'warning' })
  })

  it('leaves a line that is no JSON object as it came, red when it came on stderr', () => {
    expect(readableLogLine(line('plain-err 4', 'stderr'))).toMatchObject({
      json: false,
      text: 'plain-err 4',
      severity: 'error'
    })
    expect(readableLogLine(line('[1,2]')).json).toBe(false)
    expect(readableLogLine(line('{"broken"')).json).toBe(false)
  })
})

describe('terminal and file text', () => {
  it('colours the JSON mode with palette colours only and never lets control characters through', () => {
    const text = logBatchText([line('{"event_type":"ERROR","message":"\\u001b[2Jcleared"}', 'stderr')], 'json')
    expect(text).toContain('\x1b[1m\x1b[31mERROR')
    expect(text).toContain('␛[2Jcleared')
    expect(text).not.toMatch(/\x1b\[38;2/) // eslint-disable-line no-control-regex
    expect(text.endsWith('\r\n')).toBe(true)
  })

  it('saves what is shown without colours, one line each, in the mode shown', () => {
    const lines = [line('plain-out 1'), line('{"event_type":"API_CALL","status_code":200}')]
    expect(logFileText(lines, 'plain')).toBe(
      '2025-11-03T09:00:12.123Z plain-out 1\n2025-11-03T09:00:12.123Z {"event_type":"API_CALL","status_code":200}\n'
    )
    expect(logFileText(lines, 'json')).toBe('09:00:12.123Z plain-out 1\n09:00:12.123Z API_CALL       200\n')
  })

  it("marks Rampart's own notices (the engine's stream lost, then back) in both modes", () => {
    const notice = line('the Docker engine stopped answering; following again when it is back', 'rampart')
    for (const mode of ['plain', 'json'] as const) {
      expect(logBatchText([notice], mode)).toContain('\x1b[33mrampart: the Docker engine stopped answering')
      expect(logFileText([notice], mode)).toBe(
        '2025-11-03T09:00:12.123Z rampart: the Docker engine stopped answering; following again when it is back\n'
      )
    }
  })
})

describe('the container picker', () => {
  const environment = {
    serviceContainer: 'ops-center-direct',
    postgres: { container: 'unicorn-postgresql', database: 'unicorn_test', disposable: true }
  } as EnvironmentView

  it('lists the environment’s containers as the engine reports them', () => {
    const views: ContainerView[] = [
      { name: 'svc', role: 'service', state: 'running', health: 'healthy', image: 'x', startedAt: null },
      { name: 'pg', role: 'postgres', state: 'absent', health: null, image: null, startedAt: null }
    ]
    expect(containerChoices(views, environment)).toEqual([
      { name: 'svc', label: 'svc — service, running, healthy' },
      { name: 'pg', label: 'pg — Postgres, absent' }
    ])
  })

  it('falls back to the workspace’s names when the engine could not be asked', () => {
    expect(containerChoices(null, environment).map((choice) => choice.name)).toEqual([
      'ops-center-direct',
      'unicorn-postgresql'
    ])
    expect(containerChoices(null, null)).toEqual([])
  })
})
