import { describe, expect, it } from 'vitest';
import { participantSyncs } from '../../src/domain/selective-sync';

const person = (userId: string, sync?: boolean) => ({
  userId,
  role: 'client',
  name: userId,
  email: `${userId}@example.com`,
  ...(sync === undefined ? {} : { sync }),
});

describe('participantSyncs', () => {
  it('is true unless the participant says sync: false, and false for someone who is not a participant', () => {
    const details = { participants: [person('absent'), person('on', true), person('off', false)] };
    expect(participantSyncs(details, 'absent')).toBe(true);
    expect(participantSyncs(details, 'on')).toBe(true);
    expect(participantSyncs(details, 'off')).toBe(false);
    expect(participantSyncs(details, 'stranger')).toBe(false);
  });
});
