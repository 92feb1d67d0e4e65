import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box';
import { bookingWorkflowId } from '../../src/workflows/messages';
import { confirmBody, connectedPair, settled, strip } from '../support/bookings';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('tokens stay secret', () => {
  it('are sealed at rest and appear in no log line and no workflow history', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    await h.google.expireAccessTokens(tutor.calendar);
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)]))).status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);

    const box = new SecretBox(h.config.encryptionKeys);
    const { rows } = await h.pool.query<{ id: string; access_token_enc: string; refresh_token_enc: string; account_email_enc: string }>(
      'SELECT id, access_token_enc, refresh_token_enc, account_email_enc FROM calendar_connections WHERE id = ANY($1::uuid[])',
      [[tutor.connectionId, client.connectionId]],
    );
    expect(rows).toHaveLength(2);
    const secrets: string[] = [];
    for (const r of rows) {
      const access = box.open(r.access_token_enc, `calendar_connections.access_token:${r.id}`);
      const refresh = box.open(r.refresh_token_enc, `calendar_connections.refresh_token:${r.id}`);
      const email = box.open(r.account_email_enc, `calendar_connections.account_email:${r.id}`);
      expect(access.length).toBeGreaterThan(10);
      for (const [sealed, plain] of [[r.access_token_enc, access], [r.refresh_token_enc, refresh], [r.account_email_enc, email]] as const) {
        expect(sealed).not.toContain(plain);
      }
      secrets.push(access, refresh);
    }
    // The tutor's token was refreshed during the sync, so the log had something to leak.
    expect(h.logs.join('')).toContain('access token refreshed');
    const history = await h.service.client.workflow.getHandle(bookingWorkflowId(bookingId)).fetchHistory();
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
    for (const secret of secrets) {
      expect(h.logs.join('\n')).not.toContain(secret);
      expect(raw).not.toContain(secret);
    }
    expect(raw).not.toContain(h.config.encryptionKeys[0]!.key.toString('hex'));
  });
});
