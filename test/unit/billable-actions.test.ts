import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { billableActions, totalActions } from '../../tools/bench/cost/billable-actions';

const T = temporal.api.enums.v1.EventType;
type Event = temporal.api.history.v1.IHistoryEvent;

/** Events numbered from 1 in the order given. */
const history = (...events: Event[]): Event[] =>
  temporal.api.history.v1.History.fromObject({ events: events.map((e, i) => ({ ...e, eventId: i + 1 })) }).events;
const task = (): Event[] => [
  { eventType: T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED },
  { eventType: T.EVENT_TYPE_WORKFLOW_TASK_STARTED },
  { eventType: T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED },
];

describe("billableActions: Temporal Cloud's Actions read from a history", () => {
  it('a Signal-With-Start is one Action; later signals, each activity attempt, timers and upserts one each', () => {
    const events = history(
      { eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED },
      { eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED },
      ...task(),
      { eventType: T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED },
      { eventType: T.EVENT_TYPE_ACTIVITY_TASK_STARTED, activityTaskStartedEventAttributes: { attempt: 3 } },
      { eventType: T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED },
      ...task(),
      {
        eventType: T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
        upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: { SyncState: {}, BookingStatus: {} } } },
      },
      {
        eventType: T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
        upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: { TemporalChangeVersion: {} } } },
      },
      { eventType: T.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED },
      { eventType: T.EVENT_TYPE_TIMER_STARTED },
      { eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED },
      { eventType: T.EVENT_TYPE_TIMER_CANCELED },
    );
    const actions = billableActions(events);
    expect(actions).toEqual({ workflowStarted: 1, activity: 3, searchAttributeUpsert: 1, timer: 1, signal: 1 });
    expect(totalActions(actions)).toBe(7);
    // Only what came after event 12 (the first upsert): the timer and the signal.
    expect(billableActions(events, 12)).toEqual({ timer: 1, signal: 1 });
  });

  it("a plain start's first signal counts; local activities of one workflow task are one Action; a child is two", () => {
    const marker = (taskId: number): Event => ({
      eventType: T.EVENT_TYPE_MARKER_RECORDED,
      markerRecordedEventAttributes: temporal.api.history.v1.MarkerRecordedEventAttributes.fromObject({
        markerName: 'core_local_activity',
        workflowTaskCompletedEventId: taskId,
      }),
    });
    const events = history(
      { eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED },
      ...task(),
      { eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED },
      ...task(),
      marker(7),
      marker(7),
      { eventType: T.EVENT_TYPE_MARKER_RECORDED, markerRecordedEventAttributes: { markerName: 'core_patch' } },
      ...task(),
      marker(13),
      { eventType: T.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED },
      { eventType: T.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED },
      { eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED },
    );
    expect(billableActions(events)).toEqual({ workflowStarted: 1, signal: 2, localActivity: 2, childWorkflow: 2 });
  });
});
