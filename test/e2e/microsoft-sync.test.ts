import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAG_PROPERTY_ID, tagValue } from '../../src/providers/microsoft';
import { confirmBody, eventsFor, getBooking, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('a booking with an Outlook and a Google participant', () => {
  it('creates, moves and removes both events through the HTTP API', async () => {
    const tutorId = h.id('tutor');
    const clientId = h.id('client');
    const outlook = await h.connectMicrosoft(tutorId, `${tutorId}@contoso.test`);
    const google = await h.connectGoogle(clientId);
    const tutor: TestParticipant = { userId: tutorId, role: 'tutor', name: 'Ada Lovelace', email: 'ada@example.com' };
    const client: TestParticipant = { userId: clientId, role: 'client', name: 'Bob Builder', email: 'bob@example.com' };
    const bookingId = h.id('bk');
    const mine = async () =>
      (await h.microsoft.listEvents(outlook.email)).filter((e) =>
        e.singleValueExtendedProperties?.some(
          (p) => p.id === TAG_PROPERTY_ID && p.value === tagValue({ bookingId, connectionId: outlook.connectionId }),
        ),
      );

    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([tutor, client]))).status).toBe(202);
    const view = await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    expect(view.calendars.find((c) => c.userId === tutorId)).toMatchObject({ provider: 'microsoft', state: 'synced' });
    const [created] = await mine();
    expect(created).toMatchObject({ subject: 'Algebra lesson with Bob Builder', isReminderOn: true, reminderMinutesBeforeStart: 15 });
    expect(created!.body.content).toContain('Client: Bob Builder');
    expect(Date.parse(`${created!.start.dateTime}Z`)).toBe(Date.parse('2030-05-01T15:00:00Z'));
    expect(await eventsFor(h, google.email, bookingId)).toHaveLength(1);

    await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, { start: '2030-05-02T08:00:00Z', end: '2030-05-02T09:00:00Z' });
    await settled(h, bookingId, (v) => v.start === '2030-05-02T08:00:00Z');
    const moved = await mine();
    expect(moved).toHaveLength(1);
    expect(moved[0]!.id).toBe(created!.id);
    expect(Date.parse(`${moved[0]!.start.dateTime}Z`)).toBe(Date.parse('2030-05-02T08:00:00Z'));

    await h.api('POST', `/v1/bookings/${bookingId}/cancel`, {});
    await eventually(
      async () => ((await getBooking(h, bookingId)).calendars.every((c) => c.state === 'deleted') ? true : undefined),
      'cancel',
    );
    expect(await mine()).toHaveLength(0);
    expect(await eventsFor(h, google.email, bookingId)).toHaveLength(0);
  });

  it('never has more than 4 requests in flight per mailbox, however many bookings change at once', { timeout: 120_000 }, async () => {
    const tutorId = h.id('busy');
    const outlook = await h.connectMicrosoft(tutorId, `${tutorId}@contoso.test`);
    // Slow answers make requests overlap: without a shared limit, Graph would throttle the 5th.
    await h.microsoft.addFault({ account: outlook.email, path: '/events', latencyMs: 300, times: 'always' });
    const tutor: TestParticipant = { userId: tutorId, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
    const ids = Array.from({ length: 12 }, () => h.id('bk'));
    await Promise.all(ids.map((id) => h.api('POST', `/v1/bookings/${id}/confirm`, confirmBody([tutor]))));
    await Promise.all(ids.map((id) => settled(h, id, (v) => v.calendars.some((c) => c.state === 'synced'), 90_000)));
    await h.microsoft.clearFaults();
    expect((await h.microsoft.stats()).byAccount[outlook.email]?.concurrencyRejected ?? 0).toBe(0);
    expect(await h.microsoft.listEvents(outlook.email)).toHaveLength(12);
  });
});
