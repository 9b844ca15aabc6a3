import type { z } from 'zod'
import {
  contract,
  isOperationName,
  isStreamName,
  streams,
  type OperationName,
  type OutputOf,
  type ParsedInputOf,
  type ParsedStreamInputOf,
  type StreamItemOf,
  type StreamName
} from '@shared/contract/contract'
import type { InvokeResult } from '@shared/contract/bridge'
import { RampartError, toContractError, type ContractError } from '@shared/errors'
import { describeIssues } from '@main/platform/input-validation'
import { StreamChannel, type StreamChannelOptions } from './stream-channel'

/** Who is calling, for the record; the transports fill it in. */
export interface CallContext {
  transport: 'ipc' | 'websocket' | 'cli' | 'test'
}

/** One handler per operation: a missing or mistyped handler is a compile error. */
export type Handlers = {
  [N in OperationName]: (input: ParsedInputOf<N>, context: CallContext) => Promise<OutputOf<N>>
}

export interface StreamSink<T> {
  /** Resolves when the consumer has room for more. */
  push(items: readonly T[]): Promise<void>
  /** Aborted when the subscriber goes away: stop producing and release what you hold. */
  readonly signal: AbortSignal
}

/** One producer per stream; it returns (or rejects) when the stream ends. */
export type StreamProducers = {
  [N in StreamName]: (input: ParsedStreamInputOf<N>, sink: StreamSink<StreamItemOf<N>>) => Promise<void>
}

/** Renders a zod failure as one sentence naming each field. */
function describeInvalidInput(name: string, error: z.ZodError): RampartError {
  return new RampartError('bad_input', `Invalid input for ${name}: ${describeIssues(error)}`, { issues: error.issues })
}

/** Validates and runs one operation. Never throws: errors come back as `{ code, message, detail? }`. */
export async function dispatchInvoke(
  handlers: Handlers,
  name: unknown,
  rawInput: unknown,
  context: CallContext
): Promise<InvokeResult<unknown>> {
  try {
    if (!isOperationName(name)) {
      throw new RampartError('bad_input', `Unknown operation ${JSON.stringify(name)}`)
    }
    const parsed = contract[name].input.safeParse(rawInput ?? {})
    if (!parsed.success) throw describeInvalidInput(name, parsed.error)
    const handler = handlers[name] as (input: unknown, context: CallContext) => Promise<unknown>
    const value = await handler(parsed.data, context)
    return { ok: true, value }
  } catch (error) {
    return { ok: false, error: toContractError(error) }
  }
}

export interface SubscriptionTransport {
  sendBatch(items: unknown[]): void
  sendEnd(error: ContractError | null): void
}

export interface Subscription {
  ack(): void
  close(): void
}

/** Validates and starts one stream, wiring the producer to an acknowledged channel. */
export function openSubscription(
  producers: StreamProducers,
  name: unknown,
  rawInput: unknown,
  transport: SubscriptionTransport,
  options?: StreamChannelOptions
): Subscription {
  const abort = new AbortController()
  const channel = new StreamChannel<unknown>((items) => transport.sendBatch(items), options)
  let ended = false
  const end = (error: ContractError | null): void => {
    if (ended) return
    ended = true
    channel.close()
    abort.abort()
    transport.sendEnd(error)
  }

  if (!isStreamName(name)) {
    end(new RampartError('bad_input', `Unknown stream ${JSON.stringify(name)}`).toContractError())
    return { ack: () => undefined, close: () => undefined }
  }
  const parsed = streams[name].input.safeParse(rawInput ?? {})
  if (!parsed.success) {
    end(describeInvalidInput(name, parsed.error).toContractError())
    return { ack: () => undefined, close: () => undefined }
  }
  const producer = producers[name] as (input: unknown, sink: StreamSink<unknown>) => Promise<void>
  const sink: StreamSink<unknown> = { push: (items) => channel.push(items), signal: abort.signal }
  // What was pushed before the producer stopped is still delivered (the last log lines before a
  // failure matter most), then the end; a subscriber that went away has closed the channel already.
  const finish = (error: ContractError | null): Promise<void> => channel.whenFlushed().then(() => end(error))
  // A producer that throws before its first await still ends the stream instead of escaping to the transport.
  void new Promise<void>((resolve) => resolve(producer(parsed.data, sink))).then(
    () => finish(null),
    (error: unknown) => finish(abort.signal.aborted ? null : toContractError(error))
  )
  return {
    ack: () => channel.ack(),
    close: () => {
      if (ended) return
      ended = true
      channel.close()
      abort.abort()
    }
  }
}
