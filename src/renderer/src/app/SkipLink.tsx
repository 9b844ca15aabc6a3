import type { MouseEvent } from 'react'

/**
 * The first stop of Tab: straight to the page's content past the header. The focus is moved by
 * hand rather than by following "#id", so the address (and Electron's navigation guard) is left alone.
 */
export function SkipLink({ targetId }: { targetId: string }) {
  const skip = (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault()
    document.getElementById(targetId)?.focus()
  }
  return (
    <a className="skip-link" href={`#${targetId}`} onClick={skip}>
      Skip to main content
    </a>
  )
}
