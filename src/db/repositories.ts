import type { Pool } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import { PgAccountHealthStore, type AccountHealthStore } from './account-health';
import { BookingPersonalSeal } from './booking-personal-data';
import { PgBookingHistoryStore, type BookingHistoryStore } from './booking-history';
import { PgBookingStore, type BookingStore } from './bookings';
import { PgBulkSyncStore, type BulkSyncStore } from './bulk-sync';
import { PgBusyConflictStore, type BusyConflictStore } from './busy-conflicts';
import { PgBusyStore, type BusyStore } from './busy-times';
import { PgCalendarEventStore, type CalendarEventStore } from './calendar-events';
import { PgCalendarAccountStore, type CalendarAccountStore } from './calendar-accounts';
import { PgConnectAttemptStore, type ConnectAttemptStore } from './connect-attempts';
import { PgFeedLinkStore, type FeedLinkStore } from './feed-links';
import { PgExternalEditStore, type ExternalEditStore } from './external-edits';
import { PgDatabaseHealth, type DatabaseHealth } from './health';
import { PgInvitationSendStore, type InvitationSendStore } from './invitation-sends';
import { PgNotificationStore, type NotificationStore } from './notifications';
import { PgOAuthFlowStore, type OAuthFlowStore } from './oauth-flows';
import { PgProviderChannelStore, type ProviderChannelStore } from './provider-channels';
import { PgProviderBudgetStore, type ProviderBudgetStore } from './provider-budget';
import { PgProviderSlotStore, type ProviderSlotStore } from './provider-slots';
import { PgRetentionStore, type RetentionStore } from './retention';
import { PgSettingsLinkStore, type SettingsLinkStore } from './settings-links';
import { PgStoredBookingStore, type StoredBookingStore } from './stored-bookings';
import { PgSyncLogStore, type SyncLogStore } from './sync-log';
import { PgUserBookingStore, type UserBookingStore } from './user-bookings';
import { PgUserErasureStore, type UserErasureStore } from './user-erasure';
import { PgWebhookReceipts, type WebhookReceipts } from './webhook-receipts';

/** Every repository the service uses, as the interfaces activities and the API depend on. */
export interface Repositories {
  accountHealth: AccountHealthStore;
  bookings: BookingStore;
  bookingHistory: BookingHistoryStore;
  bulkSync: BulkSyncStore;
  busy: BusyStore;
  busyConflicts: BusyConflictStore;
  calendarEvents: CalendarEventStore;
  calendarAccounts: CalendarAccountStore;
  connectAttempts: ConnectAttemptStore;
  externalEdits: ExternalEditStore;
  feedLinks: FeedLinkStore;
  health: DatabaseHealth;
  invitationSends: InvitationSendStore;
  notifications: NotificationStore;
  oauthFlows: OAuthFlowStore;
  channels: ProviderChannelStore;
  slots: ProviderSlotStore;
  budget: ProviderBudgetStore;
  settingsLinks: SettingsLinkStore;
  storedBookings: StoredBookingStore;
  syncLog: SyncLogStore;
  receipts: WebhookReceipts;
  retention: RetentionStore;
  userBookings: UserBookingStore;
  userErasures: UserErasureStore;
}

/** The PostgreSQL repositories on one pool; secrets and bookings' personal data are sealed and opened with `box`. */
export function createRepositories(pool: Pool, box: SecretBox): Repositories {
  const personal = new BookingPersonalSeal(box);
  return {
    accountHealth: new PgAccountHealthStore(pool),
    bookings: new PgBookingStore(pool, personal),
    bookingHistory: new PgBookingHistoryStore(pool),
    bulkSync: new PgBulkSyncStore(pool),
    busy: new PgBusyStore(pool),
    busyConflicts: new PgBusyConflictStore(pool),
    calendarEvents: new PgCalendarEventStore(pool),
    calendarAccounts: new PgCalendarAccountStore(pool, box),
    connectAttempts: new PgConnectAttemptStore(pool),
    externalEdits: new PgExternalEditStore(pool),
    feedLinks: new PgFeedLinkStore(pool, personal),
    health: new PgDatabaseHealth(pool),
    invitationSends: new PgInvitationSendStore(pool),
    notifications: new PgNotificationStore(pool),
    oauthFlows: new PgOAuthFlowStore(pool, box),
    channels: new PgProviderChannelStore(pool),
    slots: new PgProviderSlotStore(pool),
    budget: new PgProviderBudgetStore(pool),
    settingsLinks: new PgSettingsLinkStore(pool),
    storedBookings: new PgStoredBookingStore(pool, personal),
    syncLog: new PgSyncLogStore(pool),
    receipts: new PgWebhookReceipts(pool),
    retention: new PgRetentionStore(pool),
    userBookings: new PgUserBookingStore(pool, personal),
    userErasures: new PgUserErasureStore(pool, personal),
  };
}
