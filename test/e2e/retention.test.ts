import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box';
import { BookingPersonalSeal } from '../../src/db/booking-personal-data';
import { PgBookingStore } from '../../src/db/bookings';
import type { BookingProjection } from '../../src/domain/booking';
import { retentionScheduleId } from '../../src/temporal/retention-schedule';
import type { retentionWorkflow, RetentionResult } from '../../src/workflows/retention';
import { eventually, startHarness, type Harness } from '../support/harness';

const DAY = 86_400_000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const schedule = () => h.service.client.schedule.getHandle(retentionScheduleId(h.config.temporal.taskQueue));

/** A booking the database recorded (written as its workflow writes it), ending `endsDaysAgo` days ago. */
async function recordedBooking(status: 'confirmed' | 'cancelled', endsDaysAgo: number): Promise<string> {
  const bookingId = h.id('bk');
  const end = new Date(Date.now() - endsDaysAgo * DAY);
  const projection: BookingProjection = {
    bookingId,
    status,
    version: null,
    revision: 1,
    details: {
      title: 'Old lesson',
      start: new Date(end.getTime() - 3_600_000).toISOString(),
      end: end.toISOString(),
      timeZone: 'UTC',
      participants: [{ userId: h.id('u'), role: 'tutor', name: 'Ada', email: 'ada@example.com' }],
    },
  };
  await new PgBookingStore(h.pool, new BookingPersonalSeal(new SecretBox(h.config.encryptionKeys))).saveProjection(projection);
  return bookingId;
}

/** Ages a row by moving its timestamp `days` into the past. */
async function age(table: string, column: string, where: string, params: unknown[], days: number): Promise<void> {
  const res = await h.pool.query(`UPDATE ${table} SET ${column} = now() - make_interval(days => ${days}) WHERE ${where}`, params);
  expect(res.rowCount).toBe(1);
}

async function exists(sql: string, params: unknown[]): Promise<boolean> {
  return ((await h.pool.query(sql, params)).rowCount ?? 0) > 0;
}

describe('retention', () => {
  it('is a daily Temporal schedule with RETENTION (180 days by default) as its input', async () => {
    const described = await schedule().describe();
    expect(described.spec.calendars).toEqual([
      expect.objectContaining({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] }),
    ]);
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'retentionWorkflow',
      taskQueue: h.config.temporal.taskQueue,
      args: [{ retentionMs: 180 * DAY }],
    });
  });

  it('one run deletes audit rows, settled notifications, applied receipts and finished bookings older than RETENTION, and keeps the rest', async () => {
    const tag = h.id('ret');
    // sync_log: one aged past retention, one recent.
    const log = async () =>
      (
        await h.pool.query<{ id: string }>(`INSERT INTO sync_log (operation, outcome, detail) VALUES ('upsert', 'ok', $1) RETURNING id`, [
          tag,
        ])
      ).rows[0]!.id;
    const [oldLog, newLog] = [await log(), await log()];
    await age('sync_log', 'at', 'id = $1', [oldLog], 200);
    // notifications: delivered and failed ones aged, a pending one aged (still being delivered), a recent delivered one.
    const note = async (status: string) => {
      const id = randomUUID();
      await h.pool.query(`INSERT INTO notifications (id, type, data, status) VALUES ($1, 'booking.sync_failed', $2, $3)`, [
        id,
        JSON.stringify({ tag }),
        status,
      ]);
      return id;
    };
    const [oldDelivered, oldFailed, oldPending, newDelivered] = [
      await note('delivered'),
      await note('failed'),
      await note('pending'),
      await note('delivered'),
    ];
    for (const id of [oldDelivered, oldFailed, oldPending]) await age('notifications', 'created_at', 'id = $1', [id], 200);
    // webhook receipts: an applied one aged, a recent one.
    const receipt = async () => {
      const id = `${tag}-${randomUUID()}`;
      await h.pool.query(
        `INSERT INTO webhook_receipts (id, type, booking_id, body_sha256, applied_at) VALUES ($1, 'booking.confirmed', 'b', 'x', now())`,
        [id],
      );
      return id;
    };
    const [oldReceipt, newReceipt] = [await receipt(), await receipt()];
    await age('webhook_receipts', 'received_at', 'id = $1', [oldReceipt], 200);
    // bookings: ended long ago, cancelled long ago, ended recently, and one still ahead.
    const endedLongAgo = await recordedBooking('confirmed', 200);
    const cancelledLongAgo = await recordedBooking('cancelled', -10);
    await age('bookings', 'updated_at', 'booking_id = $1', [cancelledLongAgo], 200);
    const endedRecently = await recordedBooking('confirmed', 10);
    const ahead = await recordedBooking('confirmed', -30);
    expect((await h.api('GET', `/v1/bookings/${endedLongAgo}`)).status).toBe(200);

    const before = await schedule().describe();
    await schedule().trigger();
    const run = await eventually(async () => {
      const { info } = await schedule().describe();
      return info.recentActions.length > before.info.recentActions.length ? info.recentActions.at(-1) : undefined;
    }, 'the triggered run');
    const deleted: RetentionResult = await h.service.client.workflow
      .getHandle<typeof retentionWorkflow>(run.action.workflow.workflowId, undefined, {
        firstExecutionRunId: run.action.workflow.firstExecutionRunId,
      })
      .result();
    expect(deleted.syncLog).toBeGreaterThanOrEqual(1);
    expect(deleted.notifications).toBeGreaterThanOrEqual(2);
    expect(deleted.webhookReceipts).toBeGreaterThanOrEqual(1);
    expect(deleted.bookings).toBeGreaterThanOrEqual(2);

    expect(await exists('SELECT 1 FROM sync_log WHERE id = $1', [oldLog])).toBe(false);
    expect(await exists('SELECT 1 FROM sync_log WHERE id = $1', [newLog])).toBe(true);
    for (const id of [oldDelivered, oldFailed]) expect(await exists('SELECT 1 FROM notifications WHERE id = $1', [id])).toBe(false);
    for (const id of [oldPending, newDelivered]) expect(await exists('SELECT 1 FROM notifications WHERE id = $1', [id])).toBe(true);
    expect(await exists('SELECT 1 FROM webhook_receipts WHERE id = $1', [oldReceipt])).toBe(false);
    expect(await exists('SELECT 1 FROM webhook_receipts WHERE id = $1', [newReceipt])).toBe(true);
    for (const id of [endedLongAgo, cancelledLongAgo]) expect((await h.api('GET', `/v1/bookings/${id}`)).status).toBe(404);
    for (const id of [endedRecently, ahead]) expect((await h.api('GET', `/v1/bookings/${id}`)).status).toBe(200);
  });

  it('follows RETENTION when the worker starts again: updated when it changes, removed when off', async () => {
    await h.restart({ RETENTION: '30d' });
    expect((await schedule().describe()).action).toMatchObject({ args: [{ retentionMs: 30 * DAY }] });
    await h.restart({ RETENTION: 'off' });
    await expect(schedule().describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    await h.restart({});
    expect((await schedule().describe()).action).toMatchObject({ args: [{ retentionMs: 180 * DAY }] });
  });
});
