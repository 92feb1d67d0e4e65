import type { CalendarChanges, CalendarItemChange } from './types';

/** One round of a provider's change read: its items and where the next round starts. */
export interface ReadRound {
  items: CalendarItemChange[];
  cursor?: string;
}

/**
 * An incremental round from `cursor`, or a full one when there is no cursor or the provider no
 * longer knows it (`isExpired`): the shape every cursor-based provider read shares.
 */
export async function readFromCursor(
  cursor: string | undefined,
  read: {
    incremental(cursor: string): Promise<ReadRound>;
    full(): Promise<ReadRound>;
    isExpired(err: unknown): boolean;
    /** The provider's typed error for anything else. */
    toError(err: unknown): Error;
  },
): Promise<CalendarChanges> {
  if (cursor) {
    try {
      const round = await read.incremental(cursor);
      return { mode: 'incremental', cursorExpired: false, ...round };
    } catch (err) {
      if (!read.isExpired(err)) throw read.toError(err);
    }
  }
  try {
    const round = await read.full();
    return { mode: 'full', cursorExpired: cursor !== undefined, ...round };
  } catch (err) {
    throw read.toError(err);
  }
}
