import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Reminder } from '../../src/events/reminders';
import { ProviderError, type CalendarChanges, type EventKey, type EventSpec } from '../../src/providers/types';
import type { ProviderFixture, ProviderUnderTest, StoredEvent } from './fixture';
import { caldavFixture } from './caldav.fixture';
import { googleFixture } from './google.fixture';
import { microsoftFixture } from './microsoft.fixture';

/**
 * One contract, every adapter: the same cases run against each provider's real server or
 * emulator. A provider joins by adding its fixture here.
 */
const FIXTURES: ProviderFixture[] = [googleFixture, microsoftFixture, caldavFixture];

const REMINDERS: Reminder[] = [
  { method: 'email', minutes: 1440 },
  { method: 'popup', minutes: 60 },
  { method: 'popup', minutes: 15 },
];

function key(): EventKey {
  return { bookingId: `conf-${randomBytes(5).toString('hex')}`, connectionId: randomBytes(8).toString('hex') };
}

function spec(k: EventKey, over: Partial<EventSpec> = {}): EventSpec {
  return {
    key: k,
    title: 'Lesson with Ada',
    description: 'Tutor: Ada\nJoin: https://meet.example.com/x',
    location: 'Room 1',
    url: 'https://meet.example.com/x',
    start: '2030-03-04T16:00:00Z',
    end: '2030-03-04T17:00:00Z',
    timeZone: 'Europe/London',
    reminders: REMINDERS,
    ...over,
  };
}

