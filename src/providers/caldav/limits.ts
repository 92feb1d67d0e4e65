import { ProviderError } from '../types';

/**
 * What one CalDAV read may cost. A CalDAV server is whatever URL an end user typed, so its
 * answers are untrusted input: these bound the memory and the worker's time one account can take.
 */
export interface ReadLimits {
  /** Bytes of one response body. */
  maxResponseBytes: number;
  /** Calendar objects in one read. */
  maxObjects: number;
  /** Occurrences of one recurring event stepped through (from its start to the window's end). */
  maxOccurrencesPerObject: number;
  /** Busy intervals in one read, all objects together. */
  maxIntervals: number;
  /** Time spent parsing and expanding one read's objects. */
  expansionBudgetMs: number;
  /** Longest stretch of that work between two turns of the event loop. */
  sliceMs: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxResponseBytes: 10 * 1024 * 1024,
  maxObjects: 5_000,
  maxOccurrencesPerObject: 50_000,
  maxIntervals: 50_000,
  expansionBudgetMs: 5_000,
  sliceMs: 50,
};

/** The `reason` of every limit error, for callers and tests that tell them apart. */
export const LIMIT_EXCEEDED = 'limit_exceeded';

/**
 * A CalDAV server's answer went beyond a read limit. Permanent for this read (kind `rejected`:
 * not retried; recorded on the account, read again at the next poll), and says which limit.
 */
export class CalDavLimitError extends ProviderError {
  constructor(message: string) {
    super('rejected', `the CalDAV server's calendar is beyond this service's limits: ${message}`, { reason: LIMIT_EXCEEDED });
  }
}

/** Gives the event loop a turn (timers, I/O, other activities). */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The running cost of one read's parsing and expansion: objects, intervals and time. Time is
 * counted in slices between turns of the event loop, so a read never holds the loop longer than
 * `sliceMs` and never spends more than `expansionBudgetMs` in all.
 */
export class ReadBudget {
  private objects = 0;
  private intervals = 0;
  private spentMs = 0;
  private sliceStart: number;

  constructor(
    readonly limits: ReadLimits = DEFAULT_READ_LIMITS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.sliceStart = now();
  }

  /** Counts `n` objects of the read. */
  addObjects(n: number): void {
    this.objects += n;
    if (this.objects > this.limits.maxObjects) throw new CalDavLimitError(`more than ${this.limits.maxObjects} calendar objects`);
  }

  /** Counts one busy interval of the read. */
  addInterval(): void {
    if (++this.intervals > this.limits.maxIntervals) throw new CalDavLimitError(`more than ${this.limits.maxIntervals} busy intervals`);
  }

  /**
   * Called often during the work: throws when its time is used up; gives the event loop a turn
   * (returning a promise) when the current slice is long enough, else returns undefined.
   */
  tick(): Promise<void> | undefined {
    const t = this.now();
    const slice = t - this.sliceStart;
    if (this.spentMs + slice > this.limits.expansionBudgetMs)
      throw new CalDavLimitError(`reading its events took more than ${this.limits.expansionBudgetMs} ms`);
    if (slice < this.limits.sliceMs) return undefined;
    this.spentMs += slice;
    return yieldToLoop().then(() => {
      this.sliceStart = this.now();
    });
  }
}
