import { temporal } from '@temporalio/proto';
import { envSchema } from '../../../src/env-schema';
import { BOOKING_TAG } from '../../../src/providers/google/to-google-event';
import { GooglePushChannels } from '../../../src/providers/google/push-channels';
import { CalendarAccountState } from '../../../src/workflows/calendar-account-state';
import { bookingWorkflowId, calendarAccountWorkflowId, refreshBusySignal } from '../../../src/workflows/messages';
import { sleep } from '../../dev/child-processes';
import type { BenchEnvironment } from '../environment';
import { round2 } from '../figures';
import { confirmBody } from '../service/confirm-body';
import { connectUsers, type BenchUser } from '../service/participants';
import type { BillableActions } from './billable-actions';
import { CostMeter, type ProcessQueries } from './meter';
import { totalQueries } from './query-counts';
import { waitUntilSettled } from './settle';
import { actionsSince, historyPosition } from './workflow-actions';

/** What one booking change cost, from the API's answer until everything it set off had settled. */
export interface ChangeCost {
  /** Temporal Cloud Actions in the booking workflow's history (see billable-actions.ts). */
  temporalActions: number;
  actionsByKind: BillableActions;
  /** Statements sent to PostgreSQL by the service's processes (the bench's own reads left out). */
  dbQueries: number;
  dbQueriesByProcess: { api: number; worker: number };
  /** By process and statement kind (verb and first table): where the round trips go. */
  statements: ProcessQueries;
  /** Requests to the Google sandbox (OAuth and Calendar API). */
  providerCalls: number;
  settledMs: number;
}

export interface PerBusyRead {
  temporalActions: number;
  actionsByKind: BillableActions;
  dbQueries: number;
  statements: ProcessQueries;
  providerCalls: number;
}

/**
 * What one idle connected calendar costs a day: one busy-time read measured, times the reads a
 * day at BUSY_POLL_INTERVAL (a model: token refreshes and push traffic are not in it).
 */
export interface PerCalendarDay {
  model: string;
  busyReadsPerDay: number;
  busyRead: PerBusyRead;
  temporalActions: number;
  dbQueries: number;
  providerCalls: number;
  /** New push channels a day when push is on (the bench runs without push: counted, not measured). */
  pushRenewalsPerDay: number;
}

export interface CostFigures {
  /** Participants of the booking, each with a connected Google calendar. */
  participants: number;
  confirm: ChangeCost;
  reschedule: ChangeCost;
  cancel: ChangeCost;
  perCalendarDay: PerCalendarDay;
}

const DAY_MS = 86_400_000;

/** Whether each calendar holds the booking's event at `start` (one, live), or none when `start` is null. */
async function calendarsShow(env: BenchEnvironment, users: BenchUser[], bookingId: string, start: string | null): Promise<boolean> {
  for (const u of users) {
    const live = (await env.sandbox.listEvents(u.email)).filter(
      (e) => e.status !== 'cancelled' && e.extendedProperties?.private?.[BOOKING_TAG] === bookingId,
    );
    if (start === null ? live.length > 0 : live.length !== 1 || Date.parse(live[0]!.start.dateTime ?? '') !== Date.parse(start))
      return false;
  }
  return true;
}

/**
 * The cost section: one booking between two users with connected Google calendars, confirmed,
 * rescheduled and cancelled through the API; each change metered on its own (see CostMeter).
 */
