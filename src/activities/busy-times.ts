import { ApplicationFailure } from '@temporalio/common';
import type { ReadState } from '../db/busy-times';
import { busyCalendars } from '../domain/busy-calendars';
import { FailureType } from '../domain/failures';
import { calendarProblem, HEALED_BY_READ, type AccountProblemKind } from '../domain/account-health';
import type { BusyConflict, ExternalEdit } from '../domain/busy-reports';
import type { BusyWindow } from '../providers/types';
import type { ActivityDeps } from './deps';
import { readyAccount, callProvider, type ReadyAccount } from './provider-call';
import { stableUuid } from './stable-id';

export interface RefreshBusyInput {
  connectionId: string;
  userId: string;
  tokenJustRefreshed?: boolean;
}

/** What the user did to our events, and what the booking system should hear about, from one read. */
export interface BusyReadReport {
  mode: 'full' | 'incremental';
  cursorExpired: boolean;
  items: number;
  edits: Array<ExternalEdit & { notificationId: string }>;
  conflicts: Array<BusyConflict & { notificationId: string }>;
  /** The account was in `error` for a cause this read proves gone, and is `active` again (absent: it was not). */
  healed?: boolean;
}

export type ExternalEditPolicy = 'respect' | 'restore';

const DAY_MS = 24 * 3_600_000;
/** BUSY_WINDOW's default: busy times are kept from a day ago to this far ahead. */
export const DEFAULT_BUSY_WINDOW_MS = 90 * DAY_MS;
export const DEFAULT_BUSY_POLL_MS = 15 * 60_000;
/** A full read this often anyway: the window moves on, and recurring series gain instances in it. */
const FULL_READ_EVERY_MS = DAY_MS;

/** The window a full read covers now: from a day ago (today's events) to `windowMs` ahead. */
export function busyWindowAt(nowMs: number, windowMs: number): BusyWindow {
  return { from: new Date(nowMs - DAY_MS), to: new Date(nowMs + windowMs) };
}

/** Whether the calendar's stored cursor can be followed, or this read must be full. */
export function incrementalFrom(state: ReadState, nowMs: number, windowMs: number): { cursor: string; window: BusyWindow } | undefined {
  if (!state.cursor || !state.window || !state.fullReadAt) return undefined;
  if (nowMs - state.fullReadAt.getTime() >= FULL_READ_EVERY_MS) return undefined;
  // BUSY_WINDOW changed since the last full read: the stored window is not the one wanted.
  if (state.window.to.getTime() - state.window.from.getTime() !== DAY_MS + windowMs) return undefined;
  return { cursor: state.cursor, window: state.window };
}

/** What a read heals once the calendar list shows the account's calendar writable again. */
const HEALED_BY_WRITABLE: readonly AccountProblemKind[] = [...HEALED_BY_READ, 'calendar_forbidden'];

/** Failures that end the whole read at once: every calendar of the account would meet them. */
const ENDS_THE_READ: ReadonlySet<string | undefined | null> = new Set([
  FailureType.TokenExpired,
  FailureType.ReauthRequired,
  FailureType.ConnectionUnavailable,
]);

