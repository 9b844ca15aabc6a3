import { describe, expect, it } from 'vitest'
import { WriteQueue } from '@main/flags/write-queue'

describe('WriteQueue', () => {
  it('starts a write only when the one before it has settled, failed or not', async () => {
    const queue = new WriteQueue()
    const order: string[] = []
    let releaseFirst!: () => void
    const first = queue.run(async () => {
      order.push('first starts')
      await new Promise<void>((resolve) => (releaseFirst = resolve))
      order.push('first fails')
      throw new Error('conflict')
    })
    const second = queue.run(async () => {
      order.push('second starts')
      return 'written'
    })
    await Promise.resolve()
    expect(order).toEqual(['first starts'])
    releaseFirst()
    await expect(first).rejects.toThrow('conflict')
    await expect(second).resolves.toBe('written')
    expect(order).toEqual(['first starts', 'first fails', 'second starts'])
  })
})
