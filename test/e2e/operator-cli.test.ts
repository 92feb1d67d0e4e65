import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box';
import { createRepositories } from '../../src/db/repositories';
import { confirmBody, eventsFor, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';
import { startNotifyReceiver } from '../support/notify-receiver';

const ROOT = path.resolve(__dirname, '../..');

let h: Harness;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
/** Users whose notifications the receiver refuses (500), until a test lets them through. */
const refused = new Set<string>();

beforeAll(async () => {
  receiver = await startNotifyReceiver((n) => (refused.has(String(n.data['userId'])) ? 500 : 200));
  h = await startHarness({ NOTIFY_URL: receiver.url, NOTIFY_RETRY_FOR: '3s' });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

/** The service's own environment, as an operator's shell beside the deployment has it. */
function serviceEnv(): Record<string, string> {
  const c = h.config;
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: c.databaseUrl!,
    TEMPORAL_ADDRESS: c.temporal.address,
    TEMPORAL_NAMESPACE: c.temporal.namespace,
    TEMPORAL_TASK_QUEUE: c.temporal.taskQueue,
    API_KEYS: c.apiKeys.join(','),
    WEBHOOK_SECRET: c.webhookSecret,
    ENCRYPTION_KEYS: c.encryptionKeys.map((k) => `${k.id}:${k.key.toString('hex')}`).join(','),
    NOTIFY_URL: receiver.url,
    NOTIFY_RETRY_FOR: '60s',
  };
}

/** `calsync <args>` from the checkout (`tsx src/main.ts`), as its own process. */
function calsync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'src/main.ts'), ...args], {
    cwd: ROOT,
    env: serviceEnv(),
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('calsync, the operator CLI', () => {
  it('resync brings a booking made while sync was off into the calendar; booking history shows what the API route shows', async () => {
    const userId = h.id('tutor');
    const { connectionId, email } = await h.connectGoogle(userId);
    const tutor: TestParticipant = { userId, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
    const client: TestParticipant = { userId: h.id('client'), role: 'client', name: 'Bob', email: 'bob@example.com' };
    // The connect's own bulk sync is over first: it cannot be what writes the booking below.
    await eventually(async () => {
      const res = await h.api<{ connections: Array<{ id: string; bulkSync?: { state: string } }> }>(
        'GET',
        `/v1/users/${userId}/connections`,
      );
      return res.body.connections.find((c) => c.id === connectionId)?.bulkSync?.state === 'completed' ? true : undefined;
    }, 'the bulk sync of the connect to complete');
    const off = await h.api('PATCH', `/v1/users/${userId}/connections/${connectionId}`, { syncEnabled: false });
    expect(off.status).toBe(200);
    const bookingId = h.id('bk');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([tutor, client]))).status).toBe(202);
    const skipped = await settled(h, bookingId);
    expect(skipped.calendars.find((c) => c.userId === userId)).toMatchObject({ state: 'skipped' });
    // Sync back on in the database alone (as after a restore, or a change made outside the API):
    // nothing asks the account's workflow to write the booking, so its event stays missing.
    await createRepositories(h.pool, new SecretBox(h.config.encryptionKeys)).calendarAccounts.setSyncEnabled(connectionId, true);
    expect(await eventsFor(h, email, bookingId, true)).toHaveLength(0);

    const resync = await calsync('resync', userId);
    expect(resync.stderr).toBe('');
    expect(resync.code).toBe(0);
    expect(resync.stdout).toContain(`Bulk sync asked for 1 calendar account(s) of user ${userId}`);
    expect(resync.stdout).toContain(connectionId);
    await settled(h, bookingId, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
    await eventually(
      async () => ((await eventsFor(h, email, bookingId)).length === 1 ? true : undefined),
      'the event written by the resync',
    );

    // By connection id, for machines.
    const one = await calsync('resync', connectionId, '--json');
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual({ target: 'connection', userId, requested: [connectionId], skipped: [] });

    // The history: the same pages as GET /v1/bookings/:id/history (oldest first, so a page stays put as entries are added).
    const firstApi = await h.api<{ nextCursor: string | null }>('GET', `/v1/bookings/${bookingId}/history?limit=2`);
    expect(firstApi.status).toBe(200);
    const first = await calsync('booking', 'history', bookingId, '--limit', '2', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual(firstApi.body);
    expect(firstApi.body.nextCursor).not.toBeNull();
    const secondApi = await h.api(
      'GET',
      `/v1/bookings/${bookingId}/history?limit=2&cursor=${encodeURIComponent(firstApi.body.nextCursor!)}`,
    );
    const second = await calsync('booking', 'history', bookingId, '--limit', '2', '--cursor', firstApi.body.nextCursor!, '--json');
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual(secondApi.body);
    // For a person: one line per entry, the write of the event among them.
    const text = await calsync('booking', 'history', bookingId);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`History of booking ${bookingId}`);
    expect(text.stdout).toMatch(new RegExp(`create ok .*connection=${connectionId}`));
    expect(text.stdout).not.toContain('ada@example.com');
  });

  it('notifications redeliver sends a failed notification again, and the receiver gets it', async () => {
    const userId = h.id('refused');
    refused.add(userId);
    const { connectionId } = await h.connectGoogle(userId);
    type Listed = { id: string; type: string; status: string; data: Record<string, unknown> };
    const find = async (status: string) => {
      const list = await h.api<{ notifications: Listed[] }>('GET', `/v1/notifications?limit=500&status=${status}`);
      return list.body.notifications.find((n) => n.type === 'connection.connected' && n.data['connectionId'] === connectionId);
    };
    // Refused until NOTIFY_RETRY_FOR (3 s) ran out: failed.
    const failed = await eventually(() => find('failed'), 'connection.connected listed as failed');
    expect(receiver.received.filter((n) => n.id === failed.id && n.status < 300)).toHaveLength(0);

    refused.delete(userId);
    const redelivered = await calsync('notifications', 'redeliver', failed.id);
    expect(redelivered.code, redelivered.stderr).toBe(0);
    expect(redelivered.stdout).toContain(`Notification ${failed.id} (was failed) is being delivered to NOTIFY_URL again`);
    const accepted = await eventually(
      () => receiver.received.find((n) => n.id === failed.id && n.status === 200),
      'the redelivered notification at the receiver',
    );
    expect(accepted).toMatchObject({ type: 'connection.connected', idempotencyKey: failed.id, data: { connectionId } });
    await eventually(() => find('delivered'), 'the notification listed as delivered');
  });

  it('says what is unknown (exit 1) and what was used wrongly (exit 2), changing nothing', async () => {
    const unknownUser = h.id('nobody');
    const unknownNotification = randomUUID();
    const [noUser, noBooking, noNotification, missingId, badLimit, unknownCommand, extra, help] = await Promise.all([
      calsync('resync', unknownUser),
      calsync('booking', 'history', h.id('no-booking')),
      calsync('notifications', 'redeliver', unknownNotification),
      calsync('resync'),
      calsync('booking', 'history', 'bk-1', '--limit', 'many'),
      calsync('keys', 'rotate'),
      calsync('notifications', 'redeliver', 'a', 'b'),
      calsync('booking', 'history', '--help'),
    ]);
    expect(noUser).toMatchObject({ code: 1, stdout: '' });
    expect(noUser.stderr).toContain(`no user ${unknownUser} has a calendar account`);
    expect(noBooking.code).toBe(1);
    expect(noBooking.stderr).toMatch(/No booking .* is recorded/);
    expect(noNotification.code).toBe(1);
    expect(noNotification.stderr).toContain(`No notification ${unknownNotification} is stored`);
    expect((await h.api<{ notifications: unknown[] }>('GET', `/v1/notifications?limit=500`)).body.notifications).not.toContainEqual(
      expect.objectContaining({ id: unknownNotification }),
    );

    expect(missingId.code).toBe(2);
    expect(missingId.stderr).toContain('expected <userId|connectionId>, got none');
    expect(missingId.stderr).toContain('Usage: calsync resync');
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toContain('--limit');
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain('unknown command "rotate"');
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('expected <notificationId>, got a b');
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: calsync booking history <bookingId> [--limit N] [--cursor C] [--json]');
  });
});