export function createBusyTimeActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;
  const store = deps.busy;
  const windowMs = deps.busyWindowMs ?? DEFAULT_BUSY_WINDOW_MS;

  /** Reads one calendar's changes (or all of its window) and applies them; returns the read and the account's unreported edits. */
  async function readCalendar(account: ReadyAccount, calendarId: string) {
    const { connectionId } = account;
    const state = await store.readState(connectionId, calendarId);
    const resume = incrementalFrom(state, now(), windowMs);
    const window = resume?.window ?? busyWindowAt(now(), windowMs);
    const changes = await callProvider(
      deps,
      { ...account, ctx: { ...account.ctx, calendarId } },
      (provider, ctx) => provider.readChanges(ctx, window, resume?.cursor),
      (message, final) => store.recordError(connectionId, calendarId, message, final),
      'readChanges',
    );
    const edits = await store.applyRead({
      calendarId,
      window,
      startedAt: state.startedAt,
      previousStartedAt: resume ? state.previousStartedAt : null,
      previousCursor: resume?.cursor ?? null,
      connectionId,
      provider: account.provider,
      changes,
    });
    return { changes, edits };
  }

  /**
   * Whether the account may write to its calendar again (the owner gave the permission back):
   * asked of its calendar list, through the same budget and failure handling as any call. A
   * list that cannot be read now answers no; the next read asks again.
   */
  async function writableAgain(account: ReadyAccount): Promise<boolean> {
    try {
      const calendars = await callProvider(deps, account, (provider, ctx) => provider.listCalendars(ctx), undefined, 'listCalendars');
      return calendarProblem(account.ctx.calendarId, calendars) === undefined;
    } catch (err) {
      // The list refused in a way that says more about the account (AccountError): that is reported instead.
      if (err instanceof ApplicationFailure && !ENDS_THE_READ.has(err.type) && err.type !== FailureType.AccountError) return false;
      throw err;
    }
  }

  return {
    /** How calendar account workflows read busy times, as this worker is configured. */
    busyTimeSettings(): Promise<{ pollIntervalMs: number; externalEditPolicy: ExternalEditPolicy }> {
      return Promise.resolve({
        pollIntervalMs: deps.busyPollIntervalMs ?? DEFAULT_BUSY_POLL_MS,
        externalEditPolicy: deps.externalEditPolicy ?? 'respect',
      });
    },

    /**
     * Reads what changed in each calendar of the account that counts for conflicts since its last
     * read (or all of its window), applies it to the busy times, and judges our own events in it.
     * A calendar that cannot be read does not stop the others: one refused for good (deleted,
     * access lost) keeps its error for the busy routes to show; any other failure (and a refusal
     * of the calendar events go to, which puts the account in `error`) fails the activity after
     * the other calendars were read. Returns what to report.
     */
    async refreshBusyTimes(input: RefreshBusyInput): Promise<BusyReadReport> {
      const account = await readyAccount(deps, input);
      const target = account.ctx.calendarId;
      const calendars = busyCalendars({
        chosen: await store.chosenCalendars(input.connectionId),
        target,
        defaultCalendarId: deps.providers.calendar(account.provider).defaultCalendarId,
      });
      await store.countCalendars(input.connectionId, calendars);
      const reads: Array<Awaited<ReturnType<typeof readCalendar>>> = [];
      let failed: ApplicationFailure | undefined;
      for (const calendarId of calendars.read) {
        try {
          reads.push(await readCalendar(account, calendarId));
        } catch (err) {
          if (!(err instanceof ApplicationFailure) || ENDS_THE_READ.has(err.type)) throw err;
          if (calendarId === target || !err.nonRetryable) failed ??= err;
        }
      }
      if (failed) throw failed;
      const edits = new Map(reads.flatMap((r) => r.edits).map((e) => [`${e.bookingId}|${e.changedAt}`, e]));
      const conflicts = await deps.busyConflicts.unreported(input.connectionId, input.userId);
      // The read went through: an error it proves gone ends here, in one update (last, so a retry
      // of this read still sees it). A lost write permission it cannot prove back: the calendar list is asked.
      const curable = account.errorKind === 'calendar_forbidden' && (await writableAgain(account)) ? HEALED_BY_WRITABLE : HEALED_BY_READ;
      const healed = await deps.accountHealth.heal(input.connectionId, curable, target);
      return {
        healed,
        mode: reads.some((r) => r.changes.mode === 'full') ? 'full' : 'incremental',
        cursorExpired: reads.some((r) => r.changes.cursorExpired),
        items: reads.reduce((n, r) => n + r.changes.items.length, 0),
        edits: [...edits.values()].map((e) => ({
          ...e,
          notificationId: stableUuid(`${e.state}|${e.bookingId}|${e.connectionId}|${e.changedAt}`),
        })),
        conflicts: conflicts.map((c) => ({
          ...c,
          notificationId: stableUuid(`conflict|${c.bookingId}|${c.connectionId}|${c.busyStart}|${c.busyEnd}`),
        })),
      };
    },

    /** After the workflow sent them: these edits and conflicts are not reported again. */
    async markBusyReportsSent(input: {
      connectionId: string;
      edits: Array<{ bookingId: string; changedAt: string }>;
      conflicts: Array<{ bookingId: string; busyStart: string; busyEnd: string }>;
    }): Promise<void> {
      await deps.externalEdits.markReported(input.connectionId, input.edits);
      await deps.busyConflicts.markReported(input.connectionId, input.conflicts);
    },
  };
}
