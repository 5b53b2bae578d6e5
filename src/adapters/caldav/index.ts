export { CalDavCalendarAdapter, type CalDavOptions } from './adapter.js'
