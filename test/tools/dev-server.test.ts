import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { DevServerError, startDevServer, type DevServer } from '../../tools/dev/dev-server';
import { isPortInUse } from '../../tools/dev/ports';
import { ensureTemporalCli } from '../../tools/dev/temporal-cli';

const log = (line: string) => process.stderr.write(`[dev-server test] ${line}\n`);

async function customSearchAttributes(server: DevServer): Promise<Record<string, number>> {
  const conn = await Connection.connect({ address: server.address });
  try {
    await conn.workflowService.describeNamespace({ namespace: server.namespace });
    const res = await conn.operatorService.listSearchAttributes({ namespace: server.namespace });
    return Object.fromEntries(Object.entries(res.customAttributes ?? {}).map(([k, v]) => [k, Number(v)]));
  } finally {
    await conn.close();
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// IndexedValueType numbers from the Temporal API.
const KEYWORD = 2;
const KEYWORD_LIST = 7;
const DATETIME = 6;

describe('startDevServer', () => {
  let binary: string;

  beforeAll(async () => {
    // Builds the CLI with `go install` on the very first run (minutes), cached afterwards.
    binary = await ensureTemporalCli({ log });
  }, 10 * 60_000);

  it('starts in memory on a free port with search attributes registered, and stops', async () => {
    const server = await startDevServer({
      binary,
      headless: true,
      searchAttributes: { CalTestBookingId: 'Keyword', CalTestCalendarIds: 'KeywordList' },
      log,
    });
    const port = Number(server.address.split(':')[1]);
    try {
      expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(server.uiUrl).toBeUndefined();
      const attrs = await customSearchAttributes(server);
      expect(attrs).toMatchObject({ CalTestBookingId: KEYWORD, CalTestCalendarIds: KEYWORD_LIST });

      // A second server on the same port must fail clearly instead of "finding" the first one.
      const err = await startDevServer({ binary, port, headless: true, searchAttributes: {}, log }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DevServerError);
      expect(err).toMatchObject({ code: 'PORT_IN_USE' });
      expect((err as Error).message).toMatch(/another Temporal server/);
    } finally {
      await server.stop();
    }
    expect(isRunning(server.pid)).toBe(false);
    expect(await isPortInUse(port)).toBe(false);
    await server.stop(); // idempotent
  }, 120_000);

  it('keeps the namespace and search attributes in a persistent db file, and adds new ones on restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-temporal-'));
    const dbFile = path.join(dir, 'temporal.db');
    try {
      const first = await startDevServer({
        binary,
        dbFile,
        namespace: 'calsync-dev',
        searchAttributes: { CalTestBookingId: 'Keyword' },
        log,
      });
      try {
        expect(first.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(await customSearchAttributes(first)).toMatchObject({ CalTestBookingId: KEYWORD });
      } finally {
        await first.stop();
      }
      expect(fs.existsSync(dbFile)).toBe(true);
      expect(fs.existsSync(first.logFile)).toBe(true);

      // The CLI only registers --search-attribute when it creates the namespace; a newly added
      // attribute must still be there after a restart on the old file.
      const second = await startDevServer({
        binary,
        dbFile,
        namespace: 'calsync-dev',
        headless: true,
        searchAttributes: { CalTestBookingId: 'Keyword', CalTestSyncedAt: 'Datetime' },
        log,
      });
      try {
        expect(await customSearchAttributes(second)).toMatchObject({
          CalTestBookingId: KEYWORD,
          CalTestSyncedAt: DATETIME,
        });
      } finally {
        await second.stop();
      }

      // Same name, different type: a clear error rather than a silently wrong index.
      const err = await startDevServer({
        binary,
        dbFile,
        namespace: 'calsync-dev',
        headless: true,
        searchAttributes: { CalTestBookingId: 'Int' },
        log,
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'SEARCH_ATTRIBUTE_CONFLICT' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('reports the exit and the server output when the CLI fails to start', async () => {
    // A directory where the SQLite file should be: the CLI exits right away.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-temporal-bad-'));
    try {
      const err = await startDevServer({ binary, headless: true, dbFile: dir, searchAttributes: {}, log }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DevServerError);
      expect(err).toMatchObject({ code: 'EXITED', logFile: `${dir}.log` });
      expect((err as DevServerError).message).toMatch(/exited during startup[\s\S]*last lines of/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(`${dir}.log`, { force: true });
    }
  }, 60_000);
});
