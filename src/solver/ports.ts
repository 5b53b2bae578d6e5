/**
 * Ports: the interfaces through which the engine talks to the world. The engine decides what to
 * say and when; adapters (src/adapters) decide how (e-mail, SMS, webhook, calendar).
 */

export type NotificationKind =
  | 'offer'
  | 'offer_expired'
  | 'confirmation'
  | 'reminder'
  | 'cancellation'
  /** A live change moved the appointment (another staff member, same time), or the citizen rescheduled it. */
  | 'appointment_moved'
  /** A live change took the appointment's time away; `offerId` is the alternative held for them, if any. */
  | 'appointment_disrupted'

/** A message for one citizen. Only opaque ids and appointment facts — no personal data. */
export interface Notification {
  kind: NotificationKind
  /** Stable per message, so a sink that retries never sends twice. */
  idempotencyKey: string
  citizenId: string
  /** When the engine decided to send it (ISO 8601 with offset). */
  at: string
  officeId?: string
  start?: string
  end?: string
  services?: string[]
  appointmentId?: string
  offerId?: string
  /** Until when an offer can be accepted. */
  expiresAt?: string
  /** appointment_moved / appointment_disrupted: where and when it was before. */
  previous?: { officeId: string; staffId: string; start: string; end: string }
  /** appointment_disrupted: the alternative offered (its slot is in officeId/start/end). */
  alternative?: { officeId: string; start: string; end: string }
}

/** Where notifications go. `send` may be async; the engine never waits for it inside a command. */
export interface NotificationSink {
  send(n: Notification): void | Promise<void>
}
