/**
 * The least share of its kind's work each process must do for the work to count as shared, as a
 * fraction of an even split (1/n of it): 0.4, so 20 % each with two processes.
 *
 * Why not closer to an even split: Temporal's matching hands a task to whichever poller asks
 * first and promises no balance, sticky queues keep a booking's later workflow tasks on the worker
 * that ran its first one, and on a 2-core machine shared with the server, PostgreSQL and the
 * emulator a process starved of CPU for a moment polls less. Uneven splits such as 35/65 are normal, and not a fault. Why not lower: a process that does
 * not serve the task queue at all (wrong queue, not polling, crashed, stuck) does 0 %, and one
 * that only picked up stragglers a few %. 20 % sits well clear of both, so `shared` fails only
 * when a process is not really taking part.
 */
export const MIN_SHARE_OF_EVEN_SPLIT = 0.4;

/** Each part's share of the total, to three decimals (0 for all when nothing was done). */
export function shares(parts: number[]): number[] {
  const total = parts.reduce((n, p) => n + p, 0);
  return parts.map((p) => (total > 0 ? Math.round((p / total) * 1000) / 1000 : 0));
}

/** Whether every part did at least MIN_SHARE_OF_EVEN_SPLIT of an even split of the work (and there was work, and more than one part). */
export function isShared(parts: number[]): boolean {
  if (parts.length < 2) return false;
  const least = MIN_SHARE_OF_EVEN_SPLIT / parts.length;
  const total = parts.reduce((n, p) => n + p, 0);
  return total > 0 && parts.every((p) => p / total >= least);
}
