import { appendFileSync, writeFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  movedAsideLogPath,
  movedAsideWarning,
  recordAcknowledged,
  recordMovedAside,
  unacknowledgedMovedAside
} from '@main/history/moved-aside'
import { ScratchHistory } from '@test/fixtures/scratch-history'

let scratch: ScratchHistory

beforeEach(() => {
  scratch = new ScratchHistory()
})

afterEach(() => {
  scratch.remove()
})

describe('the moved-aside note beside the history file', () => {
  it('opening a damaged file notes where it went, and the note stays until acknowledged', () => {
    writeFileSync(scratch.file, 'not a database at all')
    const store = scratch.open(scratch.file, () => new Date('2025-11-03T12:00:00Z'))
    expect(unacknowledgedMovedAside(scratch.file)).toEqual([
      {
        file: store.recoveredFrom,
        reason: 'it is not a SQLite database (wrong file header)',
        at: '2025-11-03T12:00:00.000Z'
      }
    ])
    expect(movedAsideWarning(scratch.file, unacknowledgedMovedAside(scratch.file))).toContain(
      'rampart history acknowledge'
    )
    recordAcknowledged(scratch.file, { file: store.recoveredFrom!, at: 'now', actor: 'me', eventSeq: 1 })
    expect(unacknowledgedMovedAside(scratch.file)).toEqual([])
    expect(movedAsideWarning(scratch.file, [])).toBeNull()
  })

  it('keeps the other files when a line was cut short by a crash, and the ones acknowledged stay acknowledged', () => {
    recordMovedAside(scratch.file, { file: 'a', reason: 'x', at: '1' })
    appendFileSync(movedAsideLogPath(scratch.file), '{"kind":"moved","file":"b","rea')
    appendFileSync(movedAsideLogPath(scratch.file), '\n')
    recordMovedAside(scratch.file, { file: 'c', reason: 'y', at: '2' })
    recordAcknowledged(scratch.file, { file: 'a', at: '3', actor: 'me', eventSeq: 4 })
    expect(unacknowledgedMovedAside(scratch.file).map((moved) => moved.file)).toEqual(['c'])
  })

  it('says nothing when no file was ever moved aside', () => {
    expect(unacknowledgedMovedAside(scratch.file)).toEqual([])
  })
})
