import { useCallback, useEffect, useState } from 'react'
import type { InputOf, OperationName, OutputOf } from '@shared/contract/contract'
import type { InvokeResult } from '@shared/contract/bridge'
import type { ContractError } from '@shared/errors'
import { getBridge } from './bridge'
import { useConnectionState } from './useConnectionState'

export interface InvokeState<T> {
  /** The last successful answer; kept while a reload is under way so the screen does not flicker. */
  value: T | null
  /** The error of the latest answer, or null. */
  error: ContractError | null
  loading: boolean
  reload: () => void
}

interface Answer {
  key: string
  result: InvokeResult<unknown>
}

export interface InvokeOptions {
  /** Any value; the call is made again whenever it changes (e.g. a count of history events seen). */
  refreshKey?: string | number
}

/**
 * Calls a read operation and keeps its answer; calls again when the input changes, when
 * `reload` is called, when `refreshKey` changes, and when the connection comes back.
 */
export function useInvoke<N extends OperationName>(
  name: N,
  input: InputOf<N>,
  options: InvokeOptions = {}
): InvokeState<OutputOf<N>> {
  const connection = useConnectionState()
  const [version, setVersion] = useState(0)
  const [answer, setAnswer] = useState<Answer | null>(null)
  const [lastValue, setLastValue] = useState<OutputOf<N> | null>(null)
  // The input is compared by content: callers write `{}` inline on every render.
  const key = JSON.stringify([name, input, version, connection, options.refreshKey ?? null])

  useEffect(() => {
    const [requestName, requestInput, , requestConnection] = JSON.parse(key) as [N, InputOf<N>, number, string]
    // While (re)connecting, wait: the call is made once the connection is up. When it is down,
    // the call fails at once with `unreachable`, which is what the page should then say.
    if (requestConnection === 'connecting') return
    let current = true
    void getBridge()
      .invoke(requestName, requestInput)
      .then((result) => {
        if (!current) return
        setAnswer({ key, result })
        if (result.ok) setLastValue(result.value)
      })
    return () => {
      current = false
    }
  }, [key])

  const reload = useCallback(() => setVersion((value) => value + 1), [])
  return {
    value: lastValue,
    error: answer !== null && !answer.result.ok ? answer.result.error : null,
    loading: answer === null || answer.key !== key,
    reload
  }
}
