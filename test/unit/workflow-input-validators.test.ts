import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  bookingWorkflowInputCheck,
  calendarAccountWorkflowInputCheck,
  cancelChangeCheck,
  confirmChangeCheck,
  disconnectRequestCheck,
  eraseParticipantRequestCheck,
  type InputCheck,
  rescheduleChangeCheck,
} from '../../src/workflows/input-checks';
import { generatedFiles, REPO_DIR, VALIDATED_SCHEMAS } from '../../tools/validators/generated-files';

// The workflows check their inputs with validators generated from the API's zod schemas and the
// same refinement functions (src/workflows/input-checks.ts), so that zod stays out of the
// workflow bundle. These tests hold the two to one verdict.

const passes = <T>(check: InputCheck<T>, value: unknown): boolean =>
  check.validate(value) && (check.rules?.(value as T) ?? []).length === 0;

describe('workflow input validators', () => {
  it('match the schemas of src/domain (run `npm run generate:validators`)', async () => {
    const files = await generatedFiles();
    expect(files.map((f) => f.path)).toEqual(['src/workflows/generated/input-validators.ts']);
    for (const file of files) expect(readFileSync(path.join(REPO_DIR, file.path), 'utf8'), `${file.path} is stale`).toBe(file.content);
  });

  it('are self-contained, deterministic code: no import, clock or randomness', async () => {
    const [code] = await generatedFiles();
    expect(code!.content).not.toMatch(/\bimport\b|\brequire\(|\bDate\b|Math\.random|performance/);
  });

  const person = (userId: string, extra: Record<string, unknown> = {}) => ({
    userId,
    role: 'client',
    name: `Person ${userId}`,
    email: `${userId}@example.com`,
    ...extra,
  });
  const booking = (extra: Record<string, unknown> = {}) => ({
    title: 'Maths',
    start: '2030-05-01T09:00:00Z',
    end: '2030-05-01T10:00:00Z',
    timeZone: 'Europe/London',
    participants: [person('tutor', { role: 'tutor', sync: false }), person('client')],
    ...extra,
  });
  /** Each value's verdicts: the API's schema's and the workflow's check's. */
  const cases = <T>(schema: z.ZodType, check: InputCheck<T>, values: unknown[]) =>
    values.map((value) => ({ value, zod: schema.safeParse(value).success, workflow: passes(check, value) }));

  const verdicts = [
    ...cases(VALIDATED_SCHEMAS.confirmChange, confirmChangeCheck, [
      { version: 3, booking: booking() },
      { booking: booking({ description: 'Line 1\r\nLine 2\tTabbed', location: 'Room 1', meetingUrl: 'https://meet.example.com/x' }) },
      { booking: booking({ start: '2030-05-01T09:00Z', end: '2030-05-01t10:00:00.123456789+02:00' }) },
      {
        booking: booking({
          templates: {
            default: { title: '{{title}} with {{others}}' },
            tutor: { description: '{{#location}}At {{location}}{{/location}}' },
          },
        }),
      },
      { booking: booking({ title: 'Line\r\nInjected: yes' }) },
      { booking: booking({ description: 'bell \u0007' }) },
      { booking: booking({ location: 'tab\there' }) },
      { booking: booking({ participants: [person('a', { name: 'A\nB' })] }) },
      { booking: booking({ participants: [person('a'), person('a')] }) },
      { booking: booking({ participants: [] }) },
      { booking: booking({ participants: [person('a', { email: 'x' })] }) },
      { booking: booking({ participants: [person('a', { extra: 1 })] }) },
      { booking: booking({ start: '2030-02-30T09:00:00Z' }) },
      { booking: booking({ start: '2030-05-01 09:00:00Z' }) },
      { booking: booking({ end: '2030-05-01T08:00:00Z' }) },
      { booking: booking({ end: '2030-06-05T08:00:00Z' }) },
      { booking: booking({ timeZone: 'Mars/Olympus' }) },
      { booking: booking({ meetingUrl: 'javascript:alert(1)' }) },
      { booking: booking({ meetingUrl: 'not a url' }) },
      { booking: booking({ templates: { tutor: { title: '{{venue}}' } } }) },
      { booking: booking({ templates: { tutor: { description: '{{#name}}open' } } }) },
      { booking: booking({ templates: { tutor: { title: 'a\nb' } } }) },
      { booking: booking({ templates: { Tutor: { title: 'x' } } }) },
      { booking: booking({ templates: Object.fromEntries([...'abcdefghijk'].map((r) => [r, { title: 'x' }])) }) },
      // Lengths count code points, as zod does: 300 emoji pass, 301 do not.
      { booking: booking({ title: '😀'.repeat(300) }) },
      { booking: booking({ title: '😀'.repeat(301) }) },
      { booking: booking({ title: '\ud83d'.repeat(301) }) },
      { version: 1e300, booking: booking() },
      { version: -1, booking: booking() },
      { version: 1.5, booking: booking() },
      { booking: booking(), sneaky: true },
      { booking: { title: 'No times or people' } },
      null,
      'confirm',
    ]),
    ...cases(VALIDATED_SCHEMAS.rescheduleChange, rescheduleChangeCheck, [
      { version: 2, start: '2030-05-02T09:00:00Z', end: '2030-05-02T10:00:00Z' },
      { start: '2030-05-02T09:00:00Z', end: '2030-05-02T10:00:00Z', timeZone: 'America/New_York' },
      { start: '2030-05-02T09:00:00Z', end: '2030-05-02T10:00:00Z', timeZone: 'Mars/Olympus' },
      { start: '2030-05-02T10:00:00Z', end: '2030-05-02T09:00:00Z' },
      { start: 42, end: '2030-05-02T09:00:00Z' },
      { start: '2030-05-02T09:00:00+24:00', end: '2030-05-02T10:00:00Z' },
    ]),
    ...cases(VALIDATED_SCHEMAS.cancelChange, cancelChangeCheck, [
      {},
      { version: 2, reason: 'Ill\r\ntoday' },
      { reason: 'esc \u001b[31m' },
      { reason: { nested: 'object' } },
      { version: 2, reason: 'ok', sneaky: true },
    ]),
    ...cases(VALIDATED_SCHEMAS.eraseParticipantRequest, eraseParticipantRequestCheck, [
      { userId: 'tutor' },
      { userId: 'tutor', also: 'client' },
      { userId: ['tutor'] },
      { userId: 'bad id' },
    ]),
    ...cases(VALIDATED_SCHEMAS.disconnectRequest, disconnectRequestCheck, [{ removeEvents: true }, { removeEvents: 1 }, {}]),
    ...cases(VALIDATED_SCHEMAS.calendarAccountWorkflowInput, calendarAccountWorkflowInputCheck, [
      { connectionId: 'conn-1', userId: 'u1' },
      { connectionId: 'conn-1', userId: 'u1', maxHistoryEvents: 500, bulkSyncRuns: 2, reauthNotified: true },
      { connectionId: 'conn-1', userId: 'u1', maxHistoryEvents: 0 },
    ]),
    ...cases(VALIDATED_SCHEMAS.bookingWorkflowInput, bookingWorkflowInputCheck, [
      { bookingId: 'b-1' },
      { bookingId: 'b-1', maxHistoryEvents: 1000 },
      {
        bookingId: 'b-1',
        carried: {
          desired: {
            status: 'cancelled',
            details: booking({ participants: [] }),
            versions: { details: 3, times: null },
            cancelReason: 'x',
            extra: 1,
          },
          revision: 4,
          savedRevision: 4,
          calendars: [{ userId: 'tutor', connectionId: null, provider: null, state: 'skipped', syncedAt: '2030-01-01T00:00:00Z' }],
          erased: ['someone'],
        },
      },
      { bookingId: 'b-1', carried: { desired: null, revision: 0, savedRevision: 0, calendars: [] } },
      { bookingId: 'b-1', carried: { desired: null, revision: -1, calendars: 'none', savedRevision: 0 } },
      {
        bookingId: 'b-1',
        carried: {
          desired: { status: 'confirmed', details: booking({ timeZone: 'Nowhere/Land' }), versions: { details: 3, times: 3 } },
          revision: 1,
          savedRevision: 1,
          calendars: [],
        },
      },
      {
        bookingId: 'b-1',
        carried: {
          desired: { status: 'confirmed', details: booking(), versions: { details: 3, times: 3 }, cancelReason: 'nul \u0000' },
          revision: 1,
          savedRevision: 1,
          calendars: [{ userId: 'u', connectionId: 'c', provider: 'google', state: 'lost' }],
        },
      },
    ]),
  ];

  it('accept exactly what the API schemas accept', () => {
    expect(verdicts.filter((v) => v.zod !== v.workflow)).toEqual([]);
    // The cases cover both verdicts.
    expect(verdicts.filter((v) => v.zod).length).toBeGreaterThan(10);
    expect(verdicts.filter((v) => !v.zod).length).toBeGreaterThan(30);
  });

  it('leave values as sent: transforms are the API’s (a blank title is its to refuse)', () => {
    const value = { booking: booking({ title: '   ', description: 'a\r\nb' }) as Record<string, unknown> };
    expect(VALIDATED_SCHEMAS.confirmChange.safeParse(value).success).toBe(false);
    expect(passes(confirmChangeCheck, value)).toBe(true);
    expect(value.booking.description).toBe('a\r\nb');
  });
});
