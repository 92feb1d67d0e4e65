import type { AppConfig } from '../config';
import { CalDavCalendarProvider } from './caldav';
import { GoogleCalendarProvider, GoogleOAuth } from './google';
import { MicrosoftCalendarProvider, MicrosoftOAuth } from './microsoft';
import { ProviderError, type CalendarProvider, type OAuthProvider, type ProviderKind } from './types';

export * from './types';

/** The adapters this deployment can use, built from configuration. */
export interface ProviderRegistry {
  calendar(kind: ProviderKind): CalendarProvider;
  oauth(kind: ProviderKind): OAuthProvider;
}

function unavailable(kind: ProviderKind, what: string): never {
  throw new ProviderError('rejected', `${kind} ${what} is not configured in this deployment`);
}

export function createProviderRegistry(config: Pick<AppConfig, 'google' | 'microsoft'>): ProviderRegistry {
  const google = new GoogleCalendarProvider(config.google.apiUrl, config.google.quotaPerUserPerMinute / 60);
  const microsoft = new MicrosoftCalendarProvider(config.microsoft.graphUrl, config.microsoft.reminder);
  const caldav = new CalDavCalendarProvider('caldav');
  const icloud = new CalDavCalendarProvider('icloud');
  const googleOAuth =
    config.google.clientId && config.google.clientSecret
      ? new GoogleOAuth({ ...config.google, clientId: config.google.clientId, clientSecret: config.google.clientSecret })
      : undefined;
  const microsoftOAuth =
    config.microsoft.clientId && config.microsoft.clientSecret
      ? new MicrosoftOAuth({ ...config.microsoft, clientId: config.microsoft.clientId, clientSecret: config.microsoft.clientSecret })
      : undefined;
  return {
    calendar(kind) {
      if (kind === 'google') return google;
      if (kind === 'microsoft') return microsoft;
      return kind === 'icloud' ? icloud : caldav;
    },
    oauth(kind) {
      if (kind === 'google' && googleOAuth) return googleOAuth;
      if (kind === 'microsoft' && microsoftOAuth) return microsoftOAuth;
      return unavailable(kind, 'OAuth');
    },
  };
}
