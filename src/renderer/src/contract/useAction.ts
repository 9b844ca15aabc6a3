import { useCallback, useState } from 'react'
import type { InputOf, OperationName, OutputOf } from '@shared/contract/contract'
import type { InvokeResult } from '@shared/contract/bridge'
import { getBridge } from './bridge'

export interface ActionState<N extends OperationName> {
  run: (input: InputOf<N>) => Promise<InvokeResult<OutputOf<N>>>
  pending: boolean
  /** The answer to the latest run, or null before the first. */
  result: InvokeResult<OutputOf<N>> | null
}

/** An operation the operator triggers (evaluate, kill): runs on demand and keeps the latest answer. */
export function useAction<N extends OperationName>(name: N): ActionState<N> {
  const [pending, setPending] = useState(false)
  const [result, setResult] = useState<InvokeResult<OutputOf<N>> | null>(null)

  const run = useCallback(
    async (input: InputOf<N>) => {
      setPending(true)
      const answer = await getBridge().invoke(name, input)
      setResult(answer)
      setPending(false)
      return answer
    },
    [name]
  )
  return { run, pending, result }
}
