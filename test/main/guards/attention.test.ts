import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AttentionService } from '@main/guards/attention'
import { HistoryStore } from '@main/history/history-store'

let dir: string
let store: HistoryStore

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rampart-attention-'))
  store = HistoryStore.open(join(dir, 'history.db'))
})

afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

const TRIP = {
  level: 'trip' as const,
  environment: 'staging',
  flag: 'unified_llm_hub',
  title: 'Guards tripped: unified_llm_hub (staging)',
  body: 'treatment error rate 0.3 > 0.05; action: rollback',
  subjectSeq: null
}

describe('AttentionService', () => {
  it('says on record that the desktop could not show it, and that pages were following', () => {
    const attention = new AttentionService({
      events: store.events,
      actor: 'alice',
      notifier: { show: () => false }
    })
    const raised = attention.raise({ ...TRIP, consolePages: 2 })
    expect(store.events.getEvent(raised.seq)).toMatchObject({
      kind: 'notification',
      actor: 'rampart',
      flag: 'unified_llm_hub',
      environment: 'staging',
      reason: TRIP.title,
      outcome: 'notified',
      detail: { level: 'trip', desktop: 'unavailable', notified: ['2 console page(s) following the guards'] }
    })
    expect(attention.recent()).toEqual([raised])
  })

  it('records a browser notification a page showed, naming the person at the console and what it was about', () => {
    const attention = new AttentionService({ events: store.events, actor: 'alice', notifier: null })
    const raised = attention.raise({ ...TRIP, consolePages: 1 })
    const delivered = attention.delivered(raised.seq, 'browser')
    expect(store.events.getEvent(delivered.seq)).toMatchObject({
      kind: 'notification',
      actor: 'alice',
      flag: 'unified_llm_hub',
      reason: TRIP.title,
      outcome: 'shown',
      detail: { channel: 'browser', attentionSeq: raised.seq, notified: ['alice (browser notification)'] }
    })
    expect(store.events.verify().ok).toBe(true)
  })
})
