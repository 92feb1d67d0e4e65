import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBody, connectedPair, eventsFor, getBooking, settled, strip } from '../support/bookings';
import { SecretBox } from '../../src/crypto/secret-box';
import { aad } from '../../src/db/sealed-columns';
import { eventually, startHarness, TEST_CLIENT, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('provider failures never lose or duplicate a change', () => {
  it('a create whose response is lost still yields exactly one event', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    await h.google.addFault({ method: 'POST', path: '/events', account: tutor.calendar, dropResponse: true, times: 1 });
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)]))).status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    const faults = await h.google.listFaults();
    expect(faults.find((f) => f.account === tutor.calendar)?.hits).toBe(1);
    expect(await eventsFor(h, tutor.calendar, bookingId, true)).toHaveLength(1);
    expect(await eventsFor(h, client.calendar, bookingId, true)).toHaveLength(1);
    const retries = await h.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sync_log WHERE booking_id = $1 AND outcome = 'retrying'`,
      [bookingId],
    );
    expect(retries.rows[0]!.n).toBeGreaterThanOrEqual(1);
  });

  it('rides out a burst of 429 and 503 answers, waiting as long as Retry-After says', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    await h.google.addFault({
      method: 'POST',
      path: '/events',
      account: tutor.calendar,
      status: 429,
      reason: 'rateLimitExceeded',
      retryAfterSeconds: 3,
      times: 2,
    });
    await h.google.addFault({ method: 'POST', path: '/events', account: client.calendar, status: 503, reason: 'backendError', times: 2 });
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)]))).status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    const faults = await h.google.listFaults();
    expect(faults.filter((f) => f.account === tutor.calendar || f.account === client.calendar).map((f) => f.hits)).toEqual([2, 2]);
    expect(await eventsFor(h, tutor.calendar, bookingId, true)).toHaveLength(1);
    expect(await eventsFor(h, client.calendar, bookingId, true)).toHaveLength(1);
    // Two Retry-After: 3 answers must hold the tutor's write back at least 6 s (Temporal's own backoff would be 1 s + 2 s).
    const rows = await h.pool.query<{ outcome: string; at: Date }>(
      `SELECT outcome, at FROM sync_log WHERE booking_id = $1 AND user_id = $2 ORDER BY id`,
      [bookingId, tutor.userId],
    );
    const first = rows.rows.find((r) => r.outcome === 'retrying')!;
    const ok = rows.rows.find((r) => r.outcome === 'ok')!;
    expect(ok.at.getTime() - first.at.getTime()).toBeGreaterThanOrEqual(5_500);
  });

  it('one calendar being down does not hold back the other participant, and catches up after', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    const outage = await h.google.addFault({
      method: 'POST',
      path: '/events',
      account: client.calendar,
      status: 503,
      reason: 'backendError',
      times: 'always',
    });
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)]))).status).toBe(202);
    const first = await eventually(async () => {
      const v = await getBooking(h, bookingId);
      return v.calendars.find((c) => c.userId === tutor.userId)?.state === 'synced' ? v : undefined;
    }, 'tutor calendar synced');
    expect(first.calendars.find((c) => c.userId === client.userId)?.state).toBe('pending');
    expect(first.syncState).toBe('pending');

    // While the client's calendar is still failing, a reschedule reaches the tutor's.
    expect(
      (await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, { start: '2030-10-01T09:00:00Z', end: '2030-10-01T10:00:00Z' })).status,
    ).toBe(202);
    await eventually(async () => {
      const [e] = await eventsFor(h, tutor.calendar, bookingId);
      return e && Date.parse(e.start.dateTime!) === Date.parse('2030-10-01T09:00:00Z') ? e : undefined;
    }, 'tutor event moved during the outage');
    expect(await eventsFor(h, client.calendar, bookingId, true)).toHaveLength(0);
    expect((await h.google.listFaults()).find((f) => f.id === outage.id)?.hits).toBeGreaterThan(0);

    await h.google.clearFaults();
    await settled(h, bookingId, (v) => v.calendars.every((c) => c.state === 'synced'));
    const events = await eventsFor(h, client.calendar, bookingId, true);
    expect(events).toHaveLength(1);
    expect(Date.parse(events[0]!.start.dateTime!)).toBe(Date.parse('2030-10-01T09:00:00Z'));
  });

  it(
    'a long outage is retried with exponential backoff (no hot loop) and converges once the provider is back',
    { timeout: 120_000 },
    async () => {
      const { tutor } = await connectedPair(h);
      const bookingId = h.id('bk');
      const outage = await h.google.addFault({
        method: 'POST',
        path: '/events',
        account: tutor.calendar,
        status: 503,
        reason: 'backendError',
        times: 'always',
      });
      expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor)]))).status).toBe(202);
      // Three failed attempts, timed by the emulator as they arrived (no client polling in the measure).
      const hitTimes = await eventually(
        async () => {
          const rule = (await h.google.listFaults()).find((f) => f.id === outage.id);
          return rule && rule.hitTimes.length >= 3 ? rule.hitTimes : undefined;
        },
        'three failed attempts',
        60_000,
      );
      // The retry policy (1 s, doubling) is a floor on each wait; load can only lengthen them.
      const gaps = hitTimes.slice(1, 3).map((t, i) => t - hitTimes[i]!);
      gaps.forEach((gap, i) => expect(gap, `wait ${i + 1} of ${gaps.join(', ')} ms`).toBeGreaterThanOrEqual(1000 * 2 ** i));
      expect((await getBooking(h, bookingId)).calendars[0]?.state).toBe('pending');

      await h.google.clearFaults();
      await settled(h, bookingId, (v) => v.calendars.every((c) => c.state === 'synced'));
      expect(await eventsFor(h, tutor.calendar, bookingId)).toHaveLength(1);
    },
  );

  it('a provider refusal that cannot succeed shows as failed with the reason', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    await h.google.addFault({
      method: 'POST',
      path: '/events',
      account: client.calendar,
      status: 400,
      reason: 'invalid',
      message: 'Invalid value',
      times: 'always',
    });
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)]))).status).toBe(202);
    const view = await (async () => {
      for (;;) {
        const r = await h.api<import('../../src/domain/booking').BookingView>('GET', `/v1/bookings/${bookingId}`);
        const c = r.body.calendars?.find((x) => x.userId === client.userId);
        // Lanes are independent: wait for the tutor's write to end too, however it ends.
        if (c?.state === 'failed' && r.body.calendars.every((x) => x.state !== 'pending')) return r.body;
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    expect(view.syncState).toBe('degraded');
    expect(view.calendars.find((c) => c.userId === client.userId)?.lastError).toMatch(/400 invalid/);
    expect(view.calendars.find((c) => c.userId === tutor.userId)?.state).toBe('synced');
    await h.google.clearFaults();
  });
});

/** The connection's tokens as stored, opened: what must never reach a log line. */
async function sealedTokens(connectionId: string): Promise<{ accessToken: string; refreshToken: string }> {
  const box = new SecretBox(h.config.encryptionKeys);
  const { rows } = await h.pool.query<{ a: string; r: string }>(
    'SELECT access_token_enc AS a, refresh_token_enc AS r FROM calendar_connections WHERE id = $1',
    [connectionId],
  );
  return {
    accessToken: box.open(rows[0]!.a, aad('access_token', connectionId)),
    refreshToken: box.open(rows[0]!.r, aad('refresh_token', connectionId)),
  };
}

describe('access tokens', () => {
  it('a token revoked mid-flight is refreshed once for 50 workflows, and every sync completes', async () => {
    const { tutor } = await connectedPair(h);
    const participants = [strip(tutor), { userId: h.id('nocal'), role: 'client', name: 'Bob', email: 'bob@example.com' }];
    const ids = Array.from({ length: 50 }, () => h.id('bk'));
    await Promise.all(ids.map((id) => h.api('POST', `/v1/bookings/${id}/confirm`, confirmBody(participants, { version: 1 }))));
    await Promise.all(ids.map((id) => settled(h, id, (v) => v.calendars.some((c) => c.state === 'synced'))));
    const before = (await h.google.stats()).byAccount[tutor.calendar]?.tokenRefreshes ?? 0;

    await h.google.expireAccessTokens(tutor.calendar);
    await Promise.all(
      ids.map((id) =>
        h.api('POST', `/v1/bookings/${id}/reschedule`, { version: 2, start: '2030-09-01T10:00:00Z', end: '2030-09-01T11:00:00Z' }),
      ),
    );
    await Promise.all(ids.map((id) => settled(h, id, (v) => v.start === '2030-09-01T10:00:00Z')));

    const after = (await h.google.stats()).byAccount[tutor.calendar]?.tokenRefreshes ?? 0;
    expect(after - before).toBe(1);
    for (const id of ids) {
      const events = await eventsFor(h, tutor.calendar, id, true);
      expect(events).toHaveLength(1);
      expect(Date.parse(events[0]!.start.dateTime!)).toBe(Date.parse('2030-09-01T10:00:00Z'));
    }
  });

  it(
    'a token endpoint answering 500 then 503 during a refresh is waited out: the connection stays active and the write lands once',
    { timeout: 120_000 },
    async () => {
      const { tutor } = await connectedPair(h);
      const before = await sealedTokens(tutor.connectionId);
      const refreshesBefore = (await h.google.stats()).byAccount[tutor.calendar]?.tokenRefreshes ?? 0;
      // The write's token is refused, and the refresh it needs meets a provider outage (transient, unlike invalid_grant).
      await h.google.expireAccessTokens(tutor.calendar);
      const down = await h.google.addFault({ method: 'POST', path: '/token', account: tutor.calendar, status: 500, times: 1 });
      const unavailable = await h.google.addFault({ method: 'POST', path: '/token', account: tutor.calendar, status: 503, times: 1 });
      const bookingId = h.id('bk');
      expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor)]))).status).toBe(202);
      // Until the write ends or the connection is parked (a refusal would park it, the write left pending).
      const outcome = await eventually(
        async () => {
          const state = (await getBooking(h, bookingId)).calendars[0]?.state;
          const conn = (
            await h.pool.query<{ status: string; last_error: string | null }>(
              'SELECT status, last_error FROM calendar_connections WHERE id = $1',
              [tutor.connectionId],
            )
          ).rows[0]!;
          // No calendar listed yet (state undefined) is not an end either: the workflow has not planned it.
          return (state !== undefined && state !== 'pending') || conn.status !== 'active' ? { state, conn } : undefined;
        },
        'the write to end',
        60_000,
      );
      expect(outcome).toEqual({ state: 'synced', conn: { status: 'active', last_error: null } });
      expect((await h.google.listFaults()).filter((f) => f.id === down.id || f.id === unavailable.id).map((f) => f.hits)).toEqual([1, 1]);
      expect((await h.google.stats()).byAccount[tutor.calendar]?.tokenRefreshes).toBe(refreshesBefore + 1);
      const audit = await h.pool.query<{ outcome: string }>(
        `SELECT outcome FROM sync_log WHERE connection_id = $1 AND operation = 'refresh_token' ORDER BY id`,
        [tutor.connectionId],
      );
      expect(audit.rows.map((r) => r.outcome)).toEqual(['ok']);
      expect(await eventsFor(h, tutor.calendar, bookingId, true)).toHaveLength(1);
      const after = await sealedTokens(tutor.connectionId);
      expect(after.accessToken).not.toBe(before.accessToken);
      const logs = h.logs.join('\n');
      for (const secret of [before.accessToken, before.refreshToken, after.accessToken, after.refreshToken, TEST_CLIENT.secret]) {
        expect(logs.includes(secret), `log contains ${secret.slice(0, 6)}…`).toBe(false);
      }
    },
  );

  it('tokens that expire within five minutes are refreshed before use, once per connection', async () => {
    const { tutor, client } = await connectedPair(h);
    // Hour-long tokens issued 58 minutes ago: two minutes left, inside the five-minute margin.
    await h.pool.query(
      `UPDATE calendar_connections SET token_issued_at = now() - interval '58 minutes', token_expires_at = now() + interval '2 minutes' WHERE id = ANY($1::uuid[])`,
      [[tutor.connectionId, client.connectionId]],
    );
    const ids = Array.from({ length: 4 }, () => h.id('bk'));
    await Promise.all(ids.map((id) => h.api('POST', `/v1/bookings/${id}/confirm`, confirmBody([strip(tutor), strip(client)]))));
    await Promise.all(ids.map((id) => settled(h, id, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2)));
    const stats = await h.google.stats();
    expect(stats.byAccount[tutor.calendar]?.tokenRefreshes).toBe(1);
    expect(stats.byAccount[client.calendar]?.tokenRefreshes).toBe(1);
    // The fresh token is used as it is, not refreshed again on every write.
    await Promise.all(
      ids.map((id) => h.api('POST', `/v1/bookings/${id}/reschedule`, { start: '2030-09-02T10:00:00Z', end: '2030-09-02T11:00:00Z' })),
    );
    await Promise.all(ids.map((id) => settled(h, id, (v) => v.start === '2030-09-02T10:00:00Z')));
    const after = await h.google.stats();
    expect(after.byAccount[tutor.calendar]?.tokenRefreshes).toBe(1);
    expect(after.byAccount[client.calendar]?.tokenRefreshes).toBe(1);
  });

  it('short-lived tokens (under the margin) are used while fresh, not refreshed on every write', async () => {
    await h.google.configure({ accessTokenTtlSeconds: 120 });
    try {
      const { tutor, client } = await connectedPair(h);
      const ids = Array.from({ length: 3 }, () => h.id('bk'));
      await Promise.all(ids.map((id) => h.api('POST', `/v1/bookings/${id}/confirm`, confirmBody([strip(tutor), strip(client)]))));
      await Promise.all(ids.map((id) => settled(h, id, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2)));
      await Promise.all(
        ids.map((id) => h.api('POST', `/v1/bookings/${id}/reschedule`, { start: '2030-09-03T10:00:00Z', end: '2030-09-03T11:00:00Z' })),
      );
      await Promise.all(ids.map((id) => settled(h, id, (v) => v.start === '2030-09-03T10:00:00Z')));
      const stats = await h.google.stats();
      expect(stats.byAccount[tutor.calendar]?.tokenRefreshes ?? 0).toBe(0);
      expect(stats.byAccount[client.calendar]?.tokenRefreshes ?? 0).toBe(0);
    } finally {
      await h.google.configure({ accessTokenTtlSeconds: 3600 });
    }
  });
});
