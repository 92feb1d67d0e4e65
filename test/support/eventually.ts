import { inspect } from 'node:util';

/**
 * Polls `check` until it returns a value (not undefined) or the deadline passes. Not a sleep: it
 * returns as soon as the condition holds. The default deadline allows for a full-suite run on two
 * cores, where two test files, their workers and the dev server share the machine.
 */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const cause = last === undefined ? '' : `: ${last instanceof Error ? last.toString() : inspect(last)}`;
      throw new Error(`timed out waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
