export { GoogleCalendarProvider } from './calendar-provider';
export { GoogleOAuth, GOOGLE_SCOPES, type GoogleOAuthConfig } from './oauth';
export { googleEventId } from './event-id';
export { BOOKING_TAG } from './to-google-event';
