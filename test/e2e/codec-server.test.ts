import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../src/api/errors';
import { codecRoutes } from '../../src/api/routes/codec';
import { createLogger } from '../../src/logging';
import { EncryptionCodec, type DisplayCodec } from '../../src/temporal/payload-codec';
import { bookingWorkflowId } from '../../src/workflows/messages';
import { confirmBody, connectedPair, getBooking, settled, strip } from '../support/bookings';
import { eventually } from '../support/eventually';
import { startHarness, type Harness } from '../support/harness';

const UI = 'http://ui.example.test:8233';
/** What compose's Web UI proxy holds (CODEC_API_KEYS): a key for /codec alone. */
const CODEC_KEY = `codec_${randomBytes(24).toString('hex')}`;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ TEMPORAL_UI_ORIGINS: UI, CODEC_API_KEYS: CODEC_KEY });
});
afterAll(async () => {
  await h?.close();
});

type JsonPayload = { metadata?: Record<string, string>; data?: string };

async function codec(
  op: 'encode' | 'decode',
  payloads: JsonPayload[],
  headers: Record<string, string> = { authorization: `Bearer ${CODEC_KEY}` },
  baseUrl = h.service.url,
) {
  const res = await fetch(`${baseUrl}/codec/${op}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: JSON.stringify({ payloads }),
  });
  return { status: res.status, body: (await res.json()) as { payloads: JsonPayload[] }, headers: res.headers };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const text = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

describe('codec server for the Web UI', () => {
  it('decodes the encrypted payloads of a booking history for a caller with a codec key', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)]));
    await settled(h, bookingId);
    const history = await h.service.client.workflow.getHandle(bookingWorkflowId(bookingId)).fetchHistory();
    const signal = history.events!.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'confirm')!;
    const encrypted = temporal.api.common.v1.Payloads.toObject(
      temporal.api.common.v1.Payloads.create(signal.workflowExecutionSignaledEventAttributes!.input!),
      { bytes: String },
    ) as { payloads: JsonPayload[] };
    expect(text(encrypted.payloads[0]!.metadata!.encoding)).toBe('binary/encrypted');
    expect(text(encrypted.payloads[0]!.data)).not.toContain('Algebra lesson');

    const decoded = await codec('decode', encrypted.payloads);
    expect(decoded.status).toBe(200);
    expect(text(decoded.body.payloads[0]!.metadata!.encoding)).toBe('json/plain');
    expect(JSON.parse(text(decoded.body.payloads[0]!.data))).toMatchObject({ booking: { title: 'Algebra lesson' } });
  });

  it('encodes and decodes round trip; refuses callers without the key, even from the UI origin outside development', async () => {
    const plain = { metadata: { encoding: b64('json/plain') }, data: b64('{"hello":"world"}') };
    const encoded = await codec('encode', [plain]);
    expect(text(encoded.body.payloads[0]!.metadata!.encoding)).toBe('binary/encrypted');
    expect((await codec('decode', encoded.body.payloads)).body.payloads).toEqual([plain]);

    expect((await codec('decode', encoded.body.payloads, {})).status).toBe(401);
    expect((await codec('decode', encoded.body.payloads, { origin: UI })).status).toBe(401);
    expect((await codec('decode', encoded.body.payloads, { authorization: 'Bearer wrong' })).status).toBe(401);
    // The booking system's API key opens the API, not every workflow history.
    expect((await codec('decode', encoded.body.payloads, { authorization: `Bearer ${h.config.apiKeys[0]}` })).status).toBe(401);
    const junk = await codec('decode', [
      { metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('nope') }, data: b64('x') },
    ]);
    expect(junk.status).toBe(400);
  });

  it('opens the codec, and nothing else, to a codec key', async () => {
    const plain = { metadata: { encoding: b64('json/plain') }, data: b64('{"lesson":"codec key"}') };
    const withCodecKey = { authorization: `Bearer ${CODEC_KEY}` };
    const encoded = await codec('encode', [plain], withCodecKey);
    expect(encoded.status).toBe(200);
    expect((await codec('decode', encoded.body.payloads, withCodecKey)).body.payloads).toEqual([plain]);
    expect((await h.api('GET', `/v1/bookings/${h.id('bk')}`, undefined, { key: CODEC_KEY })).status).toBe(401);
    expect((await h.api('GET', `/v1/users/${h.id('u')}/connections`, undefined, { key: CODEC_KEY })).status).toBe(401);
  });

  it('answers CORS preflights for the Web UI origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${h.service.url}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace,authorization',
        },
      });
    const ok = await preflight(UI);
    expect(ok.status).toBeLessThan(300);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a signal sent past the codec is refused by the worker and never applied; the codec server shows it as it is', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)]));
    await settled(h, bookingId);

    // What the CLI or a Web UI without the codec sends: a plain JSON payload.
    const plainClient = new Client({ connection: h.service.client.connection, namespace: h.config.temporal.namespace });
    const handle = plainClient.workflow.getHandle(bookingWorkflowId(bookingId));
    await handle.signal('reschedule', { version: 99, start: '2030-05-09T15:00:00Z', end: '2030-05-09T16:00:00Z' });

    // The worker fails the workflow task that carries it (its message is encrypted like any failure's).
    const codecOfService = new EncryptionCodec(h.config.encryptionKeys);
    const refusal = await eventually(async () => {
      const history = await handle.fetchHistory();
      const failed = history.events!.find((e) => e.workflowTaskFailedEventAttributes?.failure?.encodedAttributes);
      if (!failed) return undefined;
      const [attributes] = await codecOfService.decode([failed.workflowTaskFailedEventAttributes!.failure!.encodedAttributes!]);
      return defaultPayloadConverter.fromPayload<{ message: string }>(attributes!).message;
    }, 'a failed workflow task');
    expect(refusal).toContain('refused a payload that is not encrypted (encoding "json/plain")');
    const booking = await getBooking(h, bookingId);
    expect(booking.status).toBe('confirmed');
    expect(Date.parse(booking.start)).toBe(Date.parse('2030-05-01T15:00:00Z'));
    expect(booking.version).not.toBe(99);

    // The Web UI still sees it, through the codec server, as it was sent.
    const history = await handle.fetchHistory();
    const signal = history.events!.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'reschedule')!;
    const sent = temporal.api.common.v1.Payloads.toObject(
      temporal.api.common.v1.Payloads.create(signal.workflowExecutionSignaledEventAttributes!.input!),
      { bytes: String },
    ) as { payloads: JsonPayload[] };
    const shown = await codec('decode', sent.payloads);
    expect(shown.status).toBe(200);
    expect(shown.body.payloads).toEqual(sent.payloads);
    expect(JSON.parse(text(shown.body.payloads[0]!.data))).toMatchObject({ version: 99 });
    // The booking's workflow stays stuck on that event until an operator resets it to before it.
    await handle.terminate('test: stuck on a refused payload');
  });
});

describe('codec development exception', () => {
  async function codecServer(trustUiOriginWithoutKey: boolean) {
    const app = express();
    const identity: DisplayCodec = { encode: (p) => Promise.resolve(p), decodeForDisplay: (p) => Promise.resolve(p) };
    app.use(codecRoutes({ codec: identity, codecKeys: [], uiOrigins: [UI], trustUiOriginWithoutKey }));
    app.use(errorHandler(createLogger('silent'), 'http://localhost'));
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
  }
  const plain = { metadata: { encoding: b64('json/plain') }, data: b64('{}') };

  it('serves the UI origin from this machine without a key only when CODEC_OPEN_IN_DEVELOPMENT is on', async () => {
    const open = await codecServer(true);
    const closed = await codecServer(false);
    try {
      expect((await codec('decode', [plain], { origin: UI }, open.url)).status).toBe(200);
      expect((await codec('decode', [plain], { origin: 'http://evil.example' }, open.url)).status).toBe(401);
      expect((await codec('decode', [plain], { origin: UI }, closed.url)).status).toBe(401);
    } finally {
      open.close();
      closed.close();
    }
  });
});
