/** A reminder before an event starts, provider-neutral. */
export interface Reminder {
  method: 'email' | 'popup';
  minutes: number;
}

export const DEFAULT_REMINDERS = 'email:1440,popup:60,popup:15';

/** Google allows at most five overrides of up to four weeks; the strictest provider sets the rule. */
const MAX_REMINDERS = 5;
const MAX_MINUTES = 40320;

export type ReminderParse = { ok: true; reminders: Reminder[] } | { ok: false; problems: string[] };

/** Parses `EVENT_REMINDERS` (`method:minutes,…`, e.g. `email:1440,popup:60,popup:15`). */
export function parseReminders(spec: string): ReminderParse {
  const problems: string[] = [];
  const reminders: Reminder[] = [];
  const parts = spec
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  for (const part of parts) {
    const m = /^(email|popup):(\d{1,5})$/.exec(part);
    if (!m) {
      problems.push(`"${part}" is not method:minutes with method email or popup`);
      continue;
    }
    const minutes = Number(m[2]);
    if (minutes > MAX_MINUTES) {
      problems.push(`"${part}": minutes must be between 0 and ${MAX_MINUTES}`);
      continue;
    }
    reminders.push({ method: m[1] as Reminder['method'], minutes });
  }
  if (reminders.length > MAX_REMINDERS) problems.push(`at most ${MAX_REMINDERS} reminders are allowed`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, reminders };
}
