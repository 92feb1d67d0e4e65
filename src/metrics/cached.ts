/**
 * `load` behind a cache of `ttlMs`, single-flight: callers within the window share the last
 * value, and callers while a load runs share that load, so a flood of callers costs one load
 * per window. A failed load is not kept (the next caller tries again).
 */
export function cachedFor<T>(ttlMs: number, load: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let last: { value: T; at: number } | undefined;
  let running: Promise<T> | undefined;
  return () => {
    if (last && now() - last.at < ttlMs) return Promise.resolve(last.value);
    running ??= load()
      .then((value) => {
        last = { value, at: now() };
        return value;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}
