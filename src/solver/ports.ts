/**
 * Ports: the interfaces through which the engine talks to the world. The engine decides what to
 * say and when; adapters (src/adapters) decide how (e-mail, SMS, webhook, calendar).
 */

export type NotificationKind = 'offer' | 'offer_expired' | 'confirmation' | 'reminder' | 'cancellation'

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
}

/** Where notifications go. `send` may be async; the engine never waits for it inside a command. */
export interface NotificationSink {
  send(n: Notification): void | Promise<void>
}
