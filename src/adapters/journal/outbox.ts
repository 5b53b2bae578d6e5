/**
 * Events and notifications of the command being run wait here until its record is written (a
 * line, a commit); during recovery and replay they are dropped (they were delivered before the
 * crash, by the leader, or belong to a command whose result nobody saw).
 */
import type { Notification } from '../../solver/ports.js'
import type { SchedulerEventName } from '../../solver/scheduler/index.js'

export type Outgoing = { event: SchedulerEventName; payload: unknown } | { note: Notification }

export class Outbox {
  mode: 'drop' | 'queue' = 'drop'
  items: Outgoing[] = []
  head = 0
  push(x: Outgoing): void {
    if (this.mode === 'queue') this.items.push(x)
  }
}
