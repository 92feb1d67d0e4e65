import type { AppConfig } from '../config';
import { GoogleCalendarProvider, GoogleOAuth } from './google';
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

export function createProviderRegistry(config: Pick<AppConfig, 'google'>): ProviderRegistry {
  const google = new GoogleCalendarProvider(config.google.apiUrl);
  const googleOAuth =
    config.google.clientId && config.google.clientSecret
      ? new GoogleOAuth({ ...config.google, clientId: config.google.clientId, clientSecret: config.google.clientSecret })
      : undefined;
  return {
    calendar(kind) {
      if (kind === 'google') return google;
      return unavailable(kind, 'calendar access');
    },
    oauth(kind) {
      if (kind === 'google' && googleOAuth) return googleOAuth;
      return unavailable(kind, 'OAuth');
    },
  };
}
