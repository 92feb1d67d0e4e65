/** A busy stretch in epoch milliseconds. */
export interface Span {
  start: number;
  end: number;
}

/** Sorted, with overlapping and touching spans joined: what "busy" means across calendars. */
export function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** The parts of `spans` that overlap [start, end) — the conflicts of a proposed booking. */
export function overlapping(spans: Span[], start: number, end: number): Span[] {
  return spans.filter((s) => s.start < end && s.end > start);
}
