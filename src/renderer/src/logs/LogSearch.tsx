import { useId, useState, type KeyboardEvent } from 'react'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { SEARCH_HIGHLIGHT_LIMIT, type SearchResults } from './useLogTerminal'

interface LogSearchProps {
  results: SearchResults | null
  onFind: (term: string, direction: 'next' | 'previous') => void
}

/** Finds text in the terminal (case aside): Enter for the next match, Shift+Enter for the previous one. */
export function LogSearch({ results, onFind }: LogSearchProps) {
  const [term, setTerm] = useState('')
  const ids = { field: useId(), count: useId() }
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault()
      onFind(term, event.shiftKey ? 'previous' : 'next')
    }
    if (event.key === 'Escape' && term !== '') {
      setTerm('')
      onFind('', 'next')
    }
  }
  const empty = term === ''
  return (
    <div className="logs-search" role="search" aria-label="Find in the log">
      <label htmlFor={ids.field}>Find</label>
      <input
        id={ids.field}
        type="search"
        value={term}
        onChange={(event) => {
          setTerm(event.target.value)
          onFind(event.target.value, 'next')
        }}
        onKeyDown={onKeyDown}
        placeholder="text in the log"
        autoComplete="off"
        spellCheck={false}
        aria-describedby={ids.count}
        data-testid="logs-search"
      />
      <BlockableButton blocked={empty} onClick={() => onFind(term, 'previous')} data-testid="logs-search-previous">
        Previous
      </BlockableButton>
      <BlockableButton blocked={empty} onClick={() => onFind(term, 'next')} data-testid="logs-search-next">
        Next
      </BlockableButton>
      <span id={ids.count} className="logs-search-count" role="status" data-testid="logs-search-count">
        {countText(results, term)}
      </span>
    </div>
  )
}

function countText(results: SearchResults | null, term: string): string {
  if (term === '' || results === null || results.term !== term) return ''
  if (results.count === 0) return 'No match'
  if (results.overLimit) return `More than ${SEARCH_HIGHLIGHT_LIMIT.toLocaleString('en')} matches`
  const of = `${results.count.toLocaleString('en')} match${results.count === 1 ? '' : 'es'}`
  return results.index === 0 ? of : `${results.index.toLocaleString('en')} of ${of}`
}
