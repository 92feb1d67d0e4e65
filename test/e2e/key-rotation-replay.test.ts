import { randomBytes } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runJob } from '../../src/cli/commands';
import { parseKeyring } from '../../src/crypto/keyring';
import { SecretBox } from '../../src/crypto/secret-box';
import type { BookingView } from '../../src/domain/booking';
import type { ReencryptSummary } from '../../src/db/reencrypt';
import { encryptingDataConverter } from '../../src/temporal/data-converter';
import { EncryptionCodec, KEY_ID_METADATA, PayloadKeyUnavailableError } from '../../src/temporal/payload-codec';
import { bookingWorkflowId } from '../../src/workflows/messages';
import { confirmBody, connectedPair, eventsFor, getBooking, strip, type ConnectedParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

const PAIRS = 5;
const BOOKINGS_PER_PAIR = 10;
/** `id:hex` as ENCRYPTION_KEYS spells a key. */
const OLD = `old-key:${randomBytes(32).toString('hex')}`;
/** The Web UI's codec key (CODEC_API_KEYS): the booking system's API key does not open /codec. */
const CODEC_KEY = `codec_${randomBytes(24).toString('hex')}`;
const NEW = `new-key:${randomBytes(32).toString('hex')}`;
const keyring = (spec: string) => {
  const parsed = parseKeyring(spec);
  if (!parsed.ok) throw new Error(parsed.problems.join());
  return parsed.keys;
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ENCRYPTION_KEYS: OLD, CODEC_API_KEYS: CODEC_KEY });
});
afterAll(async () => {
  await h?.close();
});

type History = temporal.api.history.v1.IHistory;
type JsonPayload = { metadata?: Record<string, string>; data?: string };
const text = (b: Uint8Array | string | null | undefined) =>
  typeof b === 'string' ? Buffer.from(b, 'base64').toString('utf8') : Buffer.from(b ?? new Uint8Array()).toString('utf8');

/** Waits for every booking at once, one request per pending booking per round (not one poller each). */
async function allSettled(ids: string[], accept: (v: BookingView) => boolean, what: string): Promise<Map<string, BookingView>> {
  const done = new Map<string, BookingView>();
  const last = new Map<string, BookingView>();
  await eventually(
    async () => {
      const pending = ids.filter((id) => !done.has(id));
      await Promise.all(
        pending.map(async (id) => {
          const v = await getBooking(h, id);
          last.set(id, v);
          if (v.syncState === 'synced' && accept(v)) done.set(id, v);
        }),
      );
      return done.size === ids.length ? true : undefined;
    },
    what,
    150_000,
  ).catch((err: unknown) => {
    const stuck = ids.filter((id) => !done.has(id)).slice(0, 3);
    const seen = stuck.map((id) => [id, last.get(id)?.syncState, last.get(id)?.start, last.get(id)?.calendars.map((c) => c.state)]);
    throw new Error(`${String(err)}; ${ids.length - done.size} not settled, e.g. ${JSON.stringify(seen)}`);
  });
  return done;
}

async function historyOf(bookingId: string): Promise<History> {
  return h.service.client.workflow.getHandle(bookingWorkflowId(bookingId)).fetchHistory();
}

/** The encrypted payload of the booking's confirm signal, as the Web UI sends it to the codec server. */
function confirmPayload(history: History): JsonPayload {
  const signal = history.events!.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'confirm');
  const payloads = signal!.workflowExecutionSignaledEventAttributes!.input!;
  return (
    temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.create(payloads), { bytes: String }) as {
      payloads: JsonPayload[];
    }
  ).payloads[0]!;
}

async function decodeOverHttp(payloads: JsonPayload[]) {
  const res = await fetch(`${h.service.url}/codec/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${CODEC_KEY}` },
    body: JSON.stringify({ payloads }),
  });
  return { status: res.status, body: (await res.json()) as { payloads: JsonPayload[]; code?: string; detail?: string } };
}

const replayOptions = (spec: string) => ({
  workflowBundle: { codePath: inject('workflowBundlePath') },
  dataConverter: encryptingDataConverter(keyring(spec)),
});

