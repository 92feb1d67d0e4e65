import { usableCredentials } from '../account-access/token-refresh';
import type { ChannelSecrets } from '../crypto/channel-secret';
import type { BookingStore } from '../db/bookings';
import type { BusyStore } from '../db/busy-times';
import type { ConnectLimits } from '../account-access/connect-limits';
import type { CalendarAccountStore } from '../db/calendar-accounts';
import type { ConnectAttemptStore } from '../db/connect-attempts';
import type { ExternalEditStore } from '../db/external-edits';
import type { ProviderChannelStore } from '../db/provider-channels';
import type { Logger } from '../logging';
import type { PrivateNetworkAllowance } from '../net/address-policy';
import { guardedFetch } from '../net/guarded-fetch';
import type { ProviderRegistry } from '../providers';
import { discoverCalDav } from '../providers/caldav';
import type { WorkflowGateway } from '../temporal/workflow-gateway';
import { Bookings } from './bookings';
import { CalendarAccounts } from './calendar-accounts';
import { PushNotifications } from './push-notifications';

export interface ApplicationDeps {
  bookings: Pick<BookingStore, 'loadView'>;
  externalEdits: Pick<ExternalEditStore, 'statesOf'>;
  channels: ProviderChannelStore;
  calendarAccounts: CalendarAccountStore;
  busy: Pick<BusyStore, 'chooseCalendars'>;
  connectAttempts: ConnectAttemptStore;
  connectLimits: ConnectLimits;
  providers: ProviderRegistry;
  workflows: WorkflowGateway;
  channelSecrets: ChannelSecrets;
  icloudCaldavUrl: string;
  /** Which non-public addresses CalDAV servers may be reached at when an account is connected. */
  caldavAllowPrivateNetworks: PrivateNetworkAllowance;
  logger: Logger;
}

export interface ApplicationServices {
  bookings: Bookings;
  calendarAccounts: CalendarAccounts;
  pushNotifications: PushNotifications;
}

/** The services the HTTP routes and pages call, each given the storage and gateway it works with. */
export function createApplicationServices(deps: ApplicationDeps): ApplicationServices {
  const { calendarAccounts, providers, workflows, logger } = deps;
  const caldavTransport = guardedFetch(deps.caldavAllowPrivateNetworks);
  return {
    bookings: new Bookings({
      workflows,
      records: {
        recordedView: (bookingId) => deps.bookings.loadView(bookingId),
        externalEdits: (bookingId) => deps.externalEdits.statesOf(bookingId),
      },
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
  };
}
