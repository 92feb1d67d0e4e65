import { davRequest } from 'tsdav';
import type ICAL from 'ical.js' with { 'resolution-mode': 'import' };
import { ProviderError, type AccessContext, type BusyWindow, type CalendarChanges, type CalendarItemChange } from '../types';
import { busyOfObject, parseObject } from './busy-times';
import { authHeaders, readObject, TIMEOUT_MS } from './dav';
import { accountFetch, type Transport } from './dav-fetch';
import { checkResponse } from './errors';
import { BOOKING_PROPERTY } from './ics';
import { CalDavLimitError, ReadBudget, type ReadLimits } from './limits';

type ICALModule = typeof ICAL;

/** An account's access with the transport its requests leave by. */
export type DavContext = AccessContext & { transport: Transport };

/**
 * Answers to a sync-collection REPORT that mean "not with this token" (RFC 6578 §3.2: 403 or 409
 * with the DAV:valid-sync-token precondition) or "not at all" (405, 501; 400 from servers that do
 * not know the report). With a cursor they lead to a full read; without one, to reads that are
 * always full.
 */
const SYNC_REFUSED = new Set([400, 403, 405, 409, 501]);
/** Hrefs per calendar-multiget REPORT. */
const MULTIGET_BATCH = 100;
/** Truncated sync-collection answers (507) followed in one read; the rest comes with the next read. */
const MAX_SYNC_PAGES = 20;
const OURS = new RegExp(`^${BOOKING_PROPERTY}[;:]`, 'im');

