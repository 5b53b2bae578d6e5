export { ConsoleNotificationSink, notificationFacts, CONSOLE_FIELDS, type ConsoleSinkOptions } from './console.js'
export { WebhookNotificationSink, signWebhook, type WebhookSinkOptions, type BackoffOptions, type AttemptInfo } from './webhook.js'
