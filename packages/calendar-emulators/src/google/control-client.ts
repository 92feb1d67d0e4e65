import { SandboxControlClient, SandboxControlError } from '../shared/control-client';
import type {
  AuthorizeInput,
  CreateCalendarInput,
  GoogleCalendarListEntry,
  GoogleEventInput,
  GoogleEventResource,
  JsonObject,
  SandboxChannelView,
  SandboxConfig,
  SandboxStats,
} from './types';

// A typed client for the sandbox's /sandbox control API (tests, CLI, README tour).
// The generic calls (tokens, stats, config, faults, reset) live in the shared base.

export class GoogleSandboxControlError extends SandboxControlError {
  constructor(status: number, body: unknown, message: string) {
    super(status, body, message);
    this.name = 'GoogleSandboxControlError';
  }
}

/** Which calendar of the account a control call is about; absent (or `primary`) means the primary one. */
export interface CalendarOption {
  calendarId?: string;
}

function calendarQuery(options: CalendarOption, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(extra);
  if (options.calendarId !== undefined) params.set('calendarId', options.calendarId);
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

export class GoogleSandboxControl extends SandboxControlClient<SandboxStats, SandboxConfig> {
  constructor(baseUrl: string) {
    super(baseUrl, 'Google sandbox', (status, body, message) => new GoogleSandboxControlError(status, body, message));
  }

  createAccount(email: string): Promise<{ email: string }> {
    return this.call('POST', '/accounts', { email });
  }

  /** What clicking "Allow" on the consent page does; returns the authorization code. */
  authorize(input: AuthorizeInput): Promise<{ code: string }> {
    return this.call('POST', '/authorizations', input);
  }

  /**
   * The next incremental sync gets 410 fullSyncRequired: on the given calendar, or on
   * every calendar of the account when none is given.
   */
  async invalidateSyncTokens(email: string, options: CalendarOption = {}): Promise<void> {
    await this.call('POST', `${this.account(email)}/invalidate-sync-tokens${calendarQuery(options)}`);
  }

  /** A secondary calendar (`owner` by default; `reader` is visible to the user but not writable). */
  createCalendar(email: string, input: CreateCalendarInput): Promise<GoogleCalendarListEntry> {
    return this.call('POST', `${this.account(email)}/calendars`, input);
  }

  /** Deletes a secondary calendar (the primary one cannot be): every call on it then gets 404 notFound. */
  async deleteCalendar(email: string, calendarId: string): Promise<void> {
    await this.call('DELETE', `${this.account(email)}/calendars/${encodeURIComponent(calendarId)}`);
  }

  /** The calendar's owner changes the account's role on a secondary calendar (`reader`: writes get 403 requiredAccessLevel). */
  setCalendarAccess(email: string, calendarId: string, accessRole: 'owner' | 'writer' | 'reader'): Promise<GoogleCalendarListEntry> {
    return this.call('PATCH', `${this.account(email)}/calendars/${encodeURIComponent(calendarId)}`, { accessRole });
  }

  /** Switches the account's Calendar service off (every Calendar API call gets 403 notACalendarUser) or on again. */
  async setAccountDisabled(email: string, disabled: boolean): Promise<void> {
    await this.call('PUT', `${this.account(email)}/disabled`, { disabled });
  }

  /** The account's calendar list: primary first, then secondary calendars in creation order. */
  async listCalendars(email: string): Promise<GoogleCalendarListEntry[]> {
    const result = await this.call<{ items: GoogleCalendarListEntry[] }>('GET', `${this.account(email)}/calendars`);
    return result.items;
  }

  async listEvents(email: string, options: { showDeleted?: boolean } & CalendarOption = {}): Promise<GoogleEventResource[]> {
    const query = calendarQuery(options, options.showDeleted ? { showDeleted: 'true' } : {});
    const result = await this.call<{ items: GoogleEventResource[] }>('GET', `${this.account(email)}/events${query}`);
    return result.items;
  }

  /** An event "the user" creates in one of their calendars (access roles do not apply). */
  createUserEvent(email: string, event: GoogleEventInput, options: CalendarOption = {}): Promise<GoogleEventResource> {
    const body = options.calendarId === undefined ? event : { ...event, calendarId: options.calendarId };
    return this.call('POST', `${this.account(email)}/events`, body);
  }

  /** "The user" edits an event (patch semantics; null clears a field). */
  updateUserEvent(email: string, eventId: string, patch: JsonObject, options: CalendarOption = {}): Promise<GoogleEventResource> {
    return this.call('PATCH', `${this.account(email)}/events/${encodeURIComponent(eventId)}${calendarQuery(options)}`, patch);
  }

  /** "The user" deletes an event (it becomes cancelled). */
  async deleteUserEvent(email: string, eventId: string, options: CalendarOption = {}): Promise<void> {
    await this.call('DELETE', `${this.account(email)}/events/${encodeURIComponent(eventId)}${calendarQuery(options)}`);
  }

  /**
   * The push channels the account opened with events.watch (on one calendar when given),
   * in opening order, each with its state and delivery counts.
   */
  async listChannels(email: string, options: CalendarOption = {}): Promise<SandboxChannelView[]> {
    const result = await this.call<{ items: SandboxChannelView[] }>('GET', `${this.account(email)}/channels${calendarQuery(options)}`);
    return result.items;
  }

  /** The channel expires now: it sends nothing more, not even what is already queued. */
  expireChannel(channelId: string): Promise<SandboxChannelView> {
    return this.call('POST', `/channels/${encodeURIComponent(channelId)}/expire`);
  }
}
