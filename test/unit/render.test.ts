import { describe, expect, it } from 'vitest';
import { renderEvent } from '../../src/events/render';
import { googleEventId } from '../../src/providers/google/event-id';

const booking = {
  title: 'Physics lesson',
  description: 'Chapter 3',
  start: '2030-01-01T10:00:00Z',
  end: '2030-01-01T11:00:00Z',
  timeZone: 'America/New_York',
  location: 'Room 4',
  meetingUrl: 'https://meet.example.com/abc',
  participants: [
    { userId: 't', role: 'tutor', name: 'Ada Tutor', email: 'ada@example.com' },
    { userId: 'c', role: 'client', name: 'Bob Client', email: 'bob@example.com' },
  ],
};

describe('renderEvent', () => {
  it('shows each participant the other side, and both the link and location', () => {
    const forClient = renderEvent({ bookingId: 'b', connectionId: 'x', booking, forUserId: 'c', reminders: [] });
    const forTutor = renderEvent({ bookingId: 'b', connectionId: 'y', booking, forUserId: 't', reminders: [] });
    expect(forClient.title).toBe('Physics lesson with Ada Tutor');
    expect(forTutor.title).toBe('Physics lesson with Bob Client');
    expect(forClient.description).toContain('Tutor: Ada Tutor');
    expect(forTutor.description).toContain('Client: Bob Client');
    for (const e of [forClient, forTutor]) {
      expect(e.description).toContain('Join: https://meet.example.com/abc');
      expect(e.description).toContain('Location: Room 4');
      expect(e.description).toContain('Chapter 3');
      expect(e.description).not.toContain('@example.com');
    }
  });
});

describe('googleEventId', () => {
  it('is deterministic base32hex, distinct per calendar', () => {
    const a = googleEventId({ bookingId: 'b1', connectionId: 'c1' });
    expect(a).toMatch(/^[0-9a-v]{5,1024}$/);
    expect(googleEventId({ bookingId: 'b1', connectionId: 'c1' })).toBe(a);
    expect(googleEventId({ bookingId: 'b1', connectionId: 'c2' })).not.toBe(a);
    expect(googleEventId({ bookingId: 'b1c', connectionId: '1' })).not.toBe(a);
  });
});
