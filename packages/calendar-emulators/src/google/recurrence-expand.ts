import { apiErrors } from './errors';
import { recurrenceEngine, type IcalModule } from './recurrence-engine';
import { wallDate, wallKey, wallToDateTime, type Series, type SeriesRule, type UntilBound, type WallTime } from './recurrence-rule';

// Walks a series' occurrences in time order. ical.js generates each RRULE's pattern in
// floating (wall-clock) time; COUNT, UNTIL, DTSTART, RDATE and EXDATE are applied here,
// because ical.js neither counts DTSTART as the first occurrence when the rule would
// skip it (RFC 5545 says it always counts) nor compares a UTC UNTIL with floating times.
// Every walk is bounded: by the caller's window and limit, and by MAX_STEPS per rule.

/** Occurrences one expansion hands out at most (a list, a sync, one series). */
export const MAX_INSTANCES_PER_SERIES = 5_000;
/** Iterator steps per rule at most: a rule that rarely matches cannot spin forever. */
const MAX_STEPS = 100_000;

export interface Occurrence {
  /** The original start, in the series' zone (instance ids and originalStartTime come from it). */
  wall: WallTime;
  startMs: number;
  endMs: number;
  /** Removed by EXDATE: kept so that incremental syncs can report it as cancelled. */
  excluded: boolean;
}

export interface ExpandWindow {
  /** Occurrences ending at or before this are skipped. */
  from: number;
  /** Occurrences starting at or after this end the walk. */
  to: number;
  includeExcluded?: boolean;
  limit?: number;
}

function startMsOf(series: Series, wall: WallTime): number {
  return wallToDateTime(series.allDay ? { ...wall, hour: 0, minute: 0, second: 0 } : wall, series.zone).toMillis();
}

function endMsOf(series: Series, wall: WallTime, startMs: number): number {
  if ('ms' in series.span) return startMs + series.span.ms;
  return wallToDateTime({ ...wall, hour: 0, minute: 0, second: 0 }, series.zone)
    .plus({ days: series.span.days })
    .toMillis();
}

function withinUntil(series: Series, until: UntilBound, wall: WallTime): boolean {
  if (until.kind === 'date') return wallDate(wall) <= until.date;
  if (until.kind === 'wall') return wallKey(wall) <= until.key;
  return startMsOf(series, wall) <= until.ms;
}

function icalStart(ical: IcalModule, series: Series): InstanceType<IcalModule['Time']> {
  // No zone: floating time, so the pattern is generated in wall-clock time.
  return ical.Time.fromData({ ...series.start, isDate: series.allDay });
}

/** One RRULE's occurrences after DTSTART, which counts as its first (RFC 5545 §3.3.10). */
function* ruleOccurrences(ical: IcalModule, series: Series, rule: SeriesRule): Generator<WallTime> {
  let count = 1;
  if (rule.count !== undefined && count >= rule.count) return;
  const startKey = wallKey(series.start);
  const iterator = ical.Recur.fromString(rule.pattern).iterator(icalStart(ical, series));
  for (let step = 0; step < MAX_STEPS; step += 1) {
    let next: InstanceType<IcalModule['Time']> | null;
    try {
      next = iterator.next();
    } catch {
      // ical.js gives up on some degenerate rules mid-way ("same occurrence found twice").
      return;
    }
    if (!next) return;
    const wall: WallTime = {
      year: next.year,
      month: next.month,
      day: next.day,
      hour: next.hour,
      minute: next.minute,
      second: next.second,
    };
    if (wallKey(wall) <= startKey) continue;
    if (rule.until !== undefined && !withinUntil(series, rule.until, wall)) return;
    yield wall;
    count += 1;
    if (rule.count !== undefined && count >= rule.count) return;
  }
}

/** Merges ascending streams into one, dropping repeats (two rules may hit the same time). */
function* mergeAscending(sources: Array<Iterator<WallTime>>): Generator<WallTime> {
  const heads = sources.map((source) => source.next());
  let last: string | undefined;
  for (;;) {
    let best = -1;
    let bestKey = '';
    heads.forEach((head, index) => {
      if (head.done) return;
      const key = wallKey(head.value);
      if (best < 0 || key < bestKey) {
        best = index;
        bestKey = key;
      }
    });
    const source = sources[best];
    const head = heads[best];
    if (best < 0 || !source || !head || head.done) return;
    heads[best] = source.next();
    if (bestKey === last) continue;
    last = bestKey;
    yield head.value;
  }
}

/** Every occurrence of the series in time order, EXDATE-excluded ones flagged. */
export function* occurrences(series: Series): Generator<Occurrence> {
  const ical = recurrenceEngine();
  const sources: Array<Iterator<WallTime>> = [
    [series.start][Symbol.iterator](),
    ...series.rules.map((rule) => ruleOccurrences(ical, series, rule)),
    series.rdates[Symbol.iterator](),
  ];
  for (const wall of mergeAscending(sources)) {
    const startMs = startMsOf(series, wall);
    yield {
      wall,
      startMs,
      endMs: endMsOf(series, wall, startMs),
      excluded: series.exTimes.has(wallKey(wall)) || series.exDates.has(wallDate(wall)),
    };
  }
}

/** The occurrences overlapping [from, to), in time order, at most `limit` of them. */
export function expandSeries(series: Series, window: ExpandWindow): Occurrence[] {
  const limit = Math.min(window.limit ?? MAX_INSTANCES_PER_SERIES, MAX_INSTANCES_PER_SERIES);
  const out: Occurrence[] = [];
  for (const occurrence of occurrences(series)) {
    if (occurrence.startMs >= window.to || out.length >= limit) break;
    if (occurrence.endMs <= window.from) continue;
    if (occurrence.excluded && !window.includeExcluded) continue;
    out.push(occurrence);
  }
  return out;
}

/** Refuses rules ical.js cannot expand (e.g. BYYEARDAY in a MONTHLY rule), as Google refuses them. */
export function checkSeries(series: Series): void {
  const ical = recurrenceEngine();
  for (const rule of series.rules) {
    try {
      ical.Recur.fromString(rule.pattern).iterator(icalStart(ical, series)).next();
    } catch {
      throw apiErrors.invalid('Invalid recurrence rule.');
    }
  }
}
