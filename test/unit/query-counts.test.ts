import { describe, expect, it } from 'vitest';
import { parseQueryCounts, queryDelta, totalQueries } from '../../tools/bench/cost/query-counts';

describe("the bench's reading of calsync_db_queries_total", () => {
  it('reads the series by statement from an exposition, other series ignored', () => {
    const text = [
      '# HELP calsync_db_queries_total Statements sent to PostgreSQL',
      '# TYPE calsync_db_queries_total counter',
      'calsync_db_queries_total{statement="select bookings"} 12',
      'calsync_db_queries_total{statement="begin"} 3',
      'calsync_calendar_operations_total{provider="google",operation="upsert",outcome="ok"} 4',
    ].join('\n');
    expect(parseQueryCounts(text)).toEqual({ 'select bookings': 12, begin: 3 });
  });

  it('a delta keeps the statements that moved, new ones included', () => {
    const d = queryDelta({ 'select bookings': 12, begin: 3 }, { 'select bookings': 15, begin: 3, 'insert calendar_events': 2 });
    expect(d).toEqual({ 'select bookings': 3, 'insert calendar_events': 2 });
    expect(totalQueries(d)).toBe(5);
  });
});
