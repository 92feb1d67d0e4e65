import { randomBytes } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box';
import { createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import { ENCODING } from '../../src/temporal/payload-codec';
import { confirmBody, settled, type TestParticipant } from '../support/bookings';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let radicale: RadicaleServer;
const caldavUser = { username: `sec${randomBytes(3).toString('hex')}`, password: `pw-${randomBytes(12).toString('hex')}` };
beforeAll(async () => {
  await ensureRadicale();
  radicale = await startRadicale({ users: [caldavUser] });
  await createCalendar(radicale.url, caldavUser.username, caldavUser.password, { slug: 'personal', displayName: 'Personal' });
  h = await startHarness();
}, 600_000);
afterAll(async () => {
  await h?.close();
  await radicale?.stop();
});

/** Every workflow this test's service ran, as raw protobuf bytes (what the server stores). */
async function rawHistories(): Promise<{ raw: string; events: temporal.api.history.v1.IHistoryEvent[] }> {
  let raw = '';
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  for await (const w of h.service.client.workflow.list({ query: `TaskQueue = '${h.config.temporal.taskQueue}'` })) {
    const history = await h.service.client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
    raw += Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
    events.push(...(history.events ?? []));
  }
  return { raw, events };
}

describe('secrets stay secret', () => {
  it('tokens, passwords, e-mail addresses and keys are in no log line and no workflow history of a Google + Outlook + CalDAV booking', async () => {
    const tutorId = h.id('tutor');
    const clientId = h.id('client');
    const parentId = h.id('parent');
    const google = await h.connectGoogle(tutorId);
    const outlook = await h.connectMicrosoft(clientId, `${clientId.toLowerCase()}@contoso.test`);
    const caldav = await h.api<{ id: string }>('POST', `/v1/users/${parentId}/connections`, {
      provider: 'caldav',
      serverUrl: radicale.url,
      ...caldavUser,
    });
    expect(caldav.status).toBe(201);
    // A token refresh and a failed attempt, so logs and histories had something to leak.
    await h.google.expireAccessTokens(google.email);
    await h.microsoft.addFault({ method: 'POST', path: '/events', account: outlook.email, status: 503, times: 1 });

    const participants: TestParticipant[] = [
      { userId: tutorId, role: 'tutor', name: 'Ada Lovelace', email: `ada.${randomBytes(3).toString('hex')}@example.com` },
      { userId: clientId, role: 'client', name: 'Bob Builder', email: `bob.${randomBytes(3).toString('hex')}@example.com` },
      { userId: parentId, role: 'parent', name: 'Carol', email: `carol.${randomBytes(3).toString('hex')}@example.com` },
    ];
    const bookingId = h.id('bk');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody(participants))).status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 3);

    const box = new SecretBox(h.config.encryptionKeys);
    const { rows } = await h.pool.query<{
      id: string;
      access_token_enc: string | null;
      refresh_token_enc: string | null;
      account_email_enc: string;
      password_enc: string | null;
    }>(
      'SELECT id, access_token_enc, refresh_token_enc, account_email_enc, password_enc FROM calendar_connections WHERE user_id = ANY($1)',
      [[tutorId, clientId, parentId]],
    );
    expect(rows).toHaveLength(3);
    const secrets: string[] = [h.config.encryptionKeys[0]!.key.toString('hex'), caldavUser.password, ...participants.map((p) => p.email)];
    for (const r of rows) {
      for (const column of ['access_token', 'refresh_token', 'account_email', 'password'] as const) {
        const sealed = r[`${column}_enc`];
        if (!sealed) continue;
        const plain = box.open(sealed, `calendar_connections.${column}:${r.id}`);
        expect(sealed).not.toContain(plain);
        secrets.push(plain);
      }
    }
    expect(secrets.filter((s) => s.includes('@'))).toEqual(expect.arrayContaining([google.email, outlook.email]));
    expect(h.logs.join('')).toContain('access token refreshed');

    const { raw, events } = await rawHistories();
    // Payloads are there, encrypted; the failed attempt's message is encoded too.
    expect(raw).toContain(ENCODING);
    const failures = events.map((e) => e.activityTaskFailedEventAttributes?.failure).filter((f) => f);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) expect(f!.message).toBe('Encoded failure');
    const logs = h.logs.join('\n');
    for (const secret of secrets) {
      expect(logs.includes(secret), `log contains ${secret.slice(0, 3)}…`).toBe(false);
      expect(raw.includes(secret), `history contains ${secret.slice(0, 3)}…`).toBe(false);
    }
  });
});
