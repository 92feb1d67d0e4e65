import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { encryptingDataConverter } from '../../src/temporal/data-converter';
import { bookingWorkflowId, connectionWorkflowId } from '../../src/workflows/messages';
import { confirmBody, connectedPair, getBooking, settled, strip } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

const FIXTURES = path.join(__dirname, '../fixtures/histories');

/**
 * Histories hold payloads encrypted by the codec, so fixtures are recorded under a fixed key
 * that lives here: a test key for test data, not a secret.
 */
const FIXTURE_KEYS = 'replay1:5f1c0d2e3b4a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ENCRYPTION_KEYS: FIXTURE_KEYS });
});
afterAll(async () => {
  await h?.close();
});

const { History } = temporal.api.history.v1;

async function replay(history: temporal.api.history.v1.IHistory, workflowId: string): Promise<void> {
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: encryptingDataConverter(h.config.encryptionKeys) },
    history,
    workflowId,
  );
}

/**
 * Guards bookingWorkflow against non-determinism: histories recorded from real runs (committed
 * under test/fixtures/histories as binary protobuf, plus ones made now) must replay on the current code.
 * `RECORD_HISTORIES=1 npm test -- test/e2e/workflow-replay.test.ts` refreshes the fixtures.
 */
describe('bookingWorkflow replay', () => {
  it('replays fresh histories of a full lifecycle with a token refresh and a provider failure', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('replay');
    await h.google.addFault({ method: 'POST', path: '/events', account: client.calendar, status: 503, reason: 'backendError', times: 1 });
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)], { version: 1 }))).status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    await h.google.expireAccessTokens(tutor.calendar);
    await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, { version: 2, start: '2030-05-03T10:00:00Z', end: '2030-05-03T11:00:00Z' });
    await settled(h, bookingId, (v) => v.start === '2030-05-03T10:00:00Z');
    await h.api('POST', `/v1/bookings/${bookingId}/cancel`, { version: 3 });
    await eventually(async () => ((await getBooking(h, bookingId)).calendars.every((c) => c.state === 'deleted') ? true : undefined), 'cancel');

    const handle = h.service.client.workflow.getHandle(bookingWorkflowId(bookingId));
    await handle.result();
    const history = History.fromObject(await handle.fetchHistory());
    const activities = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(activities).toEqual(expect.arrayContaining(['upsertCalendarEvent', 'refreshAccessToken', 'deleteCalendarEvent']));
    await replay(history, bookingWorkflowId(bookingId));
    if (process.env.RECORD_HISTORIES === '1') {
      await writeFile(path.join(FIXTURES, 'booking-lifecycle.binpb'), History.encode(history).finish());
    }
  });

  it('replays a fresh connection workflow history: connect, bulk sync, busy-time read, disconnect', async () => {
    const userId = h.id('replay-conn');
    const { connectionId } = await h.connectGoogle(userId);
    await eventually(async () => {
      const { rows } = await h.pool.query<{ busy_synced_at: Date | null }>('SELECT busy_synced_at FROM calendar_connections WHERE id = $1', [connectionId]);
      return rows[0]?.busy_synced_at ? true : undefined;
    }, 'busy times read once');
    expect((await h.api('DELETE', `/v1/users/${userId}/connections/${connectionId}`)).status).toBe(202);
    const handle = h.service.client.workflow.getHandle(connectionWorkflowId(connectionId));
    await handle.result();
    const history = History.fromObject(await handle.fetchHistory());
    const activities = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(activities).toEqual(expect.arrayContaining(['busyTimeSettings', 'refreshBusyTimes', 'finalizeDisconnect']));
    await replay(history, connectionWorkflowId(connectionId));
  });

  it('replays every committed history fixture', async () => {
    const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.binpb'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      await replay(History.decode(await readFile(path.join(FIXTURES, file))), `fixture-${file}`);
    }
  });
});
