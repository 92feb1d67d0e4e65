import type { CostFigures } from './run';

/** The cost section as a Markdown table: per booking change, and per idle calendar and day. */
export function costTable(c: CostFigures): string {
  const row = (label: string, x: { temporalActions: number; dbQueries: number; providerCalls: number }, db: string) =>
    `| ${label} | ${x.temporalActions} | ${db} | ${x.providerCalls} |`;
  const change = (label: string, x: CostFigures['confirm']) =>
    row(label, x, `${x.dbQueries} (API ${x.dbQueriesByProcess.api}, worker ${x.dbQueriesByProcess.worker})`);
  const day = c.perCalendarDay;
  return [
    `| cost (booking with ${c.participants} connected Google calendars) | Temporal Cloud Actions | database queries | provider calls |`,
    '|---|---|---|---|',
    change('confirm', c.confirm),
    change('reschedule', c.reschedule),
    change('cancel', c.cancel),
    row('one busy read of a calendar', day.busyRead, String(day.busyRead.dbQueries)),
    row(`idle calendar, per day (${day.busyReadsPerDay} reads)`, day, String(day.dbQueries)),
    '',
    `Per idle calendar and day: ${day.model}; push on: ${day.pushRenewalsPerDay} new channels a day.`,
  ].join('\n');
}
