export { openScheduler, type OpenSchedulerOptions, type JournaledScheduler, type JournalRecovery, type JournalFsync } from './open.js'
export { JOURNAL_COMMANDS, parseJournal, type JournalCommand, type JournalEntry, type ParsedJournal } from './journal.js'
