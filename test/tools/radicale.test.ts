import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDAVClient, type DAVCalendar } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortInUse } from '../../tools/dev/ports';
import {
  basicAuth,
  createCalendar,
  ensureRadicale,
  radicaleVersion,
  RadicaleError,
  startRadicale,
  type RadicaleServer,
} from '../../tools/support/radicale';
import { eventually } from '../support/eventually';

const log = (line: string) => process.stderr.write(`[radicale test] ${line}\n`);

const ALICE = { username: 'alice', password: 'alice:secret;1' }; // ':' in a password must work (plain htpasswd)
const BOB = { username: 'bob@example.com', password: 'b0b-pass' };

type DavClient = Awaited<ReturnType<typeof createDAVClient>>;

/** Alive and not a zombie (an orphan may wait a moment for init to reap it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

async function dav(
  url: string,
  method: string,
  user: { username: string; password: string },
  opts: { depth?: '0' | '1'; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(url, {
    method,
    redirect: 'manual',
    headers: {
      Authorization: basicAuth(user.username, user.password),
      ...(opts.depth ? { Depth: opts.depth } : {}),
      ...(opts.body ? { 'Content-Type': 'application/xml; charset=utf-8' } : {}),
      ...opts.headers,
    },
    ...(opts.body ? { body: opts.body } : {}),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function event(uid: string, summary: string): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//booking-calendar-sync//radicale test//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20250101T000000Z',
    'DTSTART:20250102T100000Z',
    'DTEND:20250102T110000Z',
    `SUMMARY:${summary}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

function hrefs(multistatus: string): string[] {
  return [...multistatus.matchAll(/<(?:\w+:)?href>([^<]*)<\/(?:\w+:)?href>/g)].map((m) => decodeURIComponent(m[1] ?? ''));
}

function syncToken(multistatus: string): string {
  const token = /<(?:\w+:)?sync-token>([^<]*)<\/(?:\w+:)?sync-token>/.exec(multistatus)?.[1];
  if (!token) throw new Error(`no sync-token in: ${multistatus}`);
  return token;
}

const syncReport = (token: string): string =>
  '<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">' +
  `<D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level>` +
  '<D:prop><D:getetag/></D:prop></D:sync-collection>';

const PROPFIND_RESOURCETYPE =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>';

function displayNameOf(c: DAVCalendar): string {
  return typeof c.displayName === 'string' ? c.displayName : JSON.stringify(c.displayName);
}

describe('Radicale test server', () => {
  let server: RadicaleServer;
  let aliceWork: string;
  let alicePersonal: string;
  let bobMain: string;

  beforeAll(async () => {
    // First run on a bare machine installs the Debian package with apt-get (10–60 s).
    const started = Date.now();
    const binary = await ensureRadicale(log);
    log(`ensureRadicale → ${binary} (Radicale ${await radicaleVersion(binary)}) in ${Date.now() - started} ms`);
    server = await startRadicale({ users: [ALICE, BOB], log });
    aliceWork = await createCalendar(server.url, ALICE.username, ALICE.password, {
      slug: 'work',
      displayName: 'Work & <Meetings>',
      description: 'booked slots',
      color: '#ff0000ff',
    });
    alicePersonal = await createCalendar(server.url, ALICE.username, ALICE.password, {
      slug: 'personal',
      displayName: 'Personal',
    });
    bobMain = await createCalendar(server.url, BOB.username, BOB.password, { slug: 'main', displayName: 'Bob' });
  }, 10 * 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('serves on a free loopback port from a temp directory, and principals exist for every user', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(isRunning(server.pid)).toBe(true);
    expect(fs.existsSync(path.join(server.storageDir, 'collection-root', 'alice'))).toBe(true);
    expect(fs.existsSync(path.join(server.storageDir, 'collection-root', BOB.username))).toBe(true);
    expect(aliceWork).toBe(`${server.url}/alice/work/`);
    expect(bobMain).toBe(`${server.url}/bob%40example.com/main/`);
  });

  it('answers 401 for a wrong password or an unknown user, 207 for the right one', async () => {
    const wrong = await dav(`${server.url}/alice/`, 'PROPFIND', { username: 'alice', password: 'nope' }, { depth: '0' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    const unknown = await dav(`${server.url}/alice/`, 'PROPFIND', { username: 'mallory', password: 'x' }, { depth: '0' });
    expect(unknown.status).toBe(401);
    // Bob's password is not Alice's.
    const crossed = await dav(`${server.url}/alice/`, 'PROPFIND', { username: 'alice', password: BOB.password }, { depth: '0' });
    expect(crossed.status).toBe(401);
    const right = await dav(`${server.url}/alice/`, 'PROPFIND', ALICE, { depth: '0', body: PROPFIND_RESOURCETYPE });
    expect(right.status).toBe(207);
  });

  it("does not let one user read or write the other's collections", async () => {
    for (const url of [`${server.url}/alice/`, aliceWork]) {
      const res = await dav(url, 'PROPFIND', BOB, { depth: '1', body: PROPFIND_RESOURCETYPE });
      expect([403, 404], `${url}: ${res.status} ${res.text}`).toContain(res.status);
    }
    const put = await dav(`${aliceWork}intruder.ics`, 'PUT', BOB, {
      body: event('intruder', 'x'),
      headers: { 'Content-Type': 'text/calendar; charset=utf-8' },
    });
    expect([403, 404]).toContain(put.status);
    const mk = await dav(`${server.url}/alice/bobs/`, 'MKCALENDAR', BOB);
    expect([403, 404]).toContain(mk.status);
    // Listing the root shows only one's own principal.
    const root = await dav(`${server.url}/`, 'PROPFIND', BOB, { depth: '1', body: PROPFIND_RESOURCETYPE });
    expect(root.status).toBe(207);
    expect(hrefs(root.text)).toContain(`/${BOB.username}/`);
    expect(hrefs(root.text)).not.toContain('/alice/');
    // ...while Alice herself can read hers.
    const own = await dav(aliceWork, 'PROPFIND', ALICE, { depth: '1', body: PROPFIND_RESOURCETYPE });
    expect(own.status).toBe(207);
  });

  it('redirects /.well-known/caldav to / (301, before authentication)', async () => {
    const res = await fetch(`${server.url}/.well-known/caldav`, { redirect: 'manual' });
    await res.arrayBuffer();
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/');
  });

  describe('through tsdav', () => {
    let alice: DavClient;
    let calendar: DAVCalendar;

    beforeAll(async () => {
      alice = await createDAVClient({
        serverUrl: server.url,
        credentials: { username: ALICE.username, password: ALICE.password },
        authMethod: 'Basic',
        defaultAccountType: 'caldav',
      });
      const calendars = await alice.fetchCalendars();
      const work = calendars.find((c) => c.url === aliceWork);
      if (!work) throw new Error(`calendar ${aliceWork} not found in ${calendars.map((c) => c.url).join(', ')}`);
      calendar = work;
    });

    it('discovers the calendars made with MKCALENDAR (and only the user’s own)', async () => {
      const calendars = await alice.fetchCalendars();
      const byUrl = new Map(calendars.map((c) => [c.url, c]));
      expect([...byUrl.keys()].sort()).toEqual([alicePersonal, aliceWork].sort());
      expect(displayNameOf(calendar)).toBe('Work & <Meetings>');
      expect(calendar.description).toBe('booked slots');
      expect(calendar.components).toEqual(['VEVENT']);
      expect(displayNameOf(byUrl.get(alicePersonal) as DAVCalendar)).toBe('Personal');

      const bob = await createDAVClient({
        serverUrl: server.url,
        credentials: { username: BOB.username, password: BOB.password },
        authMethod: 'Basic',
        defaultAccountType: 'caldav',
      });
      expect((await bob.fetchCalendars()).map((c) => c.url)).toEqual([bobMain]);
    });

    it('creates with If-None-Match: *, refuses a second create (412) and a repeated UID (409)', async () => {
      const uid = `create-${Date.now()}`;
      const ics = event(uid, 'First');
      const created = await alice.createCalendarObject({ calendar, iCalString: ics, filename: `${uid}.ics` });
      expect(created.status).toBe(201);
      const etag = created.headers.get('etag');
      expect(etag).toMatch(/^"[^"]+"$/); // a strong ETag even though Radicale rewrites the data

      const again = await alice.createCalendarObject({ calendar, iCalString: event(uid, 'Second'), filename: `${uid}.ics` });
      expect(again.status).toBe(412);

      const sameUid = await alice.createCalendarObject({ calendar, iCalString: ics, filename: `${uid}-copy.ics` });
      expect(sameUid.status).toBe(409);
      expect(await sameUid.text()).toContain('no-uid-conflict');

      const objects = await alice.fetchCalendarObjects({ calendar, objectUrls: [`${aliceWork}${uid}.ics`] });
      expect(objects).toHaveLength(1);
      const stored = objects[0];
      expect(stored?.etag).toBe(etag); // the PUT ETag names the stored (re-serialised) version
      expect(String(stored?.data)).toContain('SUMMARY:First');
      expect(String(stored?.data)).toContain(`UID:${uid}`);
      log(`PUT body kept byte-for-byte: ${String(stored?.data) === ics}`);
    });

    it('updates and deletes only with the current ETag (stale → 412)', async () => {
      const uid = `update-${Date.now()}`;
      const url = `${aliceWork}${uid}.ics`;
      const created = await alice.createCalendarObject({ calendar, iCalString: event(uid, 'v1'), filename: `${uid}.ics` });
      expect(created.status).toBe(201);
      const etag1 = created.headers.get('etag') ?? '';

      const updated = await alice.updateCalendarObject({ calendarObject: { url, etag: etag1, data: event(uid, 'v2') } });
      expect([200, 201, 204]).toContain(updated.status);
      const etag2 = updated.headers.get('etag') ?? '';
      expect(etag2).not.toBe('');
      expect(etag2).not.toBe(etag1);

      const stale = await alice.updateCalendarObject({ calendarObject: { url, etag: etag1, data: event(uid, 'v3') } });
      expect(stale.status).toBe(412);
      const staleDelete = await alice.deleteCalendarObject({ calendarObject: { url, etag: etag1 } });
      expect(staleDelete.status).toBe(412);

      const current = await dav(url, 'GET', ALICE);
      expect(current.status).toBe(200);
      expect(current.text).toContain('SUMMARY:v2');
      expect(current.headers.get('etag')).toBe(etag2);

      const deleted = await alice.deleteCalendarObject({ calendarObject: { url, etag: etag2 } });
      expect([200, 204]).toContain(deleted.status);
      expect((await dav(url, 'GET', ALICE)).status).toBe(404);
      // If-Match on a resource that is gone is a failed precondition too.
      const gone = await alice.updateCalendarObject({ calendarObject: { url, etag: etag2, data: event(uid, 'v4') } });
      expect(gone.status).toBe(412);
    });

    it('supports sync-collection: initial token, changes since a token, deletions as 404, bad token → 403', async () => {
      const first = await dav(alicePersonal, 'REPORT', ALICE, { depth: '1', body: syncReport('') });
      expect(first.status).toBe(207);
      const token1 = syncToken(first.text);

      const uid = `sync-${Date.now()}`;
      const personal: DAVCalendar = { url: alicePersonal };
      const created = await alice.createCalendarObject({ calendar: personal, iCalString: event(uid, 's'), filename: `${uid}.ics` });
      expect(created.status).toBe(201);

      const second = await dav(alicePersonal, 'REPORT', ALICE, { depth: '1', body: syncReport(token1) });
      expect(second.status).toBe(207);
      expect(hrefs(second.text)).toEqual([`/alice/personal/${uid}.ics`]);
      expect(second.text).toContain(created.headers.get('etag') ?? 'missing etag');
      const token2 = syncToken(second.text);
      expect(token2).not.toBe(token1);

      const deleted = await alice.deleteCalendarObject({
        calendarObject: { url: `${alicePersonal}${uid}.ics`, etag: created.headers.get('etag') ?? '' },
      });
      expect([200, 204]).toContain(deleted.status);
      const third = await dav(alicePersonal, 'REPORT', ALICE, { depth: '1', body: syncReport(token2) });
      expect(third.status).toBe(207);
      expect(hrefs(third.text)).toEqual([`/alice/personal/${uid}.ics`]);
      expect(third.text).toMatch(/<(?:\w+:)?status>HTTP\/1\.1 404 Not Found<\/(?:\w+:)?status>/);

      const bad = await dav(alicePersonal, 'REPORT', ALICE, {
        depth: '1',
        body: syncReport('http://radicale.org/ns/sync/0000000000000000'),
      });
      expect([403, 409]).toContain(bad.status);
      expect(bad.text).toContain('valid-sync-token');
    });
  });
});

describe('startRadicale lifecycle', () => {
  it('stop() ends the process, frees the port and removes the temp directory', async () => {
    const s = await startRadicale({ users: [{ username: 'solo', password: 'pw' }], log });
    expect(isRunning(s.pid)).toBe(true);
    expect(fs.existsSync(s.dir)).toBe(true);
    await s.stop();
    expect(isRunning(s.pid)).toBe(false);
    expect(fs.existsSync(s.dir)).toBe(false);
    expect(await isPortInUse(s.port)).toBe(false);
    await s.stop(); // idempotent
  });

  it('refuses a port that is taken and invalid users, with clear codes', async () => {
    const s = await startRadicale({ users: [{ username: 'solo', password: 'pw' }], log });
    try {
      const err = await startRadicale({ users: [{ username: 'x', password: 'y' }], port: s.port, log }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RadicaleError);
      expect((err as RadicaleError).code).toBe('PORT_IN_USE');
    } finally {
      await s.stop();
    }
    for (const users of [[], [{ username: 'a/b', password: 'x' }], [{ username: 'a', password: 'two\nlines' }]]) {
      const err = await startRadicale({ users, log }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RadicaleError);
      expect((err as RadicaleError).code).toBe('INVALID_OPTIONS');
    }
  });

  it('reports a Radicale that exits at startup with the tail of its log', async () => {
    // A "binary" that fails like Radicale with a bad config does.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radicale-fake-'));
    const fake = path.join(dir, 'radicale');
    fs.writeFileSync(fake, '#!/bin/sh\necho "[CRITICAL] Invalid configuration: boom" >&2\nexit 1\n', { mode: 0o755 });
    try {
      const err = await startRadicale({ users: [{ username: 'u', password: 'p' }], binary: fake, log }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RadicaleError);
      expect((err as RadicaleError).code).toBe('EXITED');
      expect((err as RadicaleError).message).toContain('Invalid configuration: boom');
      const kept = path.dirname((err as RadicaleError).logFile ?? '');
      expect(fs.existsSync(kept)).toBe(true); // kept for inspection on failure
      fs.rmSync(kept, { recursive: true, force: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // The server must not outlive the process that started it: normal exit (exit hook) and SIGKILL
  // (parent-death signal), checked in a separate Node process.
  for (const how of ['exit', 'SIGKILL'] as const) {
    it(`the server dies with its parent process (${how})`, async () => {
      const script = path.join(os.tmpdir(), `radicale-parent-${process.pid}-${how}.ts`);
      const modulePath = path.resolve(__dirname, '../../tools/support/radicale.ts');
      fs.writeFileSync(
        script,
        `import { startRadicale } from ${JSON.stringify(modulePath)};\n` +
          `startRadicale({ users: [{ username: 'p', password: 'p' }], log: () => undefined }).then((s) => {\n` +
          `  process.stdout.write(JSON.stringify({ pid: s.pid, dir: s.dir }) + '\\n');\n` +
          // Stays up (stdin keeps it alive) until the test writes a line: then it exits normally.
          `  process.stdin.once('data', () => process.exit(0));\n` +
          `});\n`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: path.resolve(__dirname, '../..'),
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      let serverPid: number | undefined;
      try {
        const info = await new Promise<{ pid: number; dir: string }>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString('utf8');
            const line = out.split('\n')[0];
            if (out.includes('\n') && line) resolve(JSON.parse(line) as { pid: number; dir: string });
          });
          child.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
        });
        serverPid = info.pid;
        expect(isRunning(info.pid)).toBe(true);
        if (how === 'SIGKILL') child.kill('SIGKILL');
        else child.stdin.write('exit\n');
        await exited;
        await eventually(() => (isRunning(info.pid) ? undefined : true), 'the Radicale server to exit', 10_000);
        if (how === 'exit') expect(fs.existsSync(info.dir)).toBe(false);
        else fs.rmSync(info.dir, { recursive: true, force: true }); // nobody is left to clean up after SIGKILL
      } finally {
        // Whatever happened above, neither the parent nor its server outlives the test.
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        if (serverPid !== undefined && isRunning(serverPid)) process.kill(serverPid, 'SIGKILL');
        fs.rmSync(script, { force: true });
      }
    });
  }
});
