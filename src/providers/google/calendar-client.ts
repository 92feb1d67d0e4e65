// The Calendar API module alone: the package index loads every Google API (over a thousand type files).
import * as google from 'googleapis/build/src/apis/calendar';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar';

/** Per-request timeout: a hung call fails and Temporal retries it. */
const REQUEST_TIMEOUT_MS = 20_000;

const clients = new Map<string, calendar_v3.Calendar>();

/**
 * One Calendar API client per root URL. The library's own retries are off: Temporal owns the
 * retry policy (gaxios would multiply attempts and ignores Retry-After).
 */
export function calendarClient(rootUrl: string): calendar_v3.Calendar {
  const root = rootUrl.endsWith('/') ? rootUrl : `${rootUrl}/`;
  let client = clients.get(root);
  if (!client) {
    client = google.calendar({ version: 'v3', rootUrl: root, retry: false, timeout: REQUEST_TIMEOUT_MS });
    clients.set(root, client);
  }
  return client;
}

/**
 * Per-call options carrying the user's token (it never goes into the shared client) and the
 * caller's cancellation, which gaxios combines with the request timeout.
 */
export function withToken(
  accessToken: string,
  signal?: AbortSignal,
): { headers: Record<string, string>; retry: false; signal?: AbortSignal } {
  return { headers: { Authorization: `Bearer ${accessToken}` }, retry: false, ...(signal ? { signal } : {}) };
}
