import { useEffect, useEffectEvent, useRef } from 'react'
import type { FlagView } from '@shared/views'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import type { InvokeState } from '@renderer/contract/useInvoke'
import type { Supervision } from '@renderer/guards/useSupervision'
import { RolloutPanel } from './RolloutPanel'

interface RolloutPageProps {
  environment: string | null
  flags: InvokeState<FlagView[]>
  historyTick: number
  supervision: Supervision
  /** The flag whose panel is most in view (or holds the focus): the emergency action defaults to it. */
  onFlagInView: (flag: string) => void
}

/** A rollout panel per flag of the chosen environment. */
export function RolloutPage({ environment, flags, historyTick, supervision, onFlagInView }: RolloutPageProps) {
  const views = flags.value
  const page = useRef<HTMLDivElement | null>(null)
  const reportInView = useEffectEvent(onFlagInView)
  const panelKeys = views?.map((view) => view.flag).join('\n') ?? ''

  useEffect(() => {
    const root = page.current
    if (root === null || panelKeys === '') return
    const visible = new Map<Element, number>()
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) visible.set(entry.target, entry.intersectionRatio)
        let best: { flag: string; ratio: number } | null = null
        for (const [element, ratio] of visible) {
          const flag = element.getAttribute('data-flag')
          if (flag !== null && ratio > 0 && (best === null || ratio > best.ratio)) best = { flag, ratio }
        }
        if (best !== null) reportInView(best.flag)
      },
      { threshold: [0, 0.25, 0.5, 0.75, 1] }
    )
    for (const panel of root.querySelectorAll('[data-flag]')) observer.observe(panel)
    // Working in a panel makes it the one on screen, whatever else is visible.
    const onFocus = (event: FocusEvent) => {
      const flag = (event.target as Element | null)?.closest('[data-flag]')?.getAttribute('data-flag')
      if (flag !== null && flag !== undefined) reportInView(flag)
    }
    root.addEventListener('focusin', onFocus)
    return () => {
      observer.disconnect()
      root.removeEventListener('focusin', onFocus)
    }
  }, [panelKeys])

  return (
    <div className="rollout-page" ref={page}>
      <h1>Rollout{environment === null ? '' : ` in ${environment}`}</h1>
      <p className="muted">
        The path is 0 → 10 → 25 → 50 → 100 %. Advance goes to the next phase only, once its gate is met.
      </p>
      {flags.error !== null && <ErrorNotice error={flags.error} context="Could not list the flags" />}
      {views === null && flags.error === null && <p className="muted">Reading the flags…</p>}
      {views !== null && views.length === 0 && <p className="muted">This environment lists no flags.</p>}
      {views?.map((view) => (
        <RolloutPanel
          key={`${view.environment}/${view.flag}`}
          environment={view.environment}
          flag={view.flag}
          historyTick={historyTick}
          supervision={supervision.of(view.environment, view.flag)}
          following={supervision.following}
          onDismissAction={(tripEventSeq) => supervision.dismiss(view.environment, view.flag, tripEventSeq)}
        />
      ))}
    </div>
  )
}
