/**
 * Event listeners and notification sending, shared by the scheduler and the journaled wrapper:
 * whatever a listener or a sink does, the command that caused it has already succeeded.
 */
import type { Notification, NotificationSink } from './ports.js'

export class Listeners<Events extends object> {
  private readonly sets = new Map<keyof Events, Set<(e: never) => void>>()

  on<E extends keyof Events>(event: E, handler: (e: Events[E]) => void): () => void {
    let set = this.sets.get(event)
    if (!set) this.sets.set(event, (set = new Set()))
    set.add(handler as (e: never) => void)
    return () => set!.delete(handler as (e: never) => void)
  }

  /** Whether anyone listens to `event` (so a payload is built only when someone reads it). */
  has(event: keyof Events): boolean {
    return (this.sets.get(event)?.size ?? 0) > 0
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const set = this.sets.get(event)
    if (!set) return
    for (const h of [...set]) {
      try {
        ;(h as (e: Events[E]) => void)(payload)
      } catch (e) {
        // A listener's failure must not undo or block a committed command; surface it asynchronously.
        queueMicrotask(() => {
          throw e
        })
      }
    }
  }
}

/** Sends `n`; a sink that throws or rejects is reported to `failed`. */
export function sendNotification(sink: NotificationSink, n: Notification, failed: (error: unknown) => void): void {
  try {
    const r = sink.send(n)
    if (r && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).then(undefined, failed)
  } catch (e) {
    failed(e)
  }
}