const DAV_NS = 'xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"';

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** `20300101T000000Z`; the end rounded up to the second, so the range never shrinks. */
function davTime(date: Date, roundUp = false): string {
  const ms = date.getTime();
  const whole = roundUp ? Math.ceil(ms / 1000) * 1000 : Math.floor(ms / 1000) * 1000;
  return `${new Date(whole).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Compares hrefs however a server percent-encodes them (`%40` or `@`) and with or without a trailing slash. */
function pathKey(url: URL): string {
  return safeDecode(url.pathname).replace(/\/+$/, '');
}

/** One multistatus answer: the HTTP response (status, headers) and tsdav's parse of its members. */
interface DavAnswer {
  res: Response;
  members: Array<{ hrefs: string[]; status: number; props: Record<string, unknown> }>;
  /** The parsed DAV:multistatus element, or undefined when the body was none. */
  multistatus: Record<string, unknown> | undefined;
}

/**
 * One REPORT through the account's fetch (so the password only goes where it may), our own XML
 * body, tsdav's multistatus parser. Network failures and timeouts become transient errors; the
 * HTTP status is left to the caller. Messages carry no request body or header.
 */
async function report(ctx: DavContext, url: string, body: string, what: string, depth?: '0' | '1'): Promise<DavAnswer> {
  const base = accountFetch(ctx.credentials, ctx.transport, ctx.signal);
  let last: Response | undefined;
  const recording: typeof fetch = async (input, init) => (last = await base(input, init));
  let parsed;
  try {
    parsed = await davRequest({
      url,
      init: {
        method: 'REPORT',
        headers: { ...authHeaders(ctx.credentials), 'content-type': 'application/xml; charset=utf-8', ...(depth ? { depth } : {}) },
        body: `<?xml version="1.0" encoding="utf-8"?>${body}`,
      },
      convertIncoming: false,
      fetchOptions: { signal: AbortSignal.timeout(TIMEOUT_MS) },
      fetch: recording,
    });
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    throw new ProviderError('transient', `CalDAV ${what} failed on the network (${err instanceof Error ? err.name : 'error'})`);
  }
  if (!last) throw new ProviderError('transient', `CalDAV ${what} got no answer`);
  // Each REPORT is one page of a read.
  ctx.onPage?.();
  const raw: unknown = parsed[0]?.raw;
  const multistatus =
    last.ok &&
    raw !== null &&
    typeof raw === 'object' &&
    'multistatus' in raw &&
    typeof raw.multistatus === 'object' &&
    raw.multistatus !== null
      ? (raw.multistatus as Record<string, unknown>)
      : undefined;
  const members = multistatus
    ? parsed
        .map((m) => ({
          hrefs: (Array.isArray(m.href) ? m.href : [m.href])
            .filter((h): h is string | number => typeof h === 'string' || typeof h === 'number')
            .map(String),
          status: m.status,
          props: m.props ?? {},
        }))
        .filter((m) => m.hrefs.length > 0)
    : [];
  return { res: last, members, multistatus };
}

/** What one sync-collection run (all its pages) reported. */
type SyncResult =
  | { kind: 'ok'; token: string; members: Map<string, { href: string; removed: boolean }> }
  /** The server refused the token or the report (a status in SYNC_REFUSED), or answered without a token. */
  | { kind: 'refused' };

class Collection {
  readonly base: string;
  private readonly baseUrl: URL;

  constructor(readonly ctx: DavContext) {
    this.base = withSlash(ctx.calendarId);
    this.baseUrl = new URL(this.base);
  }

  /** Absolute URL of a member, to fetch it. */
  urlOf(href: string): URL {
    return new URL(href, this.base);
  }

  /**
   * The item id of a member: its name under the collection URL we store, exactly as `objectUrl`
   * builds the `externalEventId` of our events, however the server spells the collection's
   * path or host in hrefs (`%40` for `@`, another host name).
   */
  itemIdOf(href: string): string {
    const name = this.urlOf(href).pathname.split('/').filter(Boolean).pop() ?? '';
    return new URL(name, this.base).toString();
  }

  isSelf(href: string): boolean {
    return pathKey(this.urlOf(href)) === pathKey(this.baseUrl);
  }

  /**
   * sync-collection (RFC 6578) from `token` ('' = initial: every member, and the current
   * token), sync-level 1, getetag only. Depth 0, as §3.2 requires (sabre/dav refuses others).
   * Truncated answers (a 507 member for the collection) are continued from their token.
   */
  async sync(token: string): Promise<SyncResult> {
    const members = new Map<string, { href: string; removed: boolean }>();
    let current = token;
    for (let page = 0; ; page++) {
      const body =
        `<d:sync-collection ${DAV_NS}><d:sync-token>${xmlEscape(current)}</d:sync-token>` +
        '<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>';
      const answer = await report(this.ctx, this.base, body, 'sync-collection', '0');
      if (!answer.res.ok) {
        if (SYNC_REFUSED.has(answer.res.status)) return { kind: 'refused' };
        checkResponse(answer.res, 'sync-collection');
      }
      const next = answer.multistatus?.syncToken;
      if (typeof next !== 'string' && typeof next !== 'number') return { kind: 'refused' };
      let truncated = false;
      for (const m of answer.members) {
        if (m.status === 507) {
          truncated = true;
          continue;
        }
        for (const href of m.hrefs) {
          if (this.isSelf(href)) continue;
          // Gone: a 404/410 member. Anything else (changed, or a member without a 200 propstat)
          // is fetched, and counts as removed only if the server then has no such object.
          members.set(this.itemIdOf(href), { href, removed: m.status === 404 || m.status === 410 });
        }
      }
      // tsdav's parser turns numeric-looking text into numbers; a token is text again here.
      current = String(next);
      if (!truncated || page + 1 >= MAX_SYNC_PAGES) return { kind: 'ok', token: current, members };
    }
  }

  /**
   * The objects with a VEVENT in the window: one time-ranged calendar-query returning their
   * data (the server expands recurrences to decide; we expand them again to compute busy time).
   */
  async query(window: BusyWindow, budget: ReadBudget): Promise<Array<{ itemId: string; data: string }>> {
    const body =
      `<c:calendar-query ${DAV_NS}><d:prop><d:getetag/><c:calendar-data/></d:prop>` +
      '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">' +
      `<c:time-range start="${davTime(window.from)}" end="${davTime(window.to, true)}"/>` +
      '</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>';
    const answer = await report(this.ctx, this.base, body, 'calendar-query', '1');
    const members = this.checked(answer, 'calendar-query');
    budget.addObjects(members.length);
    const out: Array<{ itemId: string; data: string }> = [];
    for (const m of members) {
      // A member cut off (507) or failed: the read is not the whole window, and a full read
      // that misses our events would call them deleted.
      if (m.status === 507 || m.status >= 500)
        throw new ProviderError('transient', `CalDAV calendar-query answered ${m.status} for a member`);
      if (m.status < 200 || m.status >= 300) continue;
      for (const href of m.hrefs) {
        if (this.isSelf(href)) continue;
        // A server that left the data out: read the object itself (gone meanwhile: not in the window).
        const data =
          dataOf(m.props) ??
          (await readObject(this.urlOf(href).toString(), this.ctx.credentials, this.ctx.transport, this.ctx.signal))?.data;
        if (data !== undefined) out.push({ itemId: this.itemIdOf(href), data });
      }
    }
    return out;
  }

  /**
   * The current data of members, by calendar-multiget in batches; undefined for one that no
   * longer exists. A member the server leaves out of the answer (or without data) is read with
   * a GET rather than taken for deleted.
   */
  async multiget(hrefs: string[]): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>();
    for (let i = 0; i < hrefs.length; i += MULTIGET_BATCH) {
      const batch = hrefs.slice(i, i + MULTIGET_BATCH);
      // RFC 4791 §7.9: the Depth header is ignored for calendar-multiget and should not be sent.
      const body =
        `<c:calendar-multiget ${DAV_NS}><d:prop><d:getetag/><c:calendar-data/></d:prop>` +
        `${batch.map((h) => `<d:href>${xmlEscape(h)}</d:href>`).join('')}</c:calendar-multiget>`;
      const answer = await report(this.ctx, this.base, body, 'calendar-multiget');
      const found = new Map<string, { status: number; data: string | undefined }>();
      for (const m of this.checked(answer, 'calendar-multiget')) {
        for (const href of m.hrefs) found.set(pathKey(this.urlOf(href)), { status: m.status, data: dataOf(m.props) });
      }
      for (const href of batch) {
        const got = found.get(pathKey(this.urlOf(href)));
        if (got && (got.status === 404 || got.status === 410)) out.set(href, undefined);
        else if (got && got.status >= 200 && got.status < 300 && got.data !== undefined) out.set(href, got.data);
        else
          out.set(href, (await readObject(this.urlOf(href).toString(), this.ctx.credentials, this.ctx.transport, this.ctx.signal))?.data);
      }
    }
    return out;
  }

  private checked(answer: DavAnswer, what: string): DavAnswer['members'] {
    checkResponse(answer.res, what);
    if (!answer.multistatus)
      throw new ProviderError('rejected', `CalDAV ${what} answered ${answer.res.status} without a multistatus`, {
        status: answer.res.status,
      });
    return answer.members;
  }
}

function dataOf(props: Record<string, unknown>): string | undefined {
  const value = props.calendarData;
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && '_cdata' in value && typeof value._cdata === 'string') return value._cdata;
  return undefined;
}

function removedItem(itemId: string): CalendarItemChange {
  return { itemId, removed: true, ours: false, busy: [] };
}

/**
 * What one present calendar object says now: ours (tagged with BOOKING_PROPERTY), its busy time
 * in the window (the busy-time rules of CalendarProvider.readChanges), and a non-recurring event's own start and end. An object
 * whose event is cancelled counts as removed. One that cannot be parsed makes no busy time; one
 * beyond the read's limits (`budget`) fails the read with a CalDavLimitError.
 */
export async function itemOfObject(
  ICAL: ICALModule,
  itemId: string,
  data: string,
  window: BusyWindow,
  budget: ReadBudget = new ReadBudget(),
): Promise<CalendarItemChange> {
  let calendar;
  try {
    calendar = parseObject(ICAL, data);
  } catch {
    return { itemId, removed: false, ours: OURS.test(data), busy: [] };
  } finally {
    // Parsing counts against the read's time too.
    await budget.tick();
  }
  const vevents = calendar.getAllSubcomponents('vevent');
  if (vevents.length === 0) return { itemId, removed: false, ours: false, busy: [] };
  const cancelled = (v: ICAL.Component) => String(v.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED';
  const master = vevents.find((v) => !v.hasProperty('recurrence-id'));
  if (master ? cancelled(master) : vevents.every(cancelled)) return removedItem(itemId);
  const ours = vevents.some((v) => v.hasProperty(BOOKING_PROPERTY.toLowerCase()));
  const item: CalendarItemChange = { itemId, removed: false, ours, busy: [] };
  try {
    item.busy = await busyOfObject(ICAL, calendar, window, budget);
    if (master && vevents.length === 1) {
      const event = new ICAL.Event(master);
      if (!event.isRecurring()) {
        item.start = event.startDate.toJSDate().toISOString();
        item.end = event.endDate.toJSDate().toISOString();
      }
    }
  } catch (err) {
    if (err instanceof CalDavLimitError) throw err;
    // A malformed event (bad date, broken rule): present, but no busy time can be told.
  }
  return item;
}

/** The items of objects read, one after another, all under the read's budget. */
async function itemsOf(
  objects: Array<{ itemId: string; data: string | undefined }>,
  window: BusyWindow,
  budget: ReadBudget,
): Promise<CalendarItemChange[]> {
  const ICAL = (await import('ical.js')).default;
  const items: CalendarItemChange[] = [];
  for (const o of objects)
    items.push(o.data === undefined ? removedItem(o.itemId) : await itemOfObject(ICAL, o.itemId, o.data, window, budget));
  return items;
}

async function fullRead(collection: Collection, window: BusyWindow, cursorExpired: boolean, budget: ReadBudget): Promise<CalendarChanges> {
  // The token first: whatever changes between it and the query is reported again by the next read.
  const sync = await collection.sync('');
  const objects = await collection.query(window, budget);
  return {
    mode: 'full',
    cursorExpired,
    items: await itemsOf(objects, window, budget),
    cursor: sync.kind === 'ok' ? sync.token : undefined,
  };
}

/**
 * Changes in a CalDAV collection: sync-collection (RFC 6578) from the cursor, the changed
 * members' data by calendar-multiget. Without a cursor, or when the server refuses it (403/409,
 * or it stopped supporting the report), a full read: the current sync token, then the window's
 * objects by calendar-query. A server without sync-collection gets full reads every time (no cursor).
 */
export async function readCalDavChanges(
  ctx: DavContext,
  window: BusyWindow,
  cursor?: string,
  limits?: ReadLimits,
): Promise<CalendarChanges> {
  const collection = new Collection(ctx);
  const budget = new ReadBudget(limits);
  if (cursor === undefined || cursor === '') return fullRead(collection, window, false, budget);
  const sync = await collection.sync(cursor);
  if (sync.kind === 'refused') return fullRead(collection, window, true, budget);
  const members = [...sync.members];
  const changed = members.filter(([, m]) => !m.removed).map(([, m]) => m.href);
  budget.addObjects(changed.length);
  const data = await collection.multiget(changed);
  const objects = members.map(([itemId, m]) => ({ itemId, data: m.removed ? undefined : data.get(m.href) }));
  return { mode: 'incremental', cursorExpired: false, items: await itemsOf(objects, window, budget), cursor: sync.token };
}
