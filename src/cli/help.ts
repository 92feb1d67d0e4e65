/** The `--help` of each command of `calsync` (node dist/main.js). */
export const HELP = {
  main: `Usage: calsync [command] [options]

Serving (the default is all):
  all | api | worker                 serve the API and/or run the worker

Operator commands (configuration from the service's environment):
  resync <userId|connectionId>       ask a bulk sync of the user's active calendar accounts (or of one)
  booking history <bookingId>        a booking's sync history, oldest first
  notifications redeliver <id>       send a stored notification to NOTIFY_URL again
  keys reencrypt                     re-seal stored secrets and personal data under the first ENCRYPTION_KEYS key
  migrate                            apply pending database migrations

Every operator command takes --json (one JSON document on stdout) and --help.
Exit codes: 0 done, 1 failed (not found, unreachable, configuration), 2 usage error.
`,
  resync: `Usage: calsync resync <userId|connectionId> [--json]

Asks a bulk sync of every active calendar account of the user, or of the one calendar account
named by its connection id, through its workflow in Temporal (as turning sync back on does):
every booking is written again where its event is missing or out of date. Accounts not active
or with sync off are skipped and listed. Prints what was asked; the syncs run in the worker.
Reads the service's environment (DATABASE_URL, ENCRYPTION_KEYS, TEMPORAL_ADDRESS, ...).
`,
  bookingHistory: `Usage: calsync booking history <bookingId> [--limit N] [--cursor C] [--json]

Prints the booking's sync history, oldest first: calendar writes, retries and failures, external
edits, notifications and invitations (what GET /v1/bookings/:bookingId/history returns).
  --limit N    entries per page, 1-500 (default 100)
  --cursor C   the next page: the cursor the previous page printed
Reads the service's environment (DATABASE_URL, ENCRYPTION_KEYS, ...).
`,
  notificationsRedeliver: `Usage: calsync notifications redeliver <notificationId> [--json]

Sends a stored notification (failed or delivered; see GET /v1/notifications) to NOTIFY_URL again:
it becomes pending and its delivery workflow runs anew for NOTIFY_RETRY_FOR, with the same id
(the receiver's idempotency key). A pending one keeps its running delivery.
Reads the service's environment (DATABASE_URL, NOTIFY_URL, NOTIFY_RETRY_FOR, TEMPORAL_ADDRESS, ...).
`,
  keysReencrypt: `Usage: calsync keys reencrypt [--json]

Key rotation: re-seals every stored secret and bookings' personal data under the first key of
ENCRYPTION_KEYS (the others still open what they sealed). Applies pending migrations first.
Exits 1 when a row could not be re-sealed; safe to run again. Needs only DATABASE_URL and ENCRYPTION_KEYS.
(\`calsync reencrypt\` is the same command.)
`,
  migrate: `Usage: calsync migrate [--json]

Applies pending database migrations (every serving process also does at start). Needs only DATABASE_URL.
`,
} as const;
