import { z } from 'zod';

/**
 * An instant as the API answers it: RFC 3339 with an offset (`format: date-time` in the
 * document). Most are UTC (`toISOString`); a booking's own `start` and `end` keep the offset the
 * booking system sent.
 */
export const instant = z.iso.datetime({ offset: true });
