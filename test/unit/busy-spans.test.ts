import { describe, expect, it } from 'vitest';
import { mergeSpans, overlapping, type Span } from '../../src/domain/busy';

const spans = (...pairs: Array<[number, number]>): Span[] => pairs.map(([start, end]) => ({ start, end }));

describe('mergeSpans', () => {
  it('returns nothing for nothing, and a copy of a single span', () => {
    expect(mergeSpans([])).toEqual([]);
    const one = spans([10, 20]);
    const merged = mergeSpans(one);
    expect(merged).toEqual(spans([10, 20]));
    expect(merged[0]).not.toBe(one[0]);
  });

  it('keeps disjoint spans apart, even one millisecond apart', () => {
    expect(mergeSpans(spans([0, 10], [11, 20]))).toEqual(spans([0, 10], [11, 20]));
  });

  it('joins overlapping spans', () => {
    expect(mergeSpans(spans([0, 10], [5, 15]))).toEqual(spans([0, 15]));
  });

  it('joins touching spans (one ends where the next starts)', () => {
    expect(mergeSpans(spans([0, 10], [10, 20]))).toEqual(spans([0, 20]));
  });

  it('keeps the outer span when one contains another', () => {
    expect(mergeSpans(spans([0, 30], [5, 10]))).toEqual(spans([0, 30]));
    expect(mergeSpans(spans([0, 30], [5, 10], [12, 40]))).toEqual(spans([0, 40]));
  });

  it('joins a chain whose ends do not overlap each other', () => {
    expect(mergeSpans(spans([0, 10], [8, 15], [14, 20]))).toEqual(spans([0, 20]));
  });

  it('sorts unsorted input (spans from several calendars) before joining', () => {
    expect(mergeSpans(spans([50, 60], [0, 10], [55, 70], [5, 12], [30, 40]))).toEqual(spans([0, 12], [30, 40], [50, 70]));
  });

  it('joins spans with the same start, whichever comes first', () => {
    expect(mergeSpans(spans([0, 10], [0, 5]))).toEqual(spans([0, 10]));
    expect(mergeSpans(spans([0, 5], [0, 10]))).toEqual(spans([0, 10]));
  });

  it('joins a zero-length span at an edge, keeps one that stands alone', () => {
    expect(mergeSpans(spans([10, 20], [20, 20]))).toEqual(spans([10, 20]));
    expect(mergeSpans(spans([30, 30], [10, 20]))).toEqual(spans([10, 20], [30, 30]));
  });

  it('leaves its input untouched', () => {
    const input = spans([5, 15], [0, 10]);
    mergeSpans(input);
    expect(input).toEqual(spans([5, 15], [0, 10]));
  });
});

describe('overlapping', () => {
  it('finds spans overlapping [start, end), not those that only touch it', () => {
    const busy = spans([0, 10], [10, 20], [20, 30], [5, 40]);
    expect(overlapping(busy, 10, 20)).toEqual(spans([10, 20], [5, 40]));
    expect(overlapping(busy, 40, 50)).toEqual([]);
    expect(overlapping(busy, 12, 13)).toEqual(spans([10, 20], [5, 40]));
  });
});