describe('key rotation with open workflows', () => {
  it(
    'keeps 50 open booking workflows alive: rotated, re-encrypted, replayed on fresh workers, changed, converged; old histories still decode',
    { timeout: 600_000 },
    async () => {
      // 50 open booking workflows, every one with two connected calendars, all under the old key.
      const pairs: Array<{ tutor: ConnectedParticipant; client: ConnectedParticipant }> = [];
      for (let p = 0; p < PAIRS; p += 1) pairs.push(await connectedPair(h));
      const bookings = pairs.flatMap((pair, p) =>
        Array.from({ length: BOOKINGS_PER_PAIR }, (_, i) => {
          const start = new Date(Date.UTC(2030, 5, 1 + p, 8 + i));
          return { id: h.id('rot'), pair, start, end: new Date(start.getTime() + 3_600_000) };
        }),
      );
      for (const b of bookings) {
        const res = await h.api(
          'POST',
          `/v1/bookings/${b.id}/confirm`,
          confirmBody([strip(b.pair.tutor), strip(b.pair.client)], { version: 1, start: b.start.toISOString(), end: b.end.toISOString() }),
        );
        expect(res.status).toBe(202);
      }
      const ids = bookings.map((b) => b.id);
      const twoSynced = (v: BookingView) => v.calendars.length === 2 && v.calendars.every((c) => c.state === 'synced');
      await allSettled(ids, twoSynced, 'the 50 bookings to sync under the old key');
      const oldPayloads = await Promise.all(ids.map(async (id) => confirmPayload(await historyOf(id))));
      expect(new Set(oldPayloads.map((p) => text(p.metadata?.[KEY_ID_METADATA])))).toEqual(new Set(['old-key']));

      // Rotation, step 1: deploy with the new key first and the old one kept (a new service, so a fresh worker).
      await h.restart({ ENCRYPTION_KEYS: `${NEW},${OLD}` });
      // Step 2: the reencrypt job re-seals the stored secrets under the new key.
      let output = '';
      await runJob('reencrypt', { DATABASE_URL: inject('databaseUrl'), ENCRYPTION_KEYS: `${NEW},${OLD}` }, (t) => (output += t));
      const summary = JSON.parse(output) as ReencryptSummary;
      const connectionIds = pairs.flatMap((p) => [p.tutor.connectionId, p.client.connectionId]);
      expect(summary.keyId).toBe('new-key');
      // The database is shared with other test files, whose rows are under keys this job does not have.
      expect(summary.failed.filter((f) => connectionIds.includes(f.connectionId))).toEqual([]);
      const rows = await h.pool.query<{ access_token_enc: string; refresh_token_enc: string }>(
        'SELECT access_token_enc, refresh_token_enc FROM calendar_connections WHERE id = ANY($1::uuid[])',
        [connectionIds],
      );
      expect(rows.rows).toHaveLength(connectionIds.length);
      expect(new Set(rows.rows.flatMap((r) => [r.access_token_enc, r.refresh_token_enc].map((v) => SecretBox.keyIdOf(v))))).toEqual(
        new Set(['new-key']),
      );
      // Step 3: workers restart (a fresh worker, empty cache): every workflow task from here on replays from history.
      await h.service.restartWorker();

      // Every booking changes; each workflow replays its old-key history on the new worker and converges.
      for (const b of bookings) {
        const res = await h.api('POST', `/v1/bookings/${b.id}/reschedule`, {
          version: 2,
          start: new Date(b.start.getTime() + 86_400_000).toISOString(),
          end: new Date(b.end.getTime() + 86_400_000).toISOString(),
        });
        expect(res.status).toBe(202);
      }
      const moved = (b: (typeof bookings)[number]) => new Date(b.start.getTime() + 86_400_000).toISOString();
      const startOf = new Map(bookings.map((b) => [b.id, moved(b)]));
      await allSettled(
        ids,
        (v) => twoSynced(v) && new Date(v.start).toISOString() === startOf.get(v.bookingId),
        'the 50 rescheduled bookings',
      );
      // The calendars hold the moved events (checked for one booking of each pair).
      for (const b of bookings.filter((_, i) => i % BOOKINGS_PER_PAIR === 0)) {
        for (const calendar of [b.pair.tutor.calendar, b.pair.client.calendar]) {
          const events = await eventsFor(h, calendar, b.id);
          expect(events.map((e) => new Date(e.start?.dateTime ?? '').toISOString())).toEqual([moved(b)]);
        }
      }

      // No workflow task failed anywhere: no history hit a payload it could not decode.
      const histories = await Promise.all(ids.map(async (id) => ({ workflowId: bookingWorkflowId(id), history: await historyOf(id) })));
      for (const { history } of histories) {
        expect(history.events!.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
        // Each history now holds payloads under both keys: the old confirm, the new reschedule.
        const reschedule = history.events!.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'reschedule');
        expect(text(reschedule!.workflowExecutionSignaledEventAttributes!.input!.payloads![0]!.metadata![KEY_ID_METADATA])).toBe('new-key');
      }
      // Replaying the whole histories, as any later worker will, works with the rotated keyring.
      for await (const result of Worker.runReplayHistories(replayOptions(`${NEW},${OLD}`), histories)) {
        expect(result.error, result.workflowId).toBeUndefined();
      }

      // The codec server decodes the old histories' payloads.
      const decoded = await decodeOverHttp(oldPayloads);
      expect(decoded.status).toBe(200);
      expect(decoded.body.payloads).toHaveLength(50);
      for (const p of decoded.body.payloads) expect(JSON.parse(text(p.data))).toMatchObject({ booking: { title: 'Algebra lesson' } });

      // Why the old key must stay: without it, neither a worker nor the codec can read these histories.
      const [first] = histories;
      const replayWithoutOld = await Worker.runReplayHistory(replayOptions(NEW), first!.history, first!.workflowId).catch(
        (e: unknown) => e,
      );
      // The workflow task fails (its failure, encoded under the new key, says which key is missing): the one difference
      // from the replay above is the keyring.
      expect(replayWithoutOld).toMatchObject({ name: 'ReplayError', message: expect.stringContaining('workflow task failure') });
      const direct = await new EncryptionCodec(keyring(NEW))
        .decode([temporal.api.common.v1.Payloads.fromObject({ payloads: [oldPayloads[0]] }).payloads[0]!])
        .catch((e: unknown) => e);
      expect(direct).toBeInstanceOf(PayloadKeyUnavailableError);
      await h.restart({ ENCRYPTION_KEYS: NEW });
      const refused = await decodeOverHttp(oldPayloads.slice(0, 1));
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'payload_key_unavailable', detail: expect.stringContaining('"old-key"') });
    },
  );
});
