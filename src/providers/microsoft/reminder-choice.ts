import type { Reminder } from '../../events/reminders';

/**
 * Which of `EVENT_REMINDERS` an Outlook event carries (Outlook has one reminder per event):
 * `default` is the 15-minute one, `none` turns Outlook reminders off, or one named entry.
 */
export type OutlookReminderChoice = { kind: 'default' } | { kind: 'none' } | { kind: 'entry'; reminder: Reminder };

const DEFAULT_MINUTES = 15;

function shortest(pool: Reminder[]): Reminder | undefined {
  return pool.reduce<Reminder | undefined>((best, r) => (best === undefined || r.minutes < best.minutes ? r : best), undefined);
}

export function pickReminder(reminders: Reminder[], choice: OutlookReminderChoice = { kind: 'default' }): Reminder | undefined {
  if (choice.kind === 'none') return undefined;
  const popups = reminders.filter((r) => r.method === 'popup');
  if (choice.kind === 'entry') {
    const named = reminders.find((r) => r.method === choice.reminder.method && r.minutes === choice.reminder.minutes);
    if (named) return named;
  }
  // The 15-minute popup when the list has one; otherwise the shortest popup (or reminder).
  return (
    popups.find((r) => r.minutes === DEFAULT_MINUTES) ??
    reminders.find((r) => r.minutes === DEFAULT_MINUTES) ??
    shortest(popups.length > 0 ? popups : reminders)
  );
}

/** Parses `MICROSOFT_REMINDER` against the configured reminders: `none`, or one `method:minutes` entry of them. */
export function parseOutlookReminderChoice(
  value: string | undefined,
  reminders: Reminder[],
): { ok: true; choice: OutlookReminderChoice } | { ok: false; problem: string } {
  if (value === undefined) return { ok: true, choice: { kind: 'default' } };
  if (value === 'none') return { ok: true, choice: { kind: 'none' } };
  const m = /^(email|popup):(\d{1,5})$/.exec(value);
  const entry = m ? reminders.find((r) => r.method === m[1] && r.minutes === Number(m[2])) : undefined;
  if (!entry) {
    const listed = reminders.map((r) => `${r.method}:${r.minutes}`).join(', ') || 'none configured';
    return { ok: false, problem: `"${value}" must be "none" or one of EVENT_REMINDERS (${listed})` };
  }
  return { ok: true, choice: { kind: 'entry', reminder: entry } };
}
