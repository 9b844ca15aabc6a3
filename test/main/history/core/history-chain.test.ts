import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  canonicalJson,
  eventHash,
  GENESIS_HASH,
  verifyChain,
  type ChainHead,
  type HashedEvent
} from '@main/history/core/history-chain'
import type { HistoryEvent } from '@shared/history-types'

const START_MS = Date.UTC(2025, 10, 3, 12, 0, 0)

function unhashed(seq: number): HashedEvent {
  return {
    seq,
    at: new Date(START_MS + seq * 1000).toISOString(),
    kind: 'phase_move',
    actor: 'release-owner',
    flag: 'unified_llm_hub',
    environment: 'staging',
    reason: `step ${seq}`,
    fromState: { enabled: true, rollout_percentage: 10 },
    toState: { enabled: true, rollout_percentage: 25 },
    guardSnapshot: { verdict: 'pass', windows: [seq, seq + 1] },
    outcome: 'applied',
    detail: null
  }
}

/** A correctly chained history of `count` events. */
function chain(count: number): HistoryEvent[] {
  const events: HistoryEvent[] = []
  let prevHash = GENESIS_HASH
  for (let seq = 1; seq <= count; seq++) {
    const event = unhashed(seq)
    const hash = eventHash(prevHash, event)
    events.push({ ...event, prevHash, hash })
    prevHash = hash
  }
  return events
}

function headOf(events: HistoryEvent[]): ChainHead {
  const last = events[events.length - 1]
  return last === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: last.seq, hash: last.hash }
}

function problemsOf(report: ReturnType<typeof verifyChain>) {
  return report.ok ? [] : report.problems.map(({ seq, kind }) => ({ seq, kind }))
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}'
    )
  })

  it('gives the same text whatever order the keys were added in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse())
        expect(canonicalJson(reversed)).toBe(canonicalJson(record))
      })
    )
  })

  it('reads back to a value whose canonical text is unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value)
        expect(text).toBeDefined()
        expect(canonicalJson(JSON.parse(text as string))).toBe(text)
      })
    )
  })

  it('treats undefined, Dates and non-finite numbers as JSON.stringify does', () => {
    const at = new Date(START_MS)
    expect(canonicalJson({ gone: undefined, at, n: Number.NaN, list: [undefined] })).toBe(
      `{"at":"${at.toISOString()}","list":[null],"n":null}`
    )
    expect(canonicalJson(undefined)).toBeUndefined()
  })

  it('keeps a key named __proto__ as data', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2}')
  })

  it('refuses a circular structure with a clear error', () => {
    const loop: Record<string, unknown> = {}
    loop.self = loop
    expect(() => canonicalJson(loop)).toThrow(/circular/)
  })
})

describe('eventHash', () => {
  it('is sha256 hex of the previous hash followed by the canonical JSON of the recorded fields', () => {
    const event = unhashed(1)
    const expected = createHash('sha256')
      .update(GENESIS_HASH + canonicalJson(event))
      .digest('hex')
    expect(eventHash(GENESIS_HASH, event)).toBe(expected)
  })

  it('ignores fields that are not recorded, such as the stored hash itself', () => {
    const [event] = chain(1) as [HistoryEvent]
    expect(eventHash(event.prevHash, { ...event, hash: 'anything' } as HistoryEvent)).toBe(event.hash)
  })

  it('changes with the previous hash', () => {
    const event = unhashed(2)
    expect(eventHash('a'.repeat(64), event)).not.toBe(eventHash('b'.repeat(64), event))
  })
})

describe('verifyChain', () => {
  it('accepts an intact chain and reports its length and head hash', () => {
    const events = chain(5)
    expect(verifyChain(events, headOf(events))).toEqual({ ok: true, count: 5, headHash: events[4]?.hash })
  })

  it('accepts an empty history whose head is the genesis', () => {
    expect(verifyChain([], { seq: 0, hash: GENESIS_HASH })).toEqual({ ok: true, count: 0, headHash: GENESIS_HASH })
  })

  it('reports the seq of any event with any recorded field changed as edited', () => {
    const fields = [
      'at',
      'kind',
      'actor',
      'flag',
      'environment',
      'reason',
      'fromState',
      'toState',
      'guardSnapshot',
      'outcome',
      'detail'
    ] as const
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.constantFrom(...fields), fc.string(), (seq, field, text) => {
        const events = chain(6)
        const target = events[seq - 1] as HistoryEvent
        fc.pre(target[field] !== text)
        events[seq - 1] = { ...target, [field]: text }
        expect(problemsOf(verifyChain(events, headOf(chain(6))))).toEqual([{ seq, kind: 'edited' }])
      })
    )
  })

  it('reports an event whose stored hash was replaced as edited', () => {
    const events = chain(3)
    events[1] = { ...(events[1] as HistoryEvent), hash: 'f'.repeat(64) }
    const report = verifyChain(events, headOf(chain(3)))
    expect(problemsOf(report)).toContainEqual({ seq: 2, kind: 'edited' })
  })

  it('reports a deleted middle event as missing, naming its seq', () => {
    const events = chain(5)
    events.splice(2, 1)
    const report = verifyChain(events, headOf(events))
    expect(problemsOf(report)).toEqual([{ seq: 3, kind: 'missing' }])
    expect(report.ok ? '' : report.problems[0]?.message).toMatch(/event 3 is missing/)
  })

  it('reports a deleted first event as missing', () => {
    const events = chain(3).slice(1)
    expect(problemsOf(verifyChain(events, headOf(events)))).toEqual([{ seq: 1, kind: 'missing' }])
  })

  it('reports deleted trailing events as missing when a head is given', () => {
    const full = chain(5)
    const report = verifyChain(full.slice(0, 3), headOf(full))
    expect(problemsOf(report)).toEqual([{ seq: 4, kind: 'missing' }])
    expect(report.ok ? '' : report.problems[0]?.message).toMatch(/events 4–5 are missing/)
  })

  it('cannot see a deleted tail without the head, which is why the head is stored apart', () => {
    expect(verifyChain(chain(5).slice(0, 3)).ok).toBe(true)
  })

  it('reports a removed event whose successors were renumbered as a broken link', () => {
    const events = chain(4)
    const renumbered = [events[0], { ...(events[2] as HistoryEvent), seq: 2 }] as HistoryEvent[]
    expect(problemsOf(verifyChain(renumbered))).toContainEqual({ seq: 2, kind: 'missing' })
  })

  it('reports events out of seq order as reordered', () => {
    const events = chain(3)
    const swapped = [events[0], events[2], events[1]] as HistoryEvent[]
    expect(problemsOf(verifyChain(swapped))).toContainEqual({ seq: 2, kind: 'reordered' })
  })

  it('reports a missing head record', () => {
    expect(problemsOf(verifyChain(chain(2), null))).toEqual([{ seq: 0, kind: 'missing' }])
  })

  it('reports events beyond the recorded head as added outside Rampart', () => {
    const events = chain(4)
    expect(problemsOf(verifyChain(events, headOf(events.slice(0, 2))))).toEqual([{ seq: 3, kind: 'edited' }])
  })

  it('reports a last event that differs from the head hash', () => {
    const events = chain(2)
    expect(problemsOf(verifyChain(events, { seq: 2, hash: 'e'.repeat(64) }))).toEqual([{ seq: 2, kind: 'edited' }])
  })
})