export async function runCost(env: BenchEnvironment, o: { log: (line: string) => void }): Promise<CostFigures> {
  const users = await connectUsers(env, `${env.runId}-k`, 2);
  const [tutor, client] = users as [BenchUser, BenchUser];
  // A connect sets off the calendar's first busy read: on a loaded machine it can fall in the
  // confirm's window and count among its statements. Metering starts once both have been read.
  await waitForFirstBusyReads(
    env,
    users.map((u) => u.connectionId),
  );
  const bookingId = `${env.runId}-cost-0`;
  const workflowId = bookingWorkflowId(bookingId);
  const params = { path: { bookingId } };
  const meter = new CostMeter(env);

  const change = async (label: string, send: () => Promise<number>, start: string | null): Promise<ChangeCost> => {
    await meter.begin();
    const from = await historyPosition(env.client, workflowId);
    const status = await send();
    if (status !== 202) throw new Error(`cost: ${label} answered ${status}`);
    const settledMs = await waitUntilSettled(env.client, env.sandbox, workflowId, () => calendarsShow(env, users, bookingId, start));
    const metered = await meter.stop();
    const actions = await actionsSince(env.client, workflowId, from);
    const cost: ChangeCost = {
      temporalActions: actions.total,
      actionsByKind: actions.byKind,
      dbQueries: metered.dbQueries,
      dbQueriesByProcess: { api: totalQueries(metered.queries.api), worker: totalQueries(metered.queries.worker) },
      statements: metered.queries,
      providerCalls: metered.providerCalls,
      settledMs,
    };
    o.log(`cost: ${label}: ${JSON.stringify(cost)}`);
    return cost;
  };

  const body = confirmBody(0, tutor.userId, client.userId);
  const moved = {
    start: new Date(Date.parse(body.start) + 2 * 3_600_000).toISOString(),
    end: new Date(Date.parse(body.end) + 2 * 3_600_000).toISOString(),
  };
  const confirm = await change(
    'confirm',
    async () => (await env.api.operationUntilAnswered('confirmBooking', { params, body })).status,
    body.start,
  );
  const reschedule = await change(
    'reschedule',
    async () => (await env.api.operationUntilAnswered('rescheduleBooking', { params, body: { version: 2, ...moved } })).status,
    moved.start,
  );
  const cancel = await change(
    'cancel',
    async () => (await env.api.operationUntilAnswered('cancelBooking', { params, body: { version: 3 } })).status,
    null,
  );
  return { participants: users.length, confirm, reschedule, cancel, perCalendarDay: await perCalendarDay(env, meter, tutor, o.log) };
}

async function perCalendarDay(
  env: BenchEnvironment,
  meter: CostMeter,
  user: BenchUser,
  log: (line: string) => void,
): Promise<PerCalendarDay> {
  const workflowId = calendarAccountWorkflowId(user.connectionId);
  await meter.begin();
  const from = await historyPosition(env.client, workflowId);
  await env.client.workflow.getHandle(workflowId).signal(refreshBusySignal);
  // Settled once the timer after the read (MIN_BUSY_READ_GAP_MS) has fired: the next poll's timer
  // starts in the same workflow task. The poll timer the signal cut short is cancelled, not fired.
  const gapPassed = async () =>
    ((await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).some(
      (e) => Number(e.eventId ?? 0) > (from?.lastEventId ?? 0) && e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_FIRED,
    );
  await waitUntilSettled(env.client, env.sandbox, workflowId, gapPassed);
  const metered = await meter.stop();
  const actions = await actionsSince(env.client, workflowId, from);
  // The signal stands in for the poll timer firing, which costs nothing; its own Action is left out.
  const byKind: BillableActions = { ...actions.byKind, signal: (actions.byKind.signal ?? 0) - 1 };
  if ((byKind.signal ?? 0) <= 0) delete byKind.signal;
  const busyRead: PerBusyRead = {
    temporalActions: actions.total - 1,
    actionsByKind: byKind,
    dbQueries: metered.dbQueries,
    statements: metered.queries,
    providerCalls: metered.providerCalls,
  };
  log(`cost: one busy read: ${JSON.stringify(busyRead)}`);
  // The bench's service runs with the default interval, as a deployment that does not set it.
  const pollMs = envSchema.shape.BUSY_POLL_INTERVAL.parse(undefined);
  const busyReadsPerDay = DAY_MS / pollMs;
  const renewEveryMs = new CalendarAccountState({}, 1).pushChannelOpened(new GooglePushChannels('').maxLifetimeMs, 0);
  return {
    model: `one busy read measured (set off by a refreshBusy signal, its own Action left out) × ${busyReadsPerDay} reads a day (BUSY_POLL_INTERVAL ${pollMs / 60_000} min); token refreshes and push notifications not included`,
    busyReadsPerDay,
    busyRead,
    temporalActions: round2(busyRead.temporalActions * busyReadsPerDay),
    dbQueries: round2(busyRead.dbQueries * busyReadsPerDay),
    providerCalls: round2(busyRead.providerCalls * busyReadsPerDay),
    pushRenewalsPerDay: round2(DAY_MS / renewEveryMs),
  };
}

async function waitForFirstBusyReads(env: BenchEnvironment, connectionIds: string[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { rows } = await env.pool.query<{ n: string }>(
      'SELECT count(DISTINCT connection_id) AS n FROM busy_calendars WHERE connection_id = ANY($1) AND full_read_at IS NOT NULL',
      [connectionIds],
    );
    if (Number(rows[0]?.n ?? 0) === connectionIds.length) return;
    if (Date.now() > deadline) throw new Error('cost: the connected calendars were not read within two minutes');
    await sleep(200);
  }
}
