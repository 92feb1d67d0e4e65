import { describe, expect, it } from 'vitest';
import type { ChaosParticipant } from '../../src/chaos/participants';
import type { BookingPlan } from '../../src/chaos/scenario';
import { judge } from '../../src/chaos/verdict';

const a: ChaosParticipant = { userId: 'a', provider: 'google', connectionId: 'ca', account: 'a@x' };
const b: ChaosParticipant = { userId: 'b', provider: 'caldav', connectionId: 'cb', account: 'b' };
const start = '2031-01-06T08:00:00.000Z';
const end = '2031-01-06T09:00:00.000Z';
const at = (bookingId: string, s = start) => ({ bookingId, start: Date.parse(s), end: Date.parse(s) + 3_600_000 });
const plan = (bookingId: string, cancelled = false): BookingPlan => ({
  bookingId,
  title: 't',
  participants: [a, b],
  deliveries: [],
  expected: cancelled ? { cancelled: true } : { cancelled: false, start, end },
});

describe('chaos verdict', () => {
  it('counts lost, duplicate and wrong events per calendar', () => {
    const plans = [plan('ok'), plan('lost'), plan('dup'), plan('moved'), plan('gone', true)];
    const calendars = new Map([
      ['a', [at('ok'), at('dup'), at('dup'), at('moved', '2031-02-01T08:00:00.000Z'), at('gone')]],
      ['b', [at('ok'), at('lost'), at('dup'), at('moved')]],
    ]);
    const v = judge(plans, calendars);
    expect({ lost: v.lost, duplicates: v.duplicates, wrong: v.wrong }).toEqual({ lost: 1, duplicates: 1, wrong: 2 });
    expect(judge([plan('ok')], new Map([['a', [at('ok')]], ['b', [at('ok')]]]))).toMatchObject({ lost: 0, duplicates: 0, wrong: 0 });
  });
});
