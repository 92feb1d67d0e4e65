// Which OAuth scopes authorize which Calendar API methods (from the API reference).
// Enforced because a token with only `calendar.events` cannot call calendarList.get
// on the real API, and an adapter that relies on it should find out here first.

const SCOPE_PREFIX = 'https://www.googleapis.com/auth/';
const scope = (name: string): string => SCOPE_PREFIX + name;

export const CALENDAR_SCOPES = {
  calendar: scope('calendar'),
  readonly: scope('calendar.readonly'),
  events: scope('calendar.events'),
  eventsReadonly: scope('calendar.events.readonly'),
  eventsOwned: scope('calendar.events.owned'),
  eventsOwnedReadonly: scope('calendar.events.owned.readonly'),
  calendarList: scope('calendar.calendarlist'),
  calendarListReadonly: scope('calendar.calendarlist.readonly'),
  calendars: scope('calendar.calendars'),
  calendarsReadonly: scope('calendar.calendars.readonly'),
  appCreated: scope('calendar.app.created'),
  freebusy: scope('calendar.freebusy'),
  eventsFreebusy: scope('calendar.events.freebusy'),
} as const;

/** What the control API's authorize grants when no scope is given: what the service asks for. */
export const DEFAULT_SCOPE = `${CALENDAR_SCOPES.events} ${CALENDAR_SCOPES.readonly}`;

export type ApiMethod =
  | 'calendar.v3.Events.Insert'
  | 'calendar.v3.Events.Get'
  | 'calendar.v3.Events.List'
  | 'calendar.v3.Events.Update'
  | 'calendar.v3.Events.Patch'
  | 'calendar.v3.Events.Delete'
  | 'calendar.v3.Events.Watch'
  | 'calendar.v3.Channels.Stop'
  | 'calendar.v3.CalendarList.Get'
  | 'calendar.v3.CalendarList.List'
  | 'calendar.v3.Calendars.Get'
  | 'calendar.v3.Freebusy.Query';

const S = CALENDAR_SCOPES;
const EVENTS_WRITE = [S.calendar, S.events, S.eventsOwned];
const EVENTS_READ = [...EVENTS_WRITE, S.readonly, S.eventsReadonly, S.eventsOwnedReadonly];
const CALENDAR_LIST_READ = [S.calendar, S.readonly, S.calendarList, S.calendarListReadonly, S.appCreated];
const CALENDARS_READ = [S.calendar, S.readonly, S.calendars, S.calendarsReadonly, S.appCreated];
// Busy times are not events: `calendar.events` (and the other events scopes) cannot ask for them.
const FREEBUSY_READ = [S.calendar, S.readonly, S.freebusy, S.eventsFreebusy];

export const METHOD_SCOPES: Record<ApiMethod, readonly string[]> = {
  'calendar.v3.Events.Insert': EVENTS_WRITE,
  'calendar.v3.Events.Update': EVENTS_WRITE,
  'calendar.v3.Events.Patch': EVENTS_WRITE,
  'calendar.v3.Events.Delete': EVENTS_WRITE,
  'calendar.v3.Events.Get': EVENTS_READ,
  'calendar.v3.Events.List': EVENTS_READ,
  // Watching is reading: whoever may list a calendar's events may watch them.
  'calendar.v3.Events.Watch': EVENTS_READ,
  // Any Calendar scope may stop a channel (the API reference lists them all).
  'calendar.v3.Channels.Stop': Object.values(S),
  'calendar.v3.CalendarList.Get': CALENDAR_LIST_READ,
  'calendar.v3.CalendarList.List': CALENDAR_LIST_READ,
  'calendar.v3.Calendars.Get': CALENDARS_READ,
  'calendar.v3.Freebusy.Query': FREEBUSY_READ,
};

export function scopeAllows(granted: string, method: ApiMethod): boolean {
  const grantedScopes = new Set(granted.split(/\s+/));
  return METHOD_SCOPES[method].some((needed) => grantedScopes.has(needed));
}

/** Scopes that reach only the calendars the user owns ("…on Google calendars you own"). */
const OWNED_CALENDARS_ONLY: ReadonlySet<string> = new Set([S.eventsOwned, S.eventsOwnedReadonly]);

/**
 * Whether the granted scopes allow the method on one particular calendar: a token that
 * holds only the `calendar.events.owned*` scopes reaches the calendars the user owns and
 * no others.
 */
export function scopeAllowsOnCalendar(granted: string, method: ApiMethod, ownsCalendar: boolean): boolean {
  const grantedScopes = new Set(granted.split(/\s+/));
  return METHOD_SCOPES[method].some((needed) => grantedScopes.has(needed) && (ownsCalendar || !OWNED_CALENDARS_ONLY.has(needed)));
}

const DESCRIPTIONS: Record<string, string> = {
  [S.calendar]: 'See, edit, share, and permanently delete all the calendars you can access using Google Calendar',
  [S.readonly]: 'See and download any calendar you can access using your Google Calendar',
  [S.events]: 'View and edit events on all your calendars',
  [S.eventsReadonly]: 'View events on all your calendars',
  [S.eventsOwned]: 'See, create, change, and delete events on Google calendars you own',
  [S.eventsOwnedReadonly]: 'See the events on Google calendars you own',
  [S.calendarList]: 'See, add, and remove Google calendars you’re subscribed to',
  [S.calendarListReadonly]: 'See the list of Google calendars you’re subscribed to',
  [S.calendars]: 'See and change the properties of Google calendars you have access to',
  [S.calendarsReadonly]: 'See the title, description, default time zone, and other properties of Google calendars you have access to',
  [S.appCreated]: 'Make secondary Google calendars, and see, create, change, and delete events on them',
  [S.freebusy]: 'View your availability in your calendars',
  [S.eventsFreebusy]: 'See the availability on Google calendars you have access to',
  openid: 'Associate you with your personal info on Google',
  email: 'See your primary Google Account email address',
  profile: 'See your personal info, including any personal info you’ve made publicly available',
};

export function describeScope(name: string): string {
  return DESCRIPTIONS[name] ?? name;
}
