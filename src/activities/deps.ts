import type { ChannelSecrets } from '../crypto/channel-secret';
import type { Repositories } from '../db/repositories';
import type { EventTemplates } from '../domain/event-templates';
import type { Reminder } from '../events/reminders';
import type { InvitationMode } from '../domain/invitations';
import type { Logger } from '../logging';
import type { Mailer } from '../mail/smtp-mailer';
import type { ProviderRegistry } from '../providers';

/** The repositories activities read and write through. */
export type ActivityRepositories = Pick<
  Repositories,
  | 'accountHealth'
  | 'bookings'
  | 'bulkSync'
  | 'busy'
  | 'busyConflicts'
  | 'calendarEvents'
  | 'calendarAccounts'
  | 'externalEdits'
  | 'invitationSends'
  | 'notifications'
  | 'channels'
  | 'slots'
  | 'budget'
  | 'syncLog'
  | 'retention'
  | 'userErasures'
>;

/** What activities need from the process that hosts them; built once per worker. */
export interface ActivityDeps extends ActivityRepositories {
  providers: ProviderRegistry;
  reminders: Reminder[];
  /** EVENT_TEMPLATES: the deployment's event templates; unset = the built-in ones. */
  eventTemplates?: EventTemplates;
  logger: Logger;
  /** Push channels: off, or where notifications go and how they are authenticated. */
  push?: { publicBaseUrl: string; ttlMs?: number; secrets: ChannelSecrets };
  /**
   * Events for the booking system: where they go, how long to retry, and how they are signed:
   * Standard Webhooks with every `standardSecrets` entry (NOTIFY_SECRETS) and, deprecated,
   * X-Signature with `secret` (WEBHOOK_SECRET).
   */
  notify?: { url: string; secret: string; standardSecrets?: readonly string[]; retryForMs: number };
  /** E-mail invitations (INVITATIONS, INVITATION_FROM, SMTP_URL); absent = off. */
  invitations?: { mode: Exclude<InvitationMode, 'off'>; from: string; mailer: Mailer; uidHost: string };
  /** BUSY_POLL_INTERVAL in milliseconds. */
  busyPollIntervalMs?: number;
  /** BUSY_WINDOW in milliseconds: how far ahead busy times are read. */
  busyWindowMs?: number;
  /** EXTERNAL_EDIT_POLICY: leave the user's deletions and moves of our events (respect) or undo them (restore). */
  externalEditPolicy?: 'respect' | 'restore';
  now?: () => number;
}
