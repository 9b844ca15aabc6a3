import { useCallback, useEffect, useState } from 'react'

/** The page's main region (the skip link's target): where the focus goes when nothing nearer is left. */
export const MAIN_CONTENT_ID = 'main-content'

/**
 * Moves the keyboard focus to an element by id once the next render is on screen: after a form
 * closes, a banner is dismissed or a run ends, the element that had the focus may be gone, and
 * the browser would drop it to <body>. Targets are given as focusable (tabIndex -1 where needed).
 */
export function useFocusAfterRender(): (id: string) => void {
  const [target, setTarget] = useState<{ id: string } | null>(null)
  useEffect(() => {
    if (target === null) return
    document.getElementById(target.id)?.focus()
  }, [target])
  // A new object each time, so asking twice for the same element focuses it twice.
  return useCallback((id: string) => setTarget({ id }), [])
}
