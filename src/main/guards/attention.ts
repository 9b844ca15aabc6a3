import type { Attention } from '@shared/supervision-types'
import type { EventLog } from '@main/history/event-log'
import type { DesktopNotifier } from '@main/platform/desktop-notifier'
import { AUTOMATIC_ACTOR } from '@main/platform/operator'

export interface AttentionRequest {
  level: Attention['level']
  environment: string
  flag: string
  title: string
  body: string
  /** The event it is about (the guard_trip, the failed action's trip), when there is one. */
  subjectSeq: number | null
  /** Console pages following the supervision now: each shows it, and may notify in the browser. */
  consolePages: number
}

export interface AttentionDeps {
  events: Pick<EventLog, 'appendEvent'>
  /** The person at this console, who the desktop notification reaches. */
  actor: string
  notifier: DesktopNotifier | null
}

const RECENT_KEPT = 20

/**
 * Raises what someone should know now (a breach, a trip, a failed automatic action): shows it on
 * the desktop when there is one, and records who was notified of what as a `notification` event,
 * including that nobody was when no desktop and no console page could show it.
 */
export class AttentionService {
  private readonly recentAttentions: Attention[] = []

  constructor(private readonly deps: AttentionDeps) {}

  raise(request: AttentionRequest): Attention {
    const shown = this.deps.notifier?.show({
      title: request.title,
      body: request.body,
      urgent: request.level !== 'breach'
    })
    const notified = [
      ...(shown === true ? [`${this.deps.actor} (desktop notification)`] : []),
      ...(request.consolePages > 0 ? [`${request.consolePages} console page(s) following the guards`] : [])
    ]
    const desktop = this.deps.notifier === null ? 'none (browser mode)' : shown === true ? 'shown' : 'unavailable'
    const event = this.deps.events.appendEvent({
      kind: 'notification',
      actor: AUTOMATIC_ACTOR,
      flag: request.flag,
      environment: request.environment,
      reason: request.title,
      outcome: notified.length > 0 ? 'notified' : 'nobody_notified',
      detail: {
        level: request.level,
        body: request.body,
        subjectSeq: request.subjectSeq,
        notified,
        desktop,
        consolePages: request.consolePages
      }
    })
    const attention: Attention = {
      seq: event.seq,
      at: event.at,
      level: request.level,
      environment: request.environment,
      flag: request.flag,
      title: request.title,
      body: request.body
    }
    this.recentAttentions.unshift(attention)
    this.recentAttentions.length = Math.min(this.recentAttentions.length, RECENT_KEPT)
    return attention
  }

  /** A console page showed the attention as a browser notification to the person at it. */
  delivered(attentionSeq: number, channel: 'browser'): { seq: number } {
    const attention = this.recentAttentions.find((candidate) => candidate.seq === attentionSeq)
    const event = this.deps.events.appendEvent({
      kind: 'notification',
      actor: this.deps.actor,
      flag: attention?.flag ?? null,
      environment: attention?.environment ?? null,
      reason: attention?.title ?? `notification #${attentionSeq}`,
      outcome: 'shown',
      detail: { channel, attentionSeq, notified: [`${this.deps.actor} (${channel} notification)`] }
    })
    return { seq: event.seq }
  }

  /** The latest attentions, newest first, for a page that opens later. */
  recent(): Attention[] {
    return [...this.recentAttentions]
  }
}
