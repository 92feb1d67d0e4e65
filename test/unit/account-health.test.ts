import { describe, expect, it } from 'vitest';
import { accountProblemMessage, ACCOUNT_PROBLEM_KINDS, calendarProblem, HEALED_BY_READ } from '../../src/domain/account-health';

describe('calendar account health', () => {
  const calendars = [
    { id: 'primary', writable: true },
    { id: 'team@group.calendar.google.com', writable: true },
    { id: 'holidays', writable: false },
  ];

  it('blames the calendar only when the account no longer lists it, or lists it read-only', () => {
    expect(calendarProblem('gone@group.calendar.google.com', calendars)).toBe('calendar_not_found');
    expect(calendarProblem('holidays', calendars)).toBe('calendar_forbidden');
    // Listed and writable: the refusal was about one event, not the account.
    expect(calendarProblem('team@group.calendar.google.com', calendars)).toBeUndefined();
    expect(calendarProblem('primary', [])).toBe('calendar_not_found');
  });

  it('tells a person what to do about each cause, without naming a secret', () => {
    for (const kind of ACCOUNT_PROBLEM_KINDS) {
      const message = accountProblemMessage(kind);
      expect(message).toMatch(/(Choose|Reconnect|restore|enable)/);
      expect(message).not.toMatch(/token|password|ENCRYPTION_KEYS/i);
    }
  });

  it('a successful read proves every cause gone but a lost write permission', () => {
    expect([...HEALED_BY_READ].sort()).toEqual(['account_disabled', 'calendar_not_found', 'secret_unavailable']);
  });
});
