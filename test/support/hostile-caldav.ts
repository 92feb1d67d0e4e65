import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { icsObject, multistatus, poisonedZone } from './ics-objects';

/**
 * What a hostile CalDAV server's one calendar does, chosen by the first path segment of the
 * server URL (`http://127.0.0.1:<port>/<behaviour>/`):
 * - `secondly`: 100 objects, each a `FREQ=SECONDLY` series starting in the busy window;
 * - `huge`: every REPORT is answered with a 200 MB multistatus, streamed (never held in memory);
 * - `poisoned`: one ordinary event whose object carries a VTIMEZONE redefining Europe/London as +05:00.
 */
export type HostileBehaviour = 'secondly' | 'huge' | 'poisoned';

export interface HostileCalDavServer {
  /** The server URL to connect an account with for `behaviour` (any user name and password work). */
  urlFor(behaviour: HostileBehaviour): string;
  /** REPORTs answered per behaviour: how often the service read each calendar. */
  reports: Record<HostileBehaviour, number>;
  /** Bytes of the 200 MB body actually sent before the reader hung up, per huge answer. */
  hugeBytesSent: number[];
  /** From now on the calendar of `behaviour` holds one ordinary event (10:00–11:00 UTC on the day) instead. */
  tame(behaviour: HostileBehaviour): void;
  close(): Promise<void>;
}

const HUGE_BYTES = 200 * 1024 * 1024;
const XML = { 'content-type': 'application/xml; charset=utf-8' };
const BEHAVIOURS = new Set<string>(['secondly', 'huge', 'poisoned']);

/** The calendar objects of a behaviour, their events on `day` (YYYYMMDD). */
function objectsOf(behaviour: HostileBehaviour | 'tame', day: string): Array<{ name: string; data: string }> {
  if (behaviour === 'tame') return [{ name: 'plain.ics', data: icsObject('plain', [`DTSTART:${day}T100000Z`, `DTEND:${day}T110000Z`]) }];
  if (behaviour === 'poisoned') {
    const lines = [`DTSTART;TZID=Europe/London:${day}T100000`, `DTEND;TZID=Europe/London:${day}T110000`, 'SUMMARY:Poison'];
    return [{ name: 'poison.ics', data: icsObject('poison', lines, poisonedZone('Europe/London')) }];
  }
  return Array.from({ length: 100 }, (_, i) => ({
    name: `s${i}.ics`,
    data: icsObject(`secondly-${i}`, [`DTSTART:${day}T000000Z`, `DTEND:${day}T000001Z`, 'RRULE:FREQ=SECONDLY', 'SUMMARY:Every second']),
  }));
}

function propfind(req: http.IncomingMessage, res: http.ServerResponse, base: string, path: string): void {
  const home = `${base}home/`;
  const calendar = `${home}cal/`;
  const member = (href: string, isCalendar: boolean) =>
    `<d:response><d:href>${href}</d:href><d:propstat><d:prop>` +
    `<d:current-user-principal><d:href>${base}principal/</d:href></d:current-user-principal>` +
    `<c:calendar-home-set><d:href>${home}</d:href></c:calendar-home-set>` +
    `<d:resourcetype><d:collection/>${isCalendar ? '<c:calendar/>' : ''}</d:resourcetype>` +
    (isCalendar
      ? '<d:displayname>Hostile</d:displayname><c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set>'
      : '') +
    '</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>';
  const members =
    req.headers.depth === '1' && path === home ? [member(home, false), member(calendar, true)] : [member(path, path === calendar)];
  res
    .writeHead(207, XML)
    .end(
      `<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">${members.join('')}</d:multistatus>`,
    );
}

/** 200 MB of multistatus, written as the reader takes it; stops when the reader hangs up. */
function streamHuge(res: http.ServerResponse, sent: number[]): void {
  const index = sent.push(0) - 1;
  res.writeHead(207, XML);
  const filler = Buffer.from(
    `<d:response><d:href>/x/${'y'.repeat(900)}.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>`,
  );
  res.write('<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:">');
  const pump = () => {
    while (sent[index]! < HUGE_BYTES && !res.destroyed) {
      sent[index]! += filler.length;
      if (!res.write(filler)) return; // wait for 'drain'
    }
    if (!res.destroyed) res.end('</d:multistatus>');
  };
  res.on('drain', pump);
  pump();
}

export async function startHostileCalDavServer(day: string): Promise<HostileCalDavServer> {
  const reports: Record<HostileBehaviour, number> = { secondly: 0, huge: 0, poisoned: 0 };
  const hugeBytesSent: number[] = [];
  const tamed = new Set<HostileBehaviour>();
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const behaviour = path.split('/')[1] ?? '';
    if (!BEHAVIOURS.has(behaviour)) {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    const b = behaviour as HostileBehaviour;
    const base = `/${b}/`;
    if (req.method === 'PROPFIND') {
      req.resume();
      propfind(req, res, base, path);
      return;
    }
    if (req.method !== 'REPORT') {
      req.resume();
      res.writeHead(405).end();
      return;
    }
    reports[b]++;
    if (b === 'huge' && !tamed.has(b)) {
      req.resume();
      streamHuge(res, hugeBytesSent);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const objects = objectsOf(tamed.has(b) ? 'tame' : b, day);
      // sync-collection lists members; calendar-query and calendar-multiget carry their data.
      const members = body.includes('sync-collection') ? objects.map((o) => ({ name: o.name })) : objects;
      res.writeHead(207, XML).end(multistatus(`${base}home/cal/`, members, `http://hostile.test/sync/${b}/1`));
    });
  });
  // The reader hanging up mid-body is expected.
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlFor: (behaviour) => `http://127.0.0.1:${port}/${behaviour}/`,
    reports,
    hugeBytesSent,
    tame: (behaviour) => tamed.add(behaviour),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