for (const fixture of FIXTURES) {
  describe(`${fixture.name} adapter conformance`, () => {
    let p: ProviderUnderTest;
    beforeAll(async () => {
      p = await fixture.start();
    });
    afterAll(async () => {
      await p?.close();
    });
    // Every case, whatever it checks: no booking has two events anywhere in the calendar.
    afterEach(async () => {
      const bookings = (await p.ourEvents()).map((e) => e.bookingId);
      expect(
        bookings.filter((b, i) => bookings.indexOf(b) !== i),
        'bookings with more than one event',
      ).toEqual([]);
    });

    /** The events tagged with this key's booking, found among all events in the calendar. */
    const eventsFor = async (k: EventKey): Promise<StoredEvent[]> => (await p.ourEvents()).filter((e) => e.bookingId === k.bookingId);

    it('creates once: a repeated create and a create whose response was lost leave one event', async () => {
      const k = key();
      const first = await p.provider.upsertEvent(p.ctx, spec(k), {});
      expect(first.action).toBe('created');
      const again = await p.provider.upsertEvent(p.ctx, spec(k), {});
      expect(again.externalEventId).toBe(first.externalEventId);
      expect(await eventsFor(k)).toHaveLength(1);

      const lost = key();
      await p.loseNextCreateResponse();
      await expect(p.provider.upsertEvent(p.ctx, spec(lost), {})).rejects.toBeInstanceOf(ProviderError);
      await p.provider.upsertEvent(p.ctx, spec(lost), {});
      expect(await eventsFor(lost)).toHaveLength(1);
    });

    it('update moves the event; delete removes it and deleting twice succeeds', async () => {
      const k = key();
      const created = await p.provider.upsertEvent(p.ctx, spec(k), {});
      const moved = await p.provider.upsertEvent(p.ctx, spec(k, { start: '2030-03-05T09:30:00Z', end: '2030-03-05T10:15:00Z' }), {
        externalEventId: created.externalEventId,
      });
      expect(moved.action).toBe('updated');
      const [e] = await eventsFor(k);
      expect([e!.start, e!.end]).toEqual([Date.parse('2030-03-05T09:30:00Z'), Date.parse('2030-03-05T10:15:00Z')]);
      expect(await eventsFor(k)).toHaveLength(1);

      expect((await p.provider.deleteEvent(p.ctx, k, { externalEventId: created.externalEventId })).action).toBe('deleted');
      expect(await eventsFor(k)).toHaveLength(0);
      expect((await p.provider.deleteEvent(p.ctx, k, { externalEventId: created.externalEventId })).action).toBe('already_gone');
      expect((await p.provider.deleteEvent(p.ctx, k, {})).action).toBe('already_gone');
      // Re-creating after a delete brings back exactly one event.
      await p.provider.upsertEvent(p.ctx, spec(k), {});
      expect(await eventsFor(k)).toHaveLength(1);
    });

    it('a change by someone else right before our write (a stale ETag) is re-read and overwritten, still one event', async () => {
      const k = key();
      const created = await p.provider.upsertEvent(p.ctx, spec(k), {});
      await p.changeBeforeNextWrite(k, created.externalEventId);
      await p.provider.upsertEvent(p.ctx, spec(k, { title: 'Ours again' }), { externalEventId: created.externalEventId });
      const events = await eventsFor(k);
      expect(events).toHaveLength(1);
      expect(events[0]!.title).toBe('Ours again');
    });

    it('round-trips unicode, emoji, quotes, separators and newlines exactly', async () => {
      const k = key();
      const text = {
        title: 'Maths — “café” 🧮 with Zoë; a,b\\c',
        description: 'Line 1: naïve, "quoted"; semi;colon\\back\nLine 2 👩‍🏫\n\nX-INJECT:TRUE\nEND:VEVENT',
        location: 'Raum 3, Straße 5; Zürich 🇨🇭',
      };
      await p.provider.upsertEvent(p.ctx, spec(k, text), {});
      const [e] = await eventsFor(k);
      expect({ title: e!.title, description: e!.description, location: e!.location }).toEqual(text);
    });

    it('lands at the right instants across DST changes', async () => {
      const london = key();
      // Sunday 25 October 2026, London leaves BST at 02:00: 00:30 local is BST, 03:30 local is GMT.
      await p.provider.upsertEvent(
        p.ctx,
        spec(london, { start: '2026-10-24T23:30:00Z', end: '2026-10-25T03:30:00Z', timeZone: 'Europe/London' }),
        {},
      );
      const [l] = await eventsFor(london);
      expect([l!.start, l!.end]).toEqual([Date.parse('2026-10-24T23:30:00Z'), Date.parse('2026-10-25T03:30:00Z')]);
      const ny = key();
      // Sunday 1 November 2026, New York leaves EDT at 02:00.
      await p.provider.upsertEvent(
        p.ctx,
        spec(ny, { start: '2026-11-01T05:30:00Z', end: '2026-11-01T07:30:00Z', timeZone: 'America/New_York' }),
        {},
      );
      const [n] = await eventsFor(ny);
      expect([n!.start, n!.end]).toEqual([Date.parse('2026-11-01T05:30:00Z'), Date.parse('2026-11-01T07:30:00Z')]);
    });

    it('reads busy times: busy and all-day events count; free ones, our own and those outside the window do not', async () => {
      // A week of its own in the future, so other cases' events stay out of the window.
      const day = 24 * 3_600_000;
      const from = new Date(Date.parse('2033-06-06T00:00:00Z'));
      const to = new Date(from.getTime() + 7 * day);
      await p.addUserEvent({ title: 'Dentist', start: '2033-06-07T09:00:00Z', end: '2033-06-07T10:00:00Z' });
      await p.addUserEvent({ title: 'Lunch (free)', start: '2033-06-07T12:00:00Z', end: '2033-06-07T13:00:00Z', free: true });
      await p.addUserEvent({ title: 'Holiday', start: '2033-06-09', end: '2033-06-10', allDay: true });
      await p.addUserEvent({ title: 'Next month', start: '2033-07-07T09:00:00Z', end: '2033-07-07T10:00:00Z' });
      await p.provider.upsertEvent(p.ctx, spec(key(), { start: '2033-06-08T15:00:00Z', end: '2033-06-08T16:00:00Z' }), {});
      const busy = (await p.provider.readChanges(p.ctx, { from, to })).items.flatMap((i) => i.busy);
      expect(busy.map((b) => [Date.parse(b.start), Date.parse(b.end)]).sort((a, b) => a[0]! - b[0]!)).toEqual([
        [Date.parse('2033-06-07T09:00:00Z'), Date.parse('2033-06-07T10:00:00Z')],
        [Date.parse('2033-06-09T00:00:00Z'), Date.parse('2033-06-10T00:00:00Z')],
      ]);
    });

    it('expands a recurring user event into busy times, keeping its wall time across a DST change', async () => {
      // Weekly at 09:00 London from Tuesday 2033-10-18: BST (08:00Z) for two weeks, then GMT (09:00Z) after 30 October.
      const from = new Date('2033-10-17T00:00:00Z');
      const to = new Date('2033-11-05T00:00:00Z');
      await p.addUserEvent({ title: 'Weekly class', start: '2033-10-18T08:00:00Z', end: '2033-10-18T09:00:00Z', weekly: 3 });
      const busy = (await p.provider.readChanges(p.ctx, { from, to })).items.flatMap((i) => i.busy);
      expect(busy.map((b) => Date.parse(b.start)).sort()).toEqual([
        Date.parse('2033-10-18T08:00:00Z'),
        Date.parse('2033-10-25T08:00:00Z'),
        Date.parse('2033-11-01T09:00:00Z'),
      ]);
    });

    it('reads changes incrementally: what the user adds and deletes, our events known as ours, an expired cursor read in full', async () => {
      const day = 24 * 3_600_000;
      const window = { from: new Date('2034-03-06T00:00:00Z'), to: new Date(Date.parse('2034-03-06T00:00:00Z') + 7 * day) };
      const busyOf = (c: CalendarChanges) =>
        c.items.flatMap((i) => i.busy.map((b) => [Date.parse(b.start), Date.parse(b.end)])).sort((a, b) => a[0]! - b[0]!);
      const kept = await p.addUserEvent({ title: 'Kept', start: '2034-03-07T09:00:00Z', end: '2034-03-07T10:00:00Z' });
      const ours = await p.provider.upsertEvent(p.ctx, spec(key(), { start: '2034-03-08T15:00:00Z', end: '2034-03-08T16:00:00Z' }), {});
      const first = await p.provider.readChanges(p.ctx, window);
      expect([first.mode, first.cursorExpired, typeof first.cursor]).toEqual(['full', false, 'string']);
      expect(busyOf(first)).toEqual([[Date.parse('2034-03-07T09:00:00Z'), Date.parse('2034-03-07T10:00:00Z')]]);
      const ourItem = first.items.find((i) => i.itemId === ours.externalEventId);
      expect(ourItem).toMatchObject({ ours: true, removed: false, busy: [] });
      expect([Date.parse(ourItem!.start!), Date.parse(ourItem!.end!)]).toEqual([
        Date.parse('2034-03-08T15:00:00Z'),
        Date.parse('2034-03-08T16:00:00Z'),
      ]);

      const added = await p.addUserEvent({ title: 'Added', start: '2034-03-09T11:00:00Z', end: '2034-03-09T12:00:00Z' });
      await p.deleteUserEvent(kept);
      const second = await p.provider.readChanges(p.ctx, window, first.cursor);
      expect(second.mode).toBe('incremental');
      expect(busyOf(second)).toEqual([[Date.parse('2034-03-09T11:00:00Z'), Date.parse('2034-03-09T12:00:00Z')]]);
      expect(second.items.find((i) => i.itemId === kept)).toMatchObject({ removed: true, busy: [] });
      expect(second.items.find((i) => i.itemId === added)).toMatchObject({ removed: false, ours: false });

      await p.deleteUserEvent(ours.externalEventId);
      const third = await p.provider.readChanges(p.ctx, window, second.cursor);
      expect(third.mode).toBe('incremental');
      expect(third.items.find((i) => i.itemId === ours.externalEventId)).toMatchObject({ removed: true });

      const fourth = await p.provider.readChanges(p.ctx, window, await p.expireCursor(third.cursor!));
      expect([fourth.mode, fourth.cursorExpired]).toEqual(['full', true]);
      expect(busyOf(fourth)).toEqual([[Date.parse('2034-03-09T11:00:00Z'), Date.parse('2034-03-09T12:00:00Z')]]);
      expect(fourth.items.some((i) => i.itemId === ours.externalEventId && !i.removed)).toBe(false);
    });

    it('lists the calendars: the default one (where the provider has one) under defaultCalendarId, each one readable', async () => {
      const calendars = await p.provider.listCalendars(p.ctx);
      expect(calendars.map((c) => c.id)).toContain(p.ctx.calendarId);
      if (p.provider.defaultCalendarId !== undefined) {
        expect(calendars.filter((c) => c.primary).map((c) => c.id)).toEqual([p.provider.defaultCalendarId]);
      }
      // Any listed calendar may be chosen to count for conflicts: each is read like the one events go to.
      const window = { from: new Date('2034-05-01T00:00:00Z'), to: new Date('2034-05-08T00:00:00Z') };
      for (const c of calendars) {
        expect((await p.provider.readChanges({ ...p.ctx, calendarId: c.id }, window)).mode).toBe('full');
      }
    });

    it('sets the reminders the provider supports', async () => {
      const k = key();
      await p.provider.upsertEvent(p.ctx, spec(k), {});
      const [e] = await eventsFor(k);
      expect(e!.reminders).toEqual(p.expectedReminders(REMINDERS));
    });
  });
}
