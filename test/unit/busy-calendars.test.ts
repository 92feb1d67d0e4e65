import { describe, expect, it } from 'vitest';
import { accountCoverage, busyCalendars, type CalendarReadSummary } from '../../src/domain/busy-calendars';

describe('busyCalendars', () => {
  it('by default counts the default calendar and the one events go to, that one read first', () => {
    expect(busyCalendars({ chosen: null, target: 'work', defaultCalendarId: 'primary' })).toEqual({
      read: ['work', 'primary'],
      counted: ['work', 'primary'],
    });
    expect(busyCalendars({ chosen: null, target: 'primary', defaultCalendarId: 'primary' })).toEqual({
      read: ['primary'],
      counted: ['primary'],
    });
    // CalDAV has no default calendar of its own.
    expect(busyCalendars({ chosen: null, target: 'https://dav.example/cal/' })).toEqual({
      read: ['https://dav.example/cal/'],
      counted: ['https://dav.example/cal/'],
    });
  });

  it("counts the user's choice only, but still reads the calendar events go to (our events' edits)", () => {
    expect(busyCalendars({ chosen: ['family', 'work', 'family'], target: 'work', defaultCalendarId: 'primary' })).toEqual({
      read: ['work', 'family'],
      counted: ['family', 'work'],
    });
    expect(busyCalendars({ chosen: ['family'], target: 'primary', defaultCalendarId: 'primary' })).toEqual({
      read: ['primary', 'family'],
      counted: ['family'],
    });
  });
});

describe('accountCoverage', () => {
  const from = Date.parse('2030-01-02T00:00:00Z');
  const to = Date.parse('2030-01-03T00:00:00Z');
  const read = (over: Partial<CalendarReadSummary> = {}): CalendarReadSummary => ({
    calendarId: 'primary',
    syncedAt: new Date('2030-01-01T10:00:00Z'),
    window: { from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-03-01T00:00:00Z') },
    lastError: null,
    ...over,
  });

  it('covers the range only when every counted calendar was read over all of it', () => {
    expect(accountCoverage([read(), read({ calendarId: 'work' })], from, to).covers).toBe(true);
    expect(accountCoverage([read(), read({ calendarId: 'work', window: null, syncedAt: null })], from, to).covers).toBe(false);
    const short = { from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-01-02T12:00:00Z') };
    expect(accountCoverage([read(), read({ calendarId: 'work', window: short })], from, to).covers).toBe(false);
    expect(accountCoverage([], from, to).covers).toBe(false);
  });

  it('is as fresh as its oldest read, unknown while one was never read, and shows the first error', () => {
    const older = new Date('2030-01-01T09:00:00Z');
    expect(accountCoverage([read(), read({ calendarId: 'work', syncedAt: older })], from, to).syncedAt).toEqual(older);
    expect(accountCoverage([read(), read({ calendarId: 'work', syncedAt: null })], from, to).syncedAt).toBeNull();
    expect(accountCoverage([read(), read({ calendarId: 'work', lastError: 'google 404: notFound' })], from, to).lastError).toBe(
      'google 404: notFound',
    );
  });
});
