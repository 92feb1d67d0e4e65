import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** Committed workflow histories (binary protobuf) that the replay test replays on the current code. */
export const FIXTURES = path.join(__dirname, '../fixtures/histories');

/**
 * Histories hold payloads encrypted by the codec, so fixtures are recorded under a fixed key
 * that lives here: a test key for test data, not a secret. A harness that records fixtures
 * runs with it (`ENCRYPTION_KEYS`).
 */
export const FIXTURE_KEYS = 'replay1:5f1c0d2e3b4a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';

/** Set by `npm run record-histories`: the tests that make fixtures write them. */
export const recording = process.env.RECORD_HISTORIES === '1';

export const { History } = temporal.api.history.v1;
export type HistoryProto = temporal.api.history.v1.History;

/** One run's history (the latest run when runId is left out). */
export async function runHistory(client: Client, workflowId: string, runId?: string): Promise<HistoryProto> {
  return History.fromObject(await client.workflow.getHandle(workflowId, runId).fetchHistory());
}

/** The activity types a history scheduled, in order. */
export function scheduledActivities(history: HistoryProto): string[] {
  return history.events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter((n): n is string => Boolean(n));
}

/** Writes a fixture when recording; otherwise does nothing. */
export async function recordFixture(name: string, history: HistoryProto): Promise<void> {
  if (recording) await writeFile(path.join(FIXTURES, `${name}.binpb`), History.encode(history).finish());
}
