import type { z } from 'zod'

/** One request/response operation: a zod schema for its input, a type for its output. */
export interface OperationSpec<I extends z.ZodType, O> {
  readonly kind: 'operation'
  readonly input: I
  /** Phantom: carries the output type only. */
  readonly output?: O
}

/** One subscription: a zod schema for its input, a type for each item in the batches it sends. */
export interface StreamSpec<I extends z.ZodType, T> {
  readonly kind: 'stream'
  readonly input: I
  readonly item?: T
}

export const operation =
  <O>() =>
  <I extends z.ZodType>(input: I): OperationSpec<I, O> => ({ kind: 'operation', input })

export const stream =
  <T>() =>
  <I extends z.ZodType>(input: I): StreamSpec<I, T> => ({ kind: 'stream', input })
