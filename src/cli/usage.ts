/** The operator's mistake on the command line (exit 2): an unknown command, a missing or bad argument. */
export class UsageError extends Error {
  readonly code = 'usage';
  constructor(
    message: string,
    /** The help of the command it concerns, shown after the message. */
    readonly help?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of every command: done, failed (not found, unreachable, refused), or used wrongly. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
