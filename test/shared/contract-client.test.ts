import { describe, expect, it } from 'vitest'
import type { ClientMessage } from '@shared/contract/bridge'
import { createContractClient } from '@shared/contract/contract-client'
import type { ContractError } from '@shared/errors'

const LOST: ContractError = { code: 'unreachable', message: 'connection lost' }

/** A connection that records what the client sends; `up` decides whether it can carry anything. */
function recordingConnection() {
  const sent: ClientMessage[] = []
  const state = { up: true, throws: null as Error | null }
  const connection = {
    send: (message: ClientMessage): boolean => {
      if (state.throws !== null) throw state.throws
      if (!state.up) return false
      sent.push(message)
      return true
    }
  }
  return { connection, sent, state }
}

function connectedClient() {
  const { connection, sent, state } = recordingConnection()
  const client = createContractClient(connection, { unreachable: () => LOST })
  const acks = (id: number) => sent.filter((message) => message.t === 'ack' && message.id === id).length
  const lastSubscription = () => {
    const message = sent.filter((candidate) => candidate.t === 'subscribe').at(-1)
    if (message === undefined) throw new Error('nothing was subscribed')
    return message.id
  }
  return { client, sent, state, acks, lastSubscription }
}

/** A promise the test resolves by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('createContractClient', () => {
  it('sends an invoke and resolves it with the result under its id, whatever order results come in', async () => {
    const { client, sent } = connectedClient()
    const first = client.invoke('flags.list', { environment: 'local' })
    const second = client.invoke('history.verify', {})
    expect(sent).toEqual([
      { t: 'invoke', id: 1, name: 'flags.list', input: { environment: 'local' } },
      { t: 'invoke', id: 2, name: 'history.verify', input: {} }
    ])
    client.receive({ t: 'result', id: 2, result: { ok: true, value: 'second' } })
    client.receive({ t: 'result', id: 1, result: { ok: true, value: 'first' } })
    expect(await first).toEqual({ ok: true, value: 'first' })
    expect(await second).toEqual({ ok: true, value: 'second' })
  })

  it('gives every invoke and subscription its own id', () => {
    const { client, sent } = connectedClient()
    void client.invoke('flags.list', {})
    client.subscribe('history.follow', {}, { onBatch: () => undefined })
    void client.invoke('flags.list', {})
    expect(sent.map((message) => message.id)).toEqual([1, 2, 3])
  })

  it('answers an invoke the connection cannot carry with the unreachable error, at once', async () => {
    const { client, state } = connectedClient()
    state.up = false
    expect(await client.invoke('flags.list', {})).toEqual({ ok: false, error: LOST })
  })

  it('fails only the call whose message the transport cannot encode', async () => {
    const { client, state } = connectedClient()
    state.throws = new Error('An object could not be cloned.')
    const result = await client.invoke('flags.list', {})
    expect(result).toEqual({
      ok: false,
      error: { code: 'failed', message: expect.stringContaining('An object could not be cloned.') }
    })
    expect(!result.ok && result.error.message).toContain('flags.list')
  })

  it('hands batches over one at a time, in order, acknowledging each after its onBatch settled', async () => {
    const { client, acks, lastSubscription } = connectedClient()
    const handled: unknown[][] = []
    const gates = [gate(), gate()]
    client.subscribe(
      'history.follow',
      {},
      {
        onBatch: (items) => {
          handled.push(items)
          return gates[handled.length - 1]?.promise
        }
      }
    )
    const id = lastSubscription()
    client.receive({ t: 'batch', id, items: [1, 2] })
    client.receive({ t: 'batch', id, items: [3] })
    await settle()
    expect(handled).toEqual([[1, 2]])
    expect(acks(id)).toBe(0)

    gates[0]!.open()
    await settle()
    expect(handled).toEqual([[1, 2], [3]])
    expect(acks(id)).toBe(1)

    gates[1]!.open()
    await settle()
    expect(acks(id)).toBe(2)
  })

  it('acknowledges a batch whose onBatch failed, and hands over the next', async () => {
    const { client, acks, lastSubscription } = connectedClient()
    const handled: unknown[][] = []
    client.subscribe(
      'history.follow',
      {},
      {
        onBatch: async (items) => {
          handled.push(items)
          if (handled.length === 1) throw new Error('render failed')
        }
      }
    )
    const id = lastSubscription()
    client.receive({ t: 'batch', id, items: [1] })
    client.receive({ t: 'batch', id, items: [2] })
    await settle()
    expect(handled).toEqual([[1], [2]])
    expect(acks(id)).toBe(2)
  })

  it('reports the end only after the batches before it were handled', async () => {
    const { client, lastSubscription } = connectedClient()
    const ends: Array<ContractError | null> = []
    const batch = gate()
    client.subscribe('history.follow', {}, { onBatch: () => batch.promise, onEnd: (error) => ends.push(error) })
    const id = lastSubscription()
    client.receive({ t: 'batch', id, items: [1] })
    client.receive({ t: 'end', id, error: { code: 'failed', message: 'producer failed' } })
    await settle()
    expect(ends).toEqual([])

    batch.open()
    await settle()
    expect(ends).toEqual([{ code: 'failed', message: 'producer failed' }])
    // After its end the stream is gone: a stray batch is not handed over.
    client.receive({ t: 'batch', id, items: [2] })
    client.receive({ t: 'end', id, error: null })
    await settle()
    expect(ends).toHaveLength(1)
  })

  it('unsubscribes once, then hands over no batch and acknowledges none', async () => {
    const { client, sent, acks, lastSubscription } = connectedClient()
    const handled: unknown[][] = []
    const ends: unknown[] = []
    const batch = gate()
    const unsubscribe = client.subscribe(
      'history.follow',
      {},
      {
        onBatch: (items) => {
          handled.push(items)
          return batch.promise
        },
        onEnd: (error) => ends.push(error)
      }
    )
    const id = lastSubscription()
    client.receive({ t: 'batch', id, items: [1] })
    await settle()
    unsubscribe()
    unsubscribe()
    batch.open()
    client.receive({ t: 'batch', id, items: [2] })
    await settle()
    expect(sent.filter((message) => message.t === 'unsubscribe')).toEqual([{ t: 'unsubscribe', id }])
    expect(handled).toEqual([[1]])
    expect(acks(id)).toBe(0)
    expect(ends).toEqual([])
  })

  it(
    'ends a subscription the connection cannot carry with the unreachable error, ' + 'after subscribe returned',
    async () => {
      const { client, state, sent } = connectedClient()
      state.up = false
      const ends: unknown[] = []
      const unsubscribe = client.subscribe(
        'history.follow',
        {},
        { onBatch: () => undefined, onEnd: (error) => ends.push(error) }
      )
      expect(ends).toEqual([])
      await settle()
      expect(ends).toEqual([LOST])
      state.up = true
      unsubscribe()
      expect(sent).toEqual([])
    }
  )

  it(
    'on failAll resolves every pending call and ends every open stream with the error, ' + 'after its queued batch',
    async () => {
      const { client, lastSubscription } = connectedClient()
      const pending = client.invoke('history.verify', {})
      const ends: unknown[] = []
      const batch = gate()
      client.subscribe(
        'history.follow',
        {},
        { onBatch: () => batch.promise, onEnd: (error) => ends.push(['slow', error]) }
      )
      const slow = lastSubscription()
      client.subscribe('history.follow', {}, { onBatch: () => undefined, onEnd: (error) => ends.push(['idle', error]) })
      client.receive({ t: 'batch', id: slow, items: [1] })

      client.failAll(LOST)
      expect(await pending).toEqual({ ok: false, error: LOST })
      await settle()
      expect(ends).toEqual([['idle', LOST]])
      batch.open()
      await settle()
      expect(ends).toEqual([
        ['idle', LOST],
        ['slow', LOST]
      ])

      // What the old connection still delivers belongs to nobody now.
      client.receive({ t: 'result', id: 1, result: { ok: true, value: 'late' } })
      client.receive({ t: 'end', id: slow, error: null })
      await settle()
      expect(ends).toHaveLength(2)
    }
  )

  it('ignores messages for ids it does not know', async () => {
    const { client, sent } = connectedClient()
    client.receive({ t: 'result', id: 40, result: { ok: true, value: 1 } })
    client.receive({ t: 'batch', id: 41, items: [1] })
    client.receive({ t: 'end', id: 42, error: null })
    await settle()
    expect(sent).toEqual([])
  })

  it('answers with a default unreachable error when none is given', async () => {
    const client = createContractClient({ send: () => false })
    const result = await client.invoke('flags.list', {})
    expect(!result.ok && result.error.code).toBe('unreachable')
  })
})
