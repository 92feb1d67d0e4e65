/** The booking system's `version` on each change: the rule that keeps a stale change from overwriting a newer one. */

/** Applies a change when it is newer than what the group holds; unversioned changes apply in arrival order. */
export function isNewer(version: number | undefined, held: number | null): boolean {
  return version === undefined || held === null || version > held;
}

export function maxVersion(a: number | null, b: number | undefined): number | null {
  if (b === undefined) return a;
  return a === null ? b : Math.max(a, b);
}
