import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../tools/bench/options';
import { counterDelta, parseExposition, workCounters } from '../../tools/bench/spread/counters';
import { isShared, shares } from '../../tools/bench/spread/share';

const exposition = `# HELP calsync_calendar_operations_total Calendar writes by provider, operation and outcome
# TYPE calsync_calendar_operations_total counter
calsync_calendar_operations_total{provider="google",operation="create",outcome="ok"} 40
calsync_calendar_operations_total{provider="google",operation="create",outcome="retrying"} 3
calsync_calendar_operations_total{operation="update",provider="microsoft",outcome="ok"} 2
calsync_activity_duration_seconds_bucket{le="0.01",activity="reconcile",outcome="ok"} 5
calsync_activity_duration_seconds_count{activity="reconcile",outcome="ok"} 20
calsync_activity_duration_seconds_count{activity="writeEvent",outcome="RateLimited"} 1
calsync_process_cpu_seconds_total 12.5
temporal_workflow_completed{namespace="default",task_queue="q"} 7
`;

describe('the spread section’s counters', () => {
  it('sums the successful calendar writes of every provider and operation, the activity attempts of any outcome and the CPU', () => {
    expect(workCounters(parseExposition(exposition))).toEqual({ calendarWrites: 42, activities: 21, cpuSeconds: 12.5 });
  });

  it('reports what moved between two scrapes, and nothing for a process that did nothing', () => {
    const before = workCounters(parseExposition(exposition));
    const after = workCounters(parseExposition(exposition.replace('outcome="ok"} 40', 'outcome="ok"} 140').replace('12.5', '14.75')));
    expect(counterDelta(before, after)).toEqual({ calendarWrites: 100, activities: 0, cpuSeconds: 2.25 });
    expect(workCounters(parseExposition(''))).toEqual({ calendarWrites: 0, activities: 0, cpuSeconds: 0 });
  });
});

describe('shared', () => {
  it('holds when each of two processes did at least 20 % of the work', () => {
    expect(isShared([50, 50])).toBe(true);
    expect(isShared([20, 80])).toBe(true);
    expect(shares([20, 80])).toEqual([0.2, 0.8]);
  });

  it('fails when one process did (almost) nothing, when there was no work, or only one process', () => {
    expect(isShared([19, 81])).toBe(false);
    expect(isShared([0, 100])).toBe(false);
    expect(isShared([0, 0])).toBe(false);
    expect(isShared([100])).toBe(false);
    expect(shares([0, 0])).toEqual([0, 0]);
  });

  it('scales the bound with the number of processes: 0.4 of an even split', () => {
    // Three workers: 13.3 % each at least.
    expect(isShared([14, 43, 43])).toBe(true);
    expect(isShared([13, 43, 44])).toBe(false);
  });
});

describe('--spread-bookings', () => {
  it('defaults to 400 and is a section of its own', () => {
    expect(parseBenchOptions([]).spreadBookings).toBe(400);
    expect(parseBenchOptions(['--only', 'spread', '--spread-bookings', '30'])).toMatchObject({ sections: ['spread'], spreadBookings: 30 });
    expect(() => parseBenchOptions(['--spread-bookings', '1'])).toThrow();
  });
});
