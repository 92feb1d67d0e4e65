import { createBookingActivities } from './bookings';
import { createBulkSyncActivities } from './bulk-sync';
import { createBusyTimeActivities } from './busy-times';
import { createCalendarActivities } from './calendar';
import { createDisconnectActivities } from './disconnect';
import { createInvitationActivities } from './invitations';
import { createPushChannelActivities } from './push-channels';
import { createRetentionActivities } from './retention';
import { createUserErasureActivities } from './user-erasure';
import { createNotificationActivities } from './notifications';
import type { ActivityDeps } from './deps';
import { createTokenActivities } from './tokens';

export type { ActivityDeps } from './deps';
export type { PrepareReconcileInput } from './bookings';
export type { BulkSyncPage, BulkSyncPageInput } from './bulk-sync';
export type { RefreshBusyInput } from './busy-times';
export type { UpsertEventInput, UpsertEventResult, CalendarEventInput, DeleteEventResult } from './calendar';
export type { SendInvitationInput, SendInvitationResult } from './invitations';
export type { RefreshTokenInput, RefreshTokenResult } from './tokens';

/** Every activity the worker registers, bound to the process's dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createBookingActivities(deps),
    ...createBulkSyncActivities(deps),
    ...createBusyTimeActivities(deps),
    ...createCalendarActivities(deps),
    ...createDisconnectActivities(deps),
    ...createInvitationActivities(deps),
    ...createPushChannelActivities(deps),
    ...createNotificationActivities(deps),
    ...createTokenActivities(deps),
    ...createRetentionActivities(deps),
    ...createUserErasureActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
