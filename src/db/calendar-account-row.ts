import type { AccountProblemKind } from '../domain/account-health';
import type { Reminder } from '../events/reminders';
import type { ProviderKind } from '../providers/types';
import type { BulkSyncProgress } from './bulk-sync';
import type { CalendarAccount, CalendarAccountStatus, EventsNotRemoved } from './calendar-account-types';

/** calendar_connections as stored: the sealed columns hold ciphertext. */
export interface CalendarAccountRow {
  id: string;
  user_id: string;
  provider: ProviderKind;
  status: CalendarAccountStatus;
  calendar_id: string;
  sync_enabled: boolean;
  token_expires_at: Date | null;
  token_issued_at: Date | null;
  token_version: number;
  last_synced_at: Date | null;
  last_error: string | null;
  created_at: Date;
  bulk_sync: BulkSyncProgress | null;
  removing_events: boolean;
  account_email_enc: string | null;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  password_enc: string | null;
  server_url: string | null;
  /** SHA-256 (hex) of the provider's stable account identity, where it has one (see accountSubjectHash). */
  account_subject_hash: string | null;
  reminders: Reminder[] | null;
  busy_calendar_ids: string[] | null;
  error_kind: AccountProblemKind | null;
  events_not_removed: EventsNotRemoved | null;
}

/** Plain columns a new row is given (sealed ones are named by SealedColumn); the rest take their defaults. */
export type InsertedColumn =
  'user_id' | 'provider' | 'calendar_id' | 'token_expires_at' | 'token_issued_at' | 'server_url' | 'account_subject_hash';

export const COLUMNS =
  'id, user_id, provider, status, calendar_id, sync_enabled, token_expires_at, token_issued_at, token_version, last_synced_at, last_error, created_at, bulk_sync, removing_events, account_email_enc, access_token_enc, refresh_token_enc, password_enc, server_url, account_subject_hash, reminders, busy_calendar_ids, error_kind, events_not_removed';

export function toCalendarAccount(row: CalendarAccountRow): CalendarAccount {
  return {
    id: row.id,
    userId: row.user_id,
    provider: row.provider,
    status: row.status,
    calendarId: row.calendar_id,
    syncEnabled: row.sync_enabled,
    tokenExpiresAt: row.token_expires_at,
    tokenIssuedAt: row.token_issued_at,
    tokenVersion: row.token_version,
    lastSyncedAt: row.last_synced_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    bulkSync: row.bulk_sync,
    removingEvents: row.removing_events,
    reminders: row.reminders,
    busyCalendarIds: row.busy_calendar_ids,
    errorKind: row.status === 'error' ? row.error_kind : null,
    serverUrl: row.server_url,
    eventsNotRemoved: row.events_not_removed,
  };
}
