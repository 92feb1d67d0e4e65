import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedPair, confirmBody, settled, strip } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 600_000);
afterAll(async () => {
  await h?.close();
});

/** The value of one series (name plus exact label set) in a Prometheus text exposition. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('exposes sync latency, operations, retries, token refreshes, rate-limit waits and open bookings after a booking syncs', async () => {
    const before = await (await fetch(`${h.service.url}/metrics`)).text();
    const { tutor, client } = await connectedPair(h);
    // The tutor's first write is rate limited once: a retry and a rate-limit wait.
    await h.google.addFault({
      method: 'POST',
      path: '/events',
      account: tutor.calendar,
      status: 429,
      reason: 'rateLimitExceeded',
      retryAfterSeconds: 1,
      times: 1,
    });
    // The client's token has expired: a refresh before the write.
    await h.google.expireAccessTokens(client.calendar);
    const bookingId = h.id('bk');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)]))).status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.length === 2 && v.calendars.every((c) => c.state === 'synced'));

    const res = await fetch(`${h.service.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const grew = (series: string) => (valueOf(text, series) ?? 0) - (valueOf(before, series) ?? 0);
    expect(grew('calsync_calendar_operations_total{provider="google",operation="create",outcome="ok"}')).toBeGreaterThanOrEqual(2);
    expect(grew('calsync_sync_latency_seconds_count{provider="google",operation="create"}')).toBeGreaterThanOrEqual(2);
    expect(grew('calsync_calendar_operations_total{provider="google",operation="create",outcome="retrying"}')).toBeGreaterThanOrEqual(1);
    expect(grew('calsync_retries_total{activity="upsertCalendarEvent"}')).toBeGreaterThanOrEqual(1);
    expect(grew('calsync_rate_limit_waits_total{activity="upsertCalendarEvent"}')).toBeGreaterThanOrEqual(1);
    expect(grew('calsync_token_refreshes_total{outcome="refreshed"}')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('calsync_activity_duration_seconds_bucket');
    expect(text).toContain('calsync_process_resident_memory_bytes');
    // Temporal Core's own series, relayed: e.g. activity task latencies of this worker.
    expect(text).toMatch(/^temporal_activity_execution_latency(_seconds)?_count\{/m);
    // Kinds and outcomes only: no booking, user or connection ids.
    expect(text).not.toContain(bookingId);
    expect(text).not.toContain(tutor.userId);
    expect(text).not.toContain(tutor.connectionId);
    // Counted in the database at most every 15 s: the scrape before the booking may still be the one shown.
    await eventually(async () => {
      const open = valueOf(await (await fetch(`${h.service.url}/metrics`)).text(), 'calsync_open_bookings') ?? 0;
      return open >= 1 ? open : undefined;
    }, 'the open booking counted in calsync_open_bookings');
  });
});
