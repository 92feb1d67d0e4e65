import { describe, expect, it } from 'vitest';
import type { FoundEvent } from '../../tools/chaos/calendars';
import type { BookingPlan, VersionDetails } from '../../tools/chaos/scenario';
import { judge } from '../../tools/chaos/verdict';

const start = '2031-01-06T08:00:00.000Z';
const end = '2031-01-06T09:00:00.000Z';
const ada = { userId: 'a', role: 'tutor', name: 'Ada', email: 'a@example.com' };
const bea = { userId: 'b', role: 'client', name: 'Bea', email: 'b@example.com' };

/** Confirmed, in its final version, with Ada (a) and Bea (b); c stands for someone an earlier version had, d for someone never in it. */
const plan = (bookingId: string, change: Partial<VersionDetails> = {}): BookingPlan => ({
  bookingId,
  deliveries: [],
  expected: {
    cancelled: false,
    start,
    end,
    title: 'Maths',
    description: 'Chapter 3',
    location: 'Room 4',
    meetingUrl: 'https://meet.example.com/m',
    participants: [ada, bea],
    ...change,
  },
});
const cancelled = (bookingId: string): BookingPlan => ({ bookingId, deliveries: [], expected: { cancelled: true } });

/** What Ada's and Bea's calendars must show, spelt out (not computed by the code under test). */
const right: Record<string, Omit<FoundEvent, 'bookingId' | 'id'>> = {
  a: {
    start: Date.parse(start),
    end: Date.parse(end),
    title: 'Maths with Bea',
    description: 'Client: Bea\nJoin: https://meet.example.com/m\nLocation: Room 4\n\nChapter 3',
    location: 'Room 4',
  },
  b: {
    start: Date.parse(start),
    end: Date.parse(end),
    title: 'Maths with Ada',
    description: 'Tutor: Ada\nJoin: https://meet.example.com/m\nLocation: Room 4\n\nChapter 3',
    location: 'Room 4',
  },
};
const event = (bookingId: string, userId: string, change: Partial<FoundEvent> = {}): FoundEvent => ({
  bookingId,
  id: `${bookingId}-${userId}`,
  ...(right[userId] ?? right['a']!),
  ...change,
});
/** Every user's calendars, each empty unless given. */
const calendars = (events: Record<string, FoundEvent[]>) => new Map(['a', 'b', 'c', 'd'].map((u) => [u, events[u] ?? []]));
const counts = (plans: BookingPlan[], events: Record<string, FoundEvent[]>) => {
  const v = judge(plans, calendars(events));
  return { lost: v.lost, duplicates: v.duplicates, wrong: v.wrong, stray: v.stray };
};
const none = { lost: 0, duplicates: 0, wrong: 0, stray: 0 };

describe('chaos verdict', () => {
  it('passes when each final participant has exactly the final version, and nobody else has anything', () => {
    expect(counts([plan('ok'), cancelled('gone')], { a: [event('ok', 'a')], b: [event('ok', 'b')] })).toEqual(none);
  });

  it('counts an event missing from a final participant’s calendar as lost', () => {
    expect(counts([plan('p')], { a: [event('p', 'a')] })).toEqual({ ...none, lost: 1 });
  });

  it('counts a second event for one booking in one calendar as a duplicate, under another id too', () => {
    const again = event('p', 'a', { id: 'another-id' });
    expect(counts([plan('p')], { a: [event('p', 'a'), again], b: [event('p', 'b')] })).toEqual({ ...none, duplicates: 1 });
  });

  it.each([
    ['start', { start: Date.parse('2031-01-06T07:00:00.000Z') }],
    ['end', { end: Date.parse('2031-01-06T10:00:00.000Z') }],
    ['title', { title: 'Maths' }],
    ['title naming the wrong people', { title: 'Maths with Cy' }],
    ['description', { description: 'Client: Bea\n\nChapter 2' }],
    ['location', { location: '' }],
  ] as const)('counts an event with the wrong %s as wrong', (_, change) => {
    expect(counts([plan('p')], { a: [event('p', 'a', change)], b: [event('p', 'b')] })).toEqual({ ...none, wrong: 1 });
  });

  it('expects the meeting link as the location of a booking without a place', () => {
    const online = plan('p', { location: undefined });
    const at = (u: string) =>
      event('p', u, { location: 'https://meet.example.com/m', description: right[u]!.description.replace('\nLocation: Room 4', '') });
    expect(counts([online], { a: [at('a')], b: [at('b')] })).toEqual(none);
    expect(counts([online], { a: [{ ...at('a'), location: '' }], b: [at('b')] })).toEqual({ ...none, wrong: 1 });
  });

  it('counts an event left for a cancelled booking as stray', () => {
    expect(counts([cancelled('gone')], { b: [event('gone', 'b')] })).toEqual({ ...none, stray: 1 });
  });

  it('counts an event in the calendar of someone who is not a participant of the final version as stray', () => {
    const both = { a: [event('p', 'a')], b: [event('p', 'b')] };
    // Cy was removed in a later version; d never took part.
    expect(counts([plan('p')], { ...both, c: [event('p', 'c')] })).toEqual({ ...none, stray: 1 });
    expect(counts([plan('p')], { ...both, d: [event('p', 'd')] })).toEqual({ ...none, stray: 1 });
  });

  it('counts an event for a booking the run never made as stray', () => {
    expect(counts([plan('p')], { a: [event('p', 'a'), event('unplanned', 'a')], b: [event('p', 'b')] })).toEqual({ ...none, stray: 1 });
  });

  it('says which booking, calendar and field is off', () => {
    const v = judge([plan('p')], calendars({ a: [event('p', 'a', { title: 'Maths' })], b: [event('p', 'b')], d: [event('x', 'd')] }));
    expect(v.examples).toEqual([
      `p: in a's calendar title "Maths", expected "Maths with Bea"`,
      `x: 1 event(s) in d's calendars (x-d): a booking the run never made`,
    ]);
  });
});
