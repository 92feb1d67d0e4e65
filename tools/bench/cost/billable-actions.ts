import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const T = temporal.api.enums.v1.EventType;

/** Temporal Cloud's Actions in a stretch of one history, by kind, as its billing counts them. */
export type BillableActions = Record<string, number>;

/** Marker name of a local activity's result in the TypeScript SDK's core (patches are `core_patch`). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';
/** Set by `patched()`: Temporal Cloud does not count its upserts. */
const CHANGE_VERSION = 'TemporalChangeVersion';

/**
 * The Actions Temporal Cloud bills for the events of `events` after `afterEventId`, counted as
 * https://docs.temporal.io/cloud/actions lists them, from what a history shows:
 * - Workflow started (client start, Continue-As-New, child start): 1; a Signal-With-Start is one
 *   Action in all, so the signal the server records right after the start (event 2) adds none.
 * - Signal: 1 per signal received from a client, 1 per signal this workflow sends another.
 * - Activity started or retried: 1 per attempt (a history records only the last attempt's start,
 *   which carries the attempt number).
 * - Local activities: 1 per workflow task that recorded any (their markers count as one Action).
 * - Timer started: 1, `condition` with a timeout included.
 * - Search Attribute upsert: 1 per command, whatever it sets, except `TemporalChangeVersion` alone.
 * - Start Child Workflow: 2 (the start, and the child's execution).
 * - Update accepted or rejected: 1; Workflow Execution Options updated: 1.
 * Not billed, so not counted: workflow tasks, activity completions and failures, timers fired or
 * cancelled, memo changes (WorkflowPropertiesModified), completion. Not in a history, so not
 * counted here: queries (1 each: the API's booking view queries a running workflow), activity
 * heartbeats that reach the server (none of the booking workflow's activities heartbeat).
 */
export function billableActions(events: HistoryEvent[], afterEventId = 0): BillableActions {
  const out: BillableActions = {};
  const add = (kind: string, n = 1) => (out[kind] = (out[kind] ?? 0) + n);
  const localActivityTasks = new Set<string>();
  for (const [i, e] of events.entries()) {
    if (Number(e.eventId ?? 0) <= afterEventId) continue;
    switch (e.eventType) {
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        add('workflowStarted');
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        if (!(i === 1 && events[0]?.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)) add('signal');
        break;
      case T.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        add('signal');
        break;
      case T.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        add('activity', Math.max(1, e.activityTaskStartedEventAttributes?.attempt ?? 1));
        break;
      case T.EVENT_TYPE_MARKER_RECORDED: {
        const marker = e.markerRecordedEventAttributes;
        if (marker?.markerName === LOCAL_ACTIVITY_MARKER) localActivityTasks.add(String(marker.workflowTaskCompletedEventId ?? e.eventId));
        break;
      }
      case T.EVENT_TYPE_TIMER_STARTED:
        add('timer');
        break;
      case T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const keys = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (keys.some((k) => k !== CHANGE_VERSION)) add('searchAttributeUpsert');
        break;
      }
      case T.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        add('childWorkflow', 2);
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED:
        add('update');
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED:
        add('optionsUpdated');
        break;
      default:
        break;
    }
  }
  if (localActivityTasks.size > 0) add('localActivity', localActivityTasks.size);
  return out;
}

export const totalActions = (a: BillableActions): number => Object.values(a).reduce((n, v) => n + v, 0);
