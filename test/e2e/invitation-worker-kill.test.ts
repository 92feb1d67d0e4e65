import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startGoogleSandbox, type RunningGoogleSandbox } from 'calendar-emulators/google';
import { startSmtpSandbox, type RunningSmtpSandbox } from 'calendar-emulators/smtp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../../src/net/free-port';
import { bookingWorkflowId } from '../../src/workflows/messages';
import { ServiceApiClient } from '../../tools/support/service-api-client';
import { sandboxServiceEnv } from '../../tools/support/service-env';
import { ServiceProcess } from '../../tools/support/service-process';
import { confirmBody, type TestParticipant } from '../support/bookings';
import { eventually } from '../support/eventually';
import { itipReader, mailsAbout } from '../support/itip';

/**
 * Invitations through worker crashes: the API and the worker are their own processes, and the
 * worker is killed with SIGKILL (no shutdown, as in a crash) while a mail is being retried and
 * while the SMTP server has taken a mail but not yet answered.
 */

const FROM = 'bookings@tutoring.example';
const COMPLETED = temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;

let smtp: RunningSmtpSandbox;
let google: RunningGoogleSandbox;
let dir: string;
let api: ServiceProcess;
let worker: ServiceProcess;
let client: ServiceApiClient;
let connection: Connection;

beforeAll(async () => {
  smtp = await startSmtpSandbox();
  google = await startGoogleSandbox({ port: 0, clientId: 'kill-client.apps.sandbox', clientSecret: 'kill-client-secret' });
  dir = await mkdtemp(path.join(tmpdir(), 'calsync-invitation-kill-'));
  const port = await findFreePort();
  const apiKey = `test_${randomBytes(24).toString('base64url')}`;
  const env = {
    ...sandboxServiceEnv({
      databaseUrl: inject('databaseUrl'),
      temporalAddress: inject('temporalAddress'),
      taskQueue: `invitation-kill-${randomUUID()}`,
      port,
      apiKey,
      sandboxClient: { id: 'kill-client.apps.sandbox', secret: 'kill-client-secret' },
      googleUrl: google.url,
      workflowBundlePath: inject('workflowBundlePath'),
    }),
    INVITATIONS: 'unconnected',
    SMTP_URL: smtp.smtpUrl,
    INVITATION_FROM: `Tutoring Bookings <${FROM}>`,
  };
  api = new ServiceProcess('api', env, path.join(dir, 'api.log'));
  worker = new ServiceProcess('worker', env, path.join(dir, 'worker.log'));
  await Promise.all([api.start(), worker.start()]);
  client = new ServiceApiClient(`http://127.0.0.1:${port}`, apiKey);
  connection = await Connection.connect({ address: inject('temporalAddress') });
}, 300_000);

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill()]);
  await connection?.close();
  await smtp?.close();
  await google?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('e-mail invitations through worker crashes', () => {
  it(
    'mails REQUEST, REQUEST (same UID, higher SEQUENCE) and CANCEL once each across SMTP refusals and two worker SIGKILLs',
    { timeout: 600_000 },
    async () => {
      const itipOf = await itipReader();
      const participant: TestParticipant = {
        userId: `client-${randomUUID()}`,
        role: 'client',
        name: 'Bob Builder',
        email: `bob-${randomUUID()}@example.com`,
      };
      const bookingId = `bk-${randomUUID()}`;
      const mails = () => mailsAbout(smtp.store.list(), bookingId);

      // Kill 1: the invitation is refused (451) twice; the worker is killed once the first refusal came, while the activity is retried.
      smtp.store.refuseNext(2);
      const refusedBefore = smtp.store.refused;
      const params = { path: { bookingId } };
      expect((await client.operation('confirmBooking', { params, body: confirmBody([participant], { version: 1 }) })).status).toBe(202);
      await eventually(() => (smtp.store.refused > refusedBefore ? true : undefined), 'the first refusal of the invitation');
      await worker.kill();
      await worker.start();
      // An attempt cut off by the kill is retried after its start-to-close timeout (a minute).
      await eventually(() => (mails().length === 1 ? true : undefined), 'the invitation mailed', 150_000);
      expect(smtp.store.refused - refusedBefore).toBe(2);

      // Kill 2: the SMTP server takes the update but holds its answer; the worker is killed in that window, so the
      // activity never learns that the mail went out and cannot record it.
      smtp.store.holdNext(1);
      const moved = await client.operation('rescheduleBooking', {
        params,
        body: { version: 2, start: '2030-05-02T15:00:00Z', end: '2030-05-02T16:30:00Z' },
      });
      expect(moved.status).toBe(202);
      await eventually(() => (smtp.store.held === 1 ? true : undefined), 'the update taken and its answer held');
      await worker.kill();
      smtp.store.release();
      await worker.start();
      await eventually(() => (mails().length === 3 ? true : undefined), 'the update mailed again by the new worker', 150_000);

      expect((await client.operation('cancelBooking', { params, body: { version: 3, reason: 'tutor ill' } })).status).toBe(202);
      // The workflow ends once every lane settled: nothing can be mailed after that. (Read raw: its memo and result
      // are encrypted with the service's key.)
      const execution = { namespace: 'default', execution: { workflowId: bookingWorkflowId(bookingId) } };
      await eventually(
        async () =>
          (await connection.workflowService.describeWorkflowExecution(execution)).workflowExecutionInfo?.status === COMPLETED
            ? true
            : undefined,
        'the workflow to end',
      );

      const delivered = mails();
      for (const m of delivered) expect(m.envelope).toEqual({ from: FROM, to: [participant.email] });
      // Not exactly three deliveries: SMTP has no exactly-once delivery, and a sender that dies after the server took a
      // mail and before it recorded that resends it. The server received four mails, the update twice. The resend
      // is the same mail (same Message-ID, UID and SEQUENCE): calendar apps apply it once (the same event, unchanged),
      // and mail stores that fold by Message-ID (Gmail) show it once, but others show the update twice. This is the
      // activity's known at-least-once window, asserted as it is; with distinct Message-IDs the three changes arrive
      // once each, none lost.
      expect(delivered).toHaveLength(4);
      expect(delivered[2]!.messageId).toBe(delivered[1]!.messageId);
      const distinct = delivered.filter((m, i) => delivered.findIndex((other) => other.messageId === m.messageId) === i);
      expect(distinct).toHaveLength(3);
      expect(itipOf(delivered[2]!)).toEqual(itipOf(delivered[1]!));

      const [invite, update, cancel] = distinct.map(itipOf);
      const uid = `${bookingId}@127.0.0.1`;
      expect(invite).toMatchObject({ method: 'REQUEST', uid, status: 'CONFIRMED', start: Date.parse('2030-05-01T15:00:00Z') });
      expect(update).toMatchObject({ method: 'REQUEST', uid, status: 'CONFIRMED', start: Date.parse('2030-05-02T15:00:00Z') });
      expect(update!.sequence).toBeGreaterThan(invite!.sequence);
      expect(cancel).toMatchObject({ method: 'CANCEL', uid, status: 'CANCELLED' });
      expect(cancel!.sequence).toBeGreaterThan(update!.sequence);
    },
  );
});
