import { guardedFetch } from '../net/guarded-fetch';
import type { PrivateNetworkAllowance } from '../net/address-policy';
import { CalDavCalendarProvider } from './caldav';
import { GoogleCalendarProvider, GoogleOAuth, type GoogleOAuthConfig } from './google';
import { MicrosoftCalendarProvider, MicrosoftOAuth, type MicrosoftOAuthConfig, type OutlookReminderChoice } from './microsoft';
import type { ClientCredentials } from './oauth2-token';
import { ProviderError, type CalendarProvider, type OAuthProvider, type ProviderKind } from './types';

/** An OAuth client this deployment may not have: without both values, that provider cannot be connected. */
type OptionalClient = { [K in keyof ClientCredentials]: string | undefined };

/** What the registry needs to know of each provider; the service's configuration has this shape. */
export interface ProviderSettings {
  google: Omit<GoogleOAuthConfig, keyof ClientCredentials> & OptionalClient & { quotaPerUserPerMinute: number };
  microsoft: Omit<MicrosoftOAuthConfig, keyof ClientCredentials> & OptionalClient & { reminder: OutlookReminderChoice };
  /** Which non-public addresses CalDAV servers may be reached at (see src/net/address-policy.ts). */
  caldav: { allowPrivateNetworks: PrivateNetworkAllowance };
}

/** The adapters this deployment can use, built from its settings. */
export interface ProviderRegistry {
  calendar(kind: ProviderKind): CalendarProvider;
  oauth(kind: ProviderKind): OAuthProvider;
}

/** The OAuth adapter `build` makes, when the settings name a client. */
function oauthClient<S extends OptionalClient>(
  settings: S,
  build: (settings: S & ClientCredentials) => OAuthProvider,
): OAuthProvider | undefined {
  const { clientId, clientSecret } = settings;
  return clientId && clientSecret ? build({ ...settings, clientId, clientSecret }) : undefined;
}

export function createProviderRegistry(settings: ProviderSettings): ProviderRegistry {
  const google = new GoogleCalendarProvider(settings.google.apiUrl, settings.google.quotaPerUserPerMinute / 60);
  const microsoft = new MicrosoftCalendarProvider(settings.microsoft.graphUrl, settings.microsoft.reminder);
  // CalDAV servers are named by end users: every request goes through the address guard.
  const caldavTransport = guardedFetch(settings.caldav.allowPrivateNetworks);
  const caldav = new CalDavCalendarProvider('caldav', caldavTransport);
  const icloud = new CalDavCalendarProvider('icloud', caldavTransport);
  const googleOAuth = oauthClient(settings.google, (client) => new GoogleOAuth(client));
  const microsoftOAuth = oauthClient(settings.microsoft, (client) => new MicrosoftOAuth(client));
  return {
    calendar(kind) {
      if (kind === 'google') return google;
      if (kind === 'microsoft') return microsoft;
      return kind === 'icloud' ? icloud : caldav;
    },
    oauth(kind) {
      if (kind === 'google' && googleOAuth) return googleOAuth;
      if (kind === 'microsoft' && microsoftOAuth) return microsoftOAuth;
      throw new ProviderError('rejected', `${kind} OAuth is not configured in this deployment`);
    },
  };
}
