import { ApplicationFailure } from '@temporalio/common';
import { log } from '@temporalio/workflow';
import type { ValidatorIssue } from './generated/input-validators';
import type { InputCheck } from './input-checks';
import type { InputIssue } from './input-rules';

/** Issues named in the log line: enough to see what was wrong, bounded whatever was sent. */
const MAX_LOGGED_ISSUES = 5;

/** A generated validator's issue as a dotted path and the JSON Schema keyword that failed (a missing field is named). */
function fromValidator(issue: ValidatorIssue): InputIssue {
  const segments = issue.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') segments.push(issue.params.missingProperty);
  return { path: segments.join('.'), kind: issue.keyword };
}

/**
 * `value` when it passes `check` (one of input-checks.ts: the API's schema as a generated
 * validator, then the same rules), or `undefined` after logging what was wrong with it. Signals
 * and start inputs can reach a workflow from anyone who can reach Temporal, not only through the
 * API. The log names the fields and the kind of problem, never their values (they may be personal data).
 */
export function checkedInput<T>(what: string, check: InputCheck<T>, value: unknown): T | undefined {
  const issues = check.validate(value) ? (check.rules?.(value as T) ?? []) : (check.validate.errors ?? []).map(fromValidator);
  if (issues.length === 0) return value as T;
  log.warn(`ignored ${what}: it does not match its schema`, {
    issues: issues.slice(0, MAX_LOGGED_ISSUES).map((i) => `${i.path || '(input)'}: ${i.kind}`),
  });
  return undefined;
}

/**
 * A workflow's start input checked with `check`; one that does not pass fails the run
 * (non-retryable, logged like a signal), so it is visible as failed and does nothing.
 */
export function checkedStartInput<T>(workflow: string, check: InputCheck<T>, value: unknown): T {
  const input = checkedInput(`the ${workflow} workflow input`, check, value);
  if (input === undefined)
    throw ApplicationFailure.nonRetryable(`the ${workflow} workflow input does not match its schema`, 'InvalidWorkflowInput');
  return input;
}
