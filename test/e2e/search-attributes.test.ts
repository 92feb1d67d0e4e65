import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBody, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

// What operators filter by in the Web UI: the booking workflows' search attributes, queried
// through the Temporal visibility API exactly as the UI queries them.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 600_000);
afterAll(async () => {
  await h?.close();
});

async function workflowIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of h.service.client.workflow.list({ query: `TaskQueue = '${h.config.temporal.taskQueue}' AND ${query}` }))
    ids.push(w.workflowId);
  return ids.sort();
}

/** Waits until the query lists exactly these workflows (visibility follows the workflows shortly). */
function listed(query: string, expected: string[]): Promise<string[]> {
  return eventually(
    async () => {
      const ids = await workflowIds(query);
      return JSON.stringify(ids) === JSON.stringify([...expected].sort()) ? ids : undefined;
    },
    `${query} to list ${expected.join(', ') || 'nothing'}`,
  );
}

describe('search attributes', () => {
  it('list every booking of a user, by status and by degraded sync', async () => {
    const tutor = h.id('u');
    const other = h.id('u');
    const { email } = await h.connectGoogle(tutor);
    const p = (userId: string): TestParticipant => ({ userId, role: 'tutor', name: 'Ada', email: 'ada@example.com' });
    const start = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const end = (d: number) => new Date(Date.now() + d * 86_400_000 + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');

    const ok = h.id('bk');
    const failing = h.id('bk');
    const others = h.id('bk');
    expect((await h.api('POST', `/v1/bookings/${ok}/confirm`, confirmBody([p(tutor)], { start: start(2), end: end(2) }))).status).toBe(202);
    await settled(h, ok, (v) => v.calendars.every((c) => c.state === 'synced'));
    // This one cannot be written: Google refuses it for good.
    await h.google.addFault({ method: 'POST', path: '/events', account: email, status: 400, reason: 'invalid', times: 50 });
    expect((await h.api('POST', `/v1/bookings/${failing}/confirm`, confirmBody([p(tutor)], { start: start(3), end: end(3) }))).status).toBe(
      202,
    );
    expect((await h.api('POST', `/v1/bookings/${others}/confirm`, confirmBody([p(other)], { start: start(4), end: end(4) }))).status).toBe(
      202,
    );

    const wf = (id: string) => `booking:${id}`;
    await listed(`ParticipantUserIds = '${tutor}'`, [wf(ok), wf(failing)]);
    await listed(`ParticipantUserIds = '${other}'`, [wf(others)]);
    await listed(`BookingId = '${ok}'`, [wf(ok)]);
    await listed(`ParticipantUserIds = '${tutor}' AND SyncState = 'degraded'`, [wf(failing)]);
    await listed(`ParticipantUserIds = '${tutor}' AND SyncState = 'synced'`, [wf(ok)]);

    expect((await h.api('POST', `/v1/bookings/${ok}/cancel`, { reason: 'ill' })).status).toBe(202);
    await listed(`ParticipantUserIds = '${tutor}' AND BookingStatus = 'cancelled'`, [wf(ok)]);
    await listed(`ParticipantUserIds = '${tutor}' AND BookingStatus = 'confirmed'`, [wf(failing)]);
  });
});
