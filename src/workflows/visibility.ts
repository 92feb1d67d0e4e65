/**
 * Publishing what the server shows of a workflow: search attributes operators filter by, and
 * a memo the API reads without a worker. Kept apart from `search-attributes.ts`, which the
 * API and the setup code import and so must not load the workflow runtime.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';

export interface Visibility {
  searchAttributes: SearchAttributeUpdatePair[];
  memo: Record<string, unknown>;
}

/** Equal for equal values; a keyword list that is missing reads like an empty one. */
function fingerprint(pairs: SearchAttributeUpdatePair[]): string {
  return JSON.stringify(pairs.map(({ value }) => (Array.isArray(value) ? value.join(',') : (value ?? ''))));
}

/**
 * Upserts only what changed (every upsert is a visibility write on the server): the search
 * attributes when one of their values did, and the memo only along with them and when it differs.
 */
export class VisibilityPublisher {
  private shownAttributes: string;
  private shownMemo: string;

  /** `shown`: what the server already holds (what the workflow was started or continued with). */
  constructor(shown: Visibility) {
    this.shownAttributes = fingerprint(shown.searchAttributes);
    this.shownMemo = JSON.stringify(shown.memo);
  }

  publish(next: Visibility): void {
    const attributes = fingerprint(next.searchAttributes);
    if (attributes === this.shownAttributes) return;
    this.shownAttributes = attributes;
    upsertSearchAttributes(next.searchAttributes);
    const memo = JSON.stringify(next.memo);
    if (memo === this.shownMemo) return;
    this.shownMemo = memo;
    upsertMemo({ ...next.memo });
  }
}
