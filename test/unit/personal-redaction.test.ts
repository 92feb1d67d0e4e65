import { describe, expect, it } from 'vitest';
import { personalStrings, redactPersonal } from '../../src/domain/personal-redaction';

describe('redactPersonal', () => {
  it('removes e-mail addresses wherever they appear, and leaves the rest of the message', () => {
    expect(redactPersonal('Google Calendar 400 invalid: Invalid attendee email: Ada.L+x@Mail.Example.co.uk.')).toBe(
      'Google Calendar 400 invalid: Invalid attendee email: [e-mail address].',
    );
    expect(redactPersonal('CalDAV 503 on /calendars/a@b/ (retry)')).toBe('CalDAV 503 on /calendars/a@b/ (retry)');
  });

  it("removes the booking's own strings, case-insensitively, longest first, but not ones too short to mean anything", () => {
    const known = personalStrings({
      title: 'Algebra (advanced)',
      location: 'Room 2',
      start: '2030-01-01T10:00:00Z',
      end: '2030-01-01T11:00:00Z',
      timeZone: 'UTC',
      participants: [
        { userId: 'u1', role: 'tutor', name: 'Ada', email: 'ada@example.com' },
        { userId: 'u2', role: 'client', name: 'Al', email: 'al@example.com' },
      ],
    });
    expect(redactPersonal('Graph 400: event "ALGEBRA (advanced) with ada" at Room 2 for Al, ada@example.com', known)).toBe(
      'Graph 400: event "[personal data] with [personal data]" at [personal data] for Al, [personal data]',
    );
  });
});
