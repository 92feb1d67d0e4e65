import type { ReadState } from '../db/busy-times';
import { HEALED_BY_READ } from '../domain/account-health';
import type { BusyConflict, ExternalEdit } from '../domain/busy-reports';
import type { BusyWindow } from '../providers/types';
import type { ActivityDeps } from './deps';
import { readyAccount, callProvider } from './provider-call';
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
/** Busy times are kept from a day ago to this far ahead (Google refuses ranges over ~90 days). */
export const BUSY_HORIZON_DAYS = 60;
export const DEFAULT_BUSY_POLL_MS = 15 * 60_000;
/** A full read this often anyway: the window moves on, and recurring series gain instances in it. */
const FULL_READ_EVERY_MS = DAY_MS;

/** Whether the stored cursor can be followed, or this read must be full. */
function incrementalFrom(state: ReadState, calendarId: string, nowMs: number): { cursor: string; window: BusyWindow } | undefined {
  if (!state.cursor || state.cursorCalendar !== calendarId || !state.window || !state.fullReadAt) return undefined;
  if (nowMs - state.fullReadAt.getTime() >= FULL_READ_EVERY_MS) return undefined;
  return { cursor: state.cursor, window: state.window };
}

export function createBusyTimeActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;
  const store = deps.busy;
  return {
    /** How calendar account workflows read busy times, as this worker is configured. */
    busyTimeSettings(): Promise<{ pollIntervalMs: number; externalEditPolicy: ExternalEditPolicy }> {
      return Promise.resolve({
        pollIntervalMs: deps.busyPollIntervalMs ?? DEFAULT_BUSY_POLL_MS,
        externalEditPolicy: deps.externalEditPolicy ?? 'respect',
      });
    },

    /**
     * Reads what changed in the calendar account's calendar since the last read (or all of its window),
     * applies it to the busy times, and judges our own events in it. Returns what to report.
     */
    async refreshBusyTimes(input: RefreshBusyInput): Promise<BusyReadReport> {
      const account = await readyAccount(deps, input);
      const { calendarId } = account.ctx;
      const state = await store.readState(input.connectionId);
      const nowMs = now();
      const resume = incrementalFrom(state, calendarId, nowMs);
      const window = resume?.window ?? { from: new Date(nowMs - DAY_MS), to: new Date(nowMs + BUSY_HORIZON_DAYS * DAY_MS) };
      const changes = await callProvider(
        deps,
        account,
        (provider, ctx) => provider.readChanges(ctx, window, resume?.cursor),
        (message, final) => store.recordError(input.connectionId, message, final),
      );
      const read = {
        calendarId,
        window,
        startedAt: state.startedAt,
        previousStartedAt: resume ? state.previousStartedAt : null,
        previousCursor: resume?.cursor ?? null,
      };
      const edits = await store.applyRead({ ...read, connectionId: input.connectionId, provider: account.provider, changes });
      const conflicts = await deps.busyConflicts.unreported(input.connectionId, input.userId);
      // The read went through: an error it proves gone ends here (last, so a retry of this read still sees it).
      const healed = await deps.accountHealth.heal(input.connectionId, HEALED_BY_READ);
      return {
        healed,
        mode: changes.mode,
        cursorExpired: changes.cursorExpired,
        items: changes.items.length,
        edits: edits.map((e) => ({ ...e, notificationId: stableUuid(`${e.state}|${e.bookingId}|${e.connectionId}|${e.changedAt}`) })),
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
