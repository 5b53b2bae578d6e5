/**
 * A NotificationSink that writes one line per notification, for operators and development.
 * It prints ids and appointment facts only, from a fixed list of fields — never anything else a
 * notification might carry in future — so no personal data reaches a log through it.
 */
import type { Notification, NotificationSink } from '../../solver/index.js'

/** The fields printed, in this order; everything else is left out. */
export const CONSOLE_FIELDS = ['idempotencyKey', 'citizenId', 'officeId', 'start', 'end', 'services', 'appointmentId', 'offerId', 'expiresAt'] as const

export interface ConsoleSinkOptions {
  /** Where lines go (default: console.log). */
  write?: (line: string) => void
  /** `text` (default): `offer citizenId=c-1 officeId=122217 …`; `json`: one JSON object per line. */
  format?: 'text' | 'json'
}

/** The safe projection of a notification: kind, at, and the listed id/fact fields that are set. */
export function notificationFacts(n: Notification): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { kind: n.kind, at: n.at }
  for (const k of CONSOLE_FIELDS) {
    const v = (n as unknown as Record<string, unknown>)[k]
    if (typeof v === 'string') out[k] = v
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = [...(v as string[])]
  }
  return out
}

export class ConsoleNotificationSink implements NotificationSink {
  private readonly write: (line: string) => void
  private readonly format: 'text' | 'json'

  constructor(opts: ConsoleSinkOptions = {}) {
    this.write = opts.write ?? ((line) => console.log(line))
    this.format = opts.format ?? 'text'
  }

  send(n: Notification): void {
    const f = notificationFacts(n)
    if (this.format === 'json') {
      this.write(JSON.stringify(f))
      return
    }
    const parts = [`${f.at} ${f.kind}`]
    for (const k of CONSOLE_FIELDS) if (f[k] !== undefined) parts.push(`${k}=${Array.isArray(f[k]) ? (f[k] as string[]).join(',') : f[k]}`)
    this.write(parts.join(' '))
  }
}
