import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../../src/application/page-cursor';

const position = z.strictObject({ n: z.number() });

describe('page cursors', () => {
  it('give back the position they were made from, for their own list only', () => {
    const cursor = encodeCursor('list-a', { n: 7 });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('list-a', cursor, position)).toEqual({ n: 7 });
    expect(decodeCursor('list-b', cursor, position)).toBeUndefined();
  });

  it('refuse anything this service did not issue', () => {
    for (const bad of ['', '%%', 'bm90IGpzb24', Buffer.from('{"k":"list-a","p":{"n":"7"}}').toString('base64url'), 'a'.repeat(2001)]) {
      expect(decodeCursor('list-a', bad, position)).toBeUndefined();
    }
  });
});
