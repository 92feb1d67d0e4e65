import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box';
import { createRepositories } from '../../src/db/repositories';
import type { bookingWorkflow } from '../../src/workflows/booking';
import { bookingWorkflowId } from '../../src/workflows/messages';
import { confirmBody, connectedPair, eventsFor, strip } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

const exporter = new InMemorySpanExporter();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({}, { spanExporter: exporter });
});
afterAll(async () => {
  await h?.close();
});

const idOf = (s: ReadableSpan) => s.spanContext().spanId;
const traceOf = (s: ReadableSpan) => s.spanContext().traceId;

/** The span's exported ancestors, nearest first, followed by span id (never by name). */
function ancestry(span: ReadableSpan, all: ReadableSpan[]): ReadableSpan[] {
  const byId = new Map(all.map((s) => [idOf(s), s]));
  const chain: ReadableSpan[] = [];
  for (let parentId = span.parentSpanId; parentId;) {
    const parent = byId.get(parentId);
    if (!parent)
      throw new Error(`${span.name}: ancestor ${parentId} was not exported (chain so far: ${chain.map((s) => s.name).join(' <- ')})`);
    chain.push(parent);
    parentId = parent.parentSpanId;
  }
  return chain;
}

/** Every text a span carries: its name, attribute values, events and links. */
function textsOf(span: ReadableSpan): string[] {
  const values = (attrs: Record<string, unknown> | undefined) => Object.values(attrs ?? {}).map((v) => JSON.stringify(v));
  return [
    span.name,
    ...values(span.attributes),
    ...span.events.flatMap((e) => [e.name, ...values(e.attributes)]),
    ...span.links.flatMap((l) => values(l.attributes)),
  ];
}

describe('tracing', () => {
  it('one trace links the confirm request, the workflow start, the workflow, its activities and the provider calls, with no personal data', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('traced');
    const body = confirmBody([strip(tutor), strip(client)]);
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, body)).status).toBe(202);
    for (const calendar of [tutor.calendar, client.calendar]) {
      await eventually(async () => ((await eventsFor(h, calendar, bookingId)).length === 1 ? true : undefined), 'the event');
    }
    // The workflow's own span ends (and is exported) when its run does: a cancel ends it.
    expect((await h.api('POST', `/v1/bookings/${bookingId}/cancel`, {})).status).toBe(202);
    await h.service.client.workflow.getHandle<typeof bookingWorkflow>(bookingWorkflowId(bookingId)).result();

    const request = await eventually(
      () =>
        exporter
          .getFinishedSpans()
          .find((s) => s.kind === SpanKind.SERVER && s.attributes['http.route'] === '/v1/bookings/:bookingId/confirm'),
      'the confirm request span',
    );
    expect(request.name).toBe('POST /v1/bookings/:bookingId/confirm');
    expect(request.parentSpanId).toBeUndefined();
    expect(request.attributes['http.response.status_code']).toBe(202);

    // Both participants' event writes, each a provider call under its activity, under the workflow, under the request.
    const writes = await eventually(() => {
      const spans = exporter.getFinishedSpans();
      const inTrace = spans.filter((s) => traceOf(s) === traceOf(request));
      const calls = inTrace.filter((s) => s.attributes['calendar.operation'] === 'upsertEvent');
      return calls.length === 2 && inTrace.some((s) => s.name === 'RunWorkflow:bookingWorkflow') ? { spans: inTrace, calls } : undefined;
    }, 'the workflow span and both provider calls in the request trace');
    for (const call of writes.calls) {
      expect(call.attributes).toMatchObject({ 'calendar.provider': 'google', 'calendar.outcome': 'ok' });
      expect(call.attributes['calendar.duration_ms']).toEqual(expect.any(Number));
      const chain = ancestry(call, writes.spans);
      expect(chain.map((s) => s.name)).toEqual([
        'RunActivity:upsertCalendarEvent',
        'StartActivity:upsertCalendarEvent',
        'RunWorkflow:bookingWorkflow',
        'SignalWithStartWorkflow:bookingWorkflow',
        'POST /v1/bookings/:bookingId/confirm',
      ]);
      expect(idOf(chain[4]!)).toBe(idOf(request));
      expect(chain[1]!.attributes['workflowId']).toBe(bookingWorkflowId(bookingId));
      expect(chain[0]!.attributes['temporalWorkflowId']).toBe(bookingWorkflowId(bookingId));
    }

    // No span anywhere (connect flows, workflows, activities, calls) holds personal data or a credential.
    const repositories = createRepositories(h.pool, new SecretBox(h.config.encryptionKeys));
    const tokens: string[] = [];
    for (const p of [tutor, client]) {
      const stored = await repositories.calendarAccounts.getWithCredentials(p.connectionId);
      if (stored?.credentials?.kind === 'bearer') tokens.push(stored.credentials.accessToken);
    }
    expect(tokens).toHaveLength(2);
    const personal = [tutor, client].flatMap((p) => [p.name, p.email, p.calendar]);
    const booking = (['title', 'description', 'location', 'meetingUrl'] as const).map((field) => String(body[field]));
    const secrets = [...tokens, ...personal, ...booking];
    const texts = exporter.getFinishedSpans().flatMap(textsOf);
    for (const secret of secrets) {
      expect(texts.filter((t) => t.includes(secret))).toEqual([]);
    }
    // Nor the payloads the workflow info carries (memo, search attributes): only identifiers are copied onto workflow spans.
    const runSpan = writes.spans.find((s) => s.name === 'RunWorkflow:bookingWorkflow')!;
    expect(Object.keys(runSpan.attributes).sort()).toEqual(['attempt', 'namespace', 'runId', 'taskQueue', 'workflowId', 'workflowType']);

    // Each provider call is also logged at debug with its outcome and duration, under its workflow and run.
    const callLines = h.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((l) => l['msg'] === 'provider call' && l['workflowId'] === bookingWorkflowId(bookingId));
    expect(callLines.filter((l) => l['operation'] === 'upsertEvent')).toHaveLength(2);
    for (const line of callLines) {
      expect(line).toMatchObject({
        level: 20,
        component: 'temporal-activity',
        provider: 'google',
        outcome: 'ok',
        runId: runSpan.attributes['runId'],
      });
      expect(line['durationMs']).toEqual(expect.any(Number));
      expect(line['activityType']).toEqual(expect.any(String));
      expect(line).not.toHaveProperty('taskToken');
    }
  });
});
