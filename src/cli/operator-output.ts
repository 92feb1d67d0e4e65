import type { ResyncOutcome } from '../application/account-resync';
import type { Page } from '../application/booking-archive';
import type { BookingHistoryEntry } from '../domain/booking-history';
import type { NotificationStatus } from '../db/notifications';

/** The human text of each operator command's result (`--json` prints the value itself). */

export function resyncText(r: ResyncOutcome): string {
  const whose = r.target === 'connection' ? `calendar account ${r.requested[0] ?? r.skipped[0]?.connectionId}` : `user ${r.userId}`;
  const lines = [
    r.requested.length > 0
      ? `Bulk sync asked for ${r.requested.length} calendar account(s) of ${whose}; the worker runs it:`
      : `No bulk sync asked for ${whose}: no calendar account is active with sync on.`,
    ...r.requested.map((id) => `  ${id}`),
  ];
  if (r.skipped.length > 0) lines.push('Skipped:', ...r.skipped.map((s) => `  ${s.connectionId} (${s.reason.replace('_', ' ')})`));
  return `${lines.join('\n')}\n`;
}

function entryLine(e: BookingHistoryEntry): string {
  switch (e.kind) {
    case 'calendar':
    case 'external_edit': {
      const what = `${e.operation} ${e.outcome}`;
      const where = [
        e.userId && `user=${e.userId}`,
        e.connectionId && `connection=${e.connectionId}`,
        e.provider && `provider=${e.provider}`,
      ];
      const revision = e.kind === 'calendar' && e.revision !== null ? `revision=${e.revision}` : null;
      return [e.at, what, ...where, revision, e.detail && `(${e.detail})`].filter(Boolean).join('  ');
    }
    case 'notification':
      return [
        e.at,
        `notification ${e.type} ${e.status}`,
        `id=${e.notificationId}`,
        `attempts=${e.attempts}`,
        e.lastError && `(${e.lastError})`,
      ]
        .filter(Boolean)
        .join('  ');
    case 'invitation':
      return [e.at, `invitation ${e.method}`, `user=${e.userId}`, `revision=${e.revision}`].join('  ');
  }
}

export function historyText(page: { bookingId: string } & Page<'entries', BookingHistoryEntry>): string {
  const lines = [`History of booking ${page.bookingId} (oldest first):`];
  if (page.entries.length === 0) lines.push('  (no entries)');
  lines.push(...page.entries.map((e) => `  ${entryLine(e)}`));
  if (page.nextCursor) lines.push(`More: --cursor ${page.nextCursor}`);
  return `${lines.join('\n')}\n`;
}

export function redeliveryText(r: { id: string; previousStatus: NotificationStatus }): string {
  return r.previousStatus === 'pending'
    ? `Notification ${r.id} is still being delivered; its delivery goes on.\n`
    : `Notification ${r.id} (was ${r.previousStatus}) is being delivered to NOTIFY_URL again.\n`;
}
