import { usableCredentials } from '../account-access/token-refresh';
import type { ChannelSecrets } from '../crypto/channel-secret';
import type { BookingStore } from '../db/bookings';
import type { BusyStore } from '../db/busy-times';
import type { ConnectLimits } from '../account-access/connect-limits';
import type { CalendarAccountStore } from '../db/calendar-accounts';
import type { ConnectAttemptStore } from '../db/connect-attempts';
import type { ExternalEditStore } from '../db/external-edits';
import type { ProviderChannelStore } from '../db/provider-channels';
import type { StoredBookingStore } from '../db/stored-bookings';
import type { UserBookingStore } from '../db/user-bookings';
import type { BookingHistoryStore } from '../db/booking-history';
import type { Logger } from '../logging';
import type { PrivateNetworkAllowance } from '../net/address-policy';
import { guardedFetch } from '../net/guarded-fetch';
import type { ProviderRegistry } from '../providers';
import { discoverCalDav } from '../providers/caldav';
import type { WorkflowGateway } from '../temporal/workflow-gateway';
import { BookingArchive } from './booking-archive';
import { Bookings } from './bookings';
import { CalendarAccounts } from './calendar-accounts';
import { PushNotifications } from './push-notifications';
import { UserErasures } from './user-erasure';
import { UserSubjects } from '../crypto/user-subject';
import type { KeyringEntry } from '../crypto/keyring';

export interface ApplicationDeps {
  bookings: Pick<BookingStore, 'loadView' | 'loadStatus'>;
  storedBookings: StoredBookingStore;
  userBookings: UserBookingStore;
  bookingHistory: BookingHistoryStore;
  externalEdits: Pick<ExternalEditStore, 'statesOf'>;
  channels: ProviderChannelStore;
  calendarAccounts: CalendarAccountStore;
  busy: Pick<BusyStore, 'chooseCalendars'>;
  connectAttempts: ConnectAttemptStore;
  connectLimits: ConnectLimits;
  providers: ProviderRegistry;
  workflows: WorkflowGateway;
  channelSecrets: ChannelSecrets;
  /** ENCRYPTION_KEYS: an erased user is recorded under a hash keyed by them. */
  encryptionKeys: KeyringEntry[];
  icloudCaldavUrl: string;
  /** Which non-public addresses CalDAV servers may be reached at when an account is connected. */
  caldavAllowPrivateNetworks: PrivateNetworkAllowance;
  logger: Logger;
}

export interface ApplicationServices {
  bookings: Bookings;
  bookingArchive: BookingArchive;
  calendarAccounts: CalendarAccounts;
  pushNotifications: PushNotifications;
  userErasures: UserErasures;
}

/** The services the HTTP routes and pages call, each given the storage and gateway it works with. */
export function createApplicationServices(deps: ApplicationDeps): ApplicationServices {
  const { calendarAccounts, providers, workflows, logger } = deps;
  const caldavTransport = guardedFetch(deps.caldavAllowPrivateNetworks);
  return {
    bookings: new Bookings({
      workflows,
      records: {
        recordedView: (bookingId, workflowGone) => deps.bookings.loadView(bookingId, workflowGone),
        stored: (bookingId) => deps.storedBookings.load(bookingId),
        externalEdits: (bookingId) => deps.externalEdits.statesOf(bookingId),
      },
    }),
    bookingArchive: new BookingArchive({
      userBookings: deps.userBookings,
      history: deps.bookingHistory,
      exists: async (bookingId) => (await deps.bookings.loadStatus(bookingId)) !== null,
    }),
    calendarAccounts: new CalendarAccounts({
      accounts: calendarAccounts,
      workflows,
      providers,
      busy: deps.busy,
      listCalendars: async (account) => {
        const credentials = await usableCredentials({ calendarAccounts, providers, logger }, account.id);
        return providers.calendar(account.provider).listCalendars({ credentials });
      },
      icloudCaldavUrl: deps.icloudCaldavUrl,
      attempts: deps.connectAttempts,
      limits: deps.connectLimits,
      discoverCalDav: (input) => discoverCalDav(input, caldavTransport),
      logger,
    }),
    pushNotifications: new PushNotifications({ channels: deps.channels, secrets: deps.channelSecrets, workflows, logger }),
    userErasures: new UserErasures({ subjects: new UserSubjects(deps.encryptionKeys), accounts: calendarAccounts, workflows }),
  };
}
