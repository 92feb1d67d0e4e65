import { ApplicationFailure } from '@temporalio/common';
import { log } from '@temporalio/workflow';
import type { z } from 'zod';

/** Issues named in the log line: enough to see what was wrong, bounded whatever was sent. */
const MAX_LOGGED_ISSUES = 5;

/**
 * `value` parsed with `schema` (one of src/domain/booking-input-schemas.ts, as the API uses),
 * or `undefined` after logging what was wrong with it. Signals and start inputs can reach a
 * workflow from anyone who can reach Temporal, not only through the API. The log names the
 * fields and the kind of problem, never their values (they may be personal data).
 */
export function checkedInput<S extends z.ZodType>(what: string, schema: S, value: unknown): z.output<S> | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  log.warn(`ignored ${what}: it does not match its schema`, {
    issues: parsed.error.issues.slice(0, MAX_LOGGED_ISSUES).map((i) => `${i.path.join('.') || '(input)'}: ${i.code}`),
  });
  return undefined;
}

/**
 * A workflow's start input parsed with `schema`; one that does not parse fails the run
 * (non-retryable, logged like a signal), so it is visible as failed and does nothing.
 */
export function checkedStartInput<S extends z.ZodType>(workflow: string, schema: S, value: unknown): z.output<S> {
  const input = checkedInput(`the ${workflow} workflow input`, schema, value);
  if (input === undefined)
    throw ApplicationFailure.nonRetryable(`the ${workflow} workflow input does not match its schema`, 'InvalidWorkflowInput');
  return input;
}
