import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TemporalCliError,
  cachedTemporalCliPath,
  downloadThroughSdk,
  ensureTemporalCli,
  findSdkDownload,
  goInstall,
  isChecksumDatabaseFailure,
  sdkDownloadName,
  type TemporalCliSources,
} from '../../tools/dev/temporal-cli';
import { eventually } from '../support/eventually';

const hasGo = spawnSync('go', ['version']).status === 0;
/** Keeps a test off the SDK's cache and off the network. */
const noSdk = { sdkCached: () => Promise.resolve(undefined), sdkDownload: () => Promise.resolve(undefined) };

describe('ensureTemporalCli', () => {
  const cleanups: Array<() => void> = [];
  const tempDir = (name: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), `calsync-${name}-`));
    cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
    return d;
  };
  const withPath = (value: string) => {
    const saved = process.env.PATH;
    process.env.PATH = value;
    cleanups.push(() => {
      process.env.PATH = saved;
    });
  };
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  it('prefers a temporal binary on PATH and says which one', async () => {
    const bin = tempDir('path');
    const fake = path.join(bin, 'temporal');
    fs.writeFileSync(fake, '#!/bin/sh\necho "temporal version 9.9.9 (fake)"\n', { mode: 0o755 });
    withPath(`${bin}${path.delimiter}${process.env.PATH ?? ''}`);
    const lines: string[] = [];
    const found = await ensureTemporalCli({ cacheRoot: tempDir('cache'), log: (l) => lines.push(l) });
    expect(found).toBe(fake);
    expect(lines.join('\n')).toContain(`Using temporal from PATH: ${fake} (temporal version 9.9.9 (fake))`);
  });

  it('waits for another process that holds the build lock instead of building too', async () => {
    const cacheRoot = tempDir('cache');
    const lock = path.join(cacheRoot, 'temporal-v1.5.1.lock');
    // A live holder (this very process) with a fresh heartbeat.
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() }));
    const lines: string[] = [];
    const pending = ensureTemporalCli({ cacheRoot, usePath: false, log: (l) => lines.push(l), sources: noSdk });
    // It has seen the live lock and is waiting on it (not building).
    await eventually(() => (lines.some((l) => l.startsWith('Waiting for pid')) ? true : undefined), 'the wait to be announced', 10_000);
    expect(lines.some((l) => l.startsWith('Building'))).toBe(false);
    // The "other process" finishes: binary renamed into place, lock removed.
    const binary = cachedTemporalCliPath(cacheRoot);
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    fs.writeFileSync(binary, '#!/bin/sh\necho fake\n', { mode: 0o755 });
    fs.unlinkSync(lock);
    await expect(pending).resolves.toBe(binary);
    expect(lines.some((l) => l.startsWith('Building'))).toBe(false);
  });

  it('tells the user to install Go or put temporal on PATH when neither is there', async () => {
    withPath(tempDir('empty-path'));
    const err = await ensureTemporalCli({ cacheRoot: tempDir('cache'), log: () => undefined, sources: noSdk }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalCliError);
    expect(err).toMatchObject({ code: 'GO_NOT_FOUND' });
    expect((err as Error).message).toMatch(/Install Go >= 1\.25.*`temporal` binary on PATH/);
  });
});

describe('ensureTemporalCli: the order of choice', () => {
  /** Every source answers `found[name]` (undefined = not there) and records that it was asked. */
  const sources = (found: Partial<Record<keyof TemporalCliSources, string>>) => {
    const asked: string[] = [];
    const answer = (name: keyof TemporalCliSources) => () => {
      asked.push(name);
      return Promise.resolve(found[name]);
    };
    const probes: TemporalCliSources = {
      onPath: answer('onPath'),
      built: answer('built'),
      sdkCached: answer('sdkCached'),
      sdkDownload: answer('sdkDownload'),
      goInstall: () => {
        asked.push('goInstall');
        return Promise.resolve(found.goInstall ?? '/go/temporal');
      },
    };
    return { asked, probes };
  };
  const choose = (found: Partial<Record<keyof TemporalCliSources, string>>, usePath = true) => {
    const { asked, probes } = sources(found);
    return ensureTemporalCli({ sources: probes, usePath, log: () => undefined }).then((binary) => ({ binary, asked }));
  };

  it('takes temporal on PATH before anything else', async () => {
    expect(await choose({ onPath: '/usr/bin/temporal', built: '/b', sdkCached: '/c', sdkDownload: '/d' })).toEqual({
      binary: '/usr/bin/temporal',
      asked: ['onPath'],
    });
  });

  it('then a CLI built earlier, then the SDK download of an earlier run', async () => {
    expect(await choose({ built: '/b', sdkCached: '/c' })).toEqual({ binary: '/b', asked: ['onPath', 'built'] });
    expect(await choose({ sdkCached: '/c', sdkDownload: '/d' })).toEqual({ binary: '/c', asked: ['onPath', 'built', 'sdkCached'] });
  });

  it('then asks the SDK to download it, and builds with go install only when that fails', async () => {
    expect(await choose({ sdkDownload: '/d' })).toEqual({ binary: '/d', asked: ['onPath', 'built', 'sdkCached', 'sdkDownload'] });
    expect(await choose({})).toEqual({ binary: '/go/temporal', asked: ['onPath', 'built', 'sdkCached', 'sdkDownload', 'goInstall'] });
  });

  it('skips PATH when told to', async () => {
    expect(await choose({ onPath: '/usr/bin/temporal', built: '/b' }, false)).toEqual({ binary: '/b', asked: ['built'] });
  });
});

describe('the Temporal SDK download', () => {
  it('finds the dev server the SDK downloaded earlier, by the name the installed SDK gives it', async () => {
    const name = sdkDownloadName();
    expect(name).toMatch(/^temporal-sdk-typescript-\d+\.\d+\.\d+$/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-sdkcache-'));
    try {
      const empty = path.join(dir, 'no-such-dir');
      expect(await findSdkDownload([dir])).toBeUndefined();
      const fake = path.join(dir, name!);
      fs.writeFileSync(fake, '#!/bin/sh\necho "temporal version 1.4.1"\n', { mode: 0o755 });
      expect(await findSdkDownload([empty, dir])).toBe(fake);
      // A file that does not run is not a CLI.
      fs.writeFileSync(fake, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
      expect(await findSdkDownload([dir])).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives up at once where temporal.download cannot be reached', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-sdkdl-'));
    // A network that swallows packets: connections are accepted and never answered.
    const sockets: net.Socket[] = [];
    const blackHole = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const port = (blackHole.address() as net.AddressInfo).port;
    try {
      const lines: string[] = [];
      const started = Date.now();
      const found = await downloadThroughSdk({
        downloadDir: dir,
        log: (l) => lines.push(l),
        probeUrl: `http://127.0.0.1:${port}/`,
        probeTimeoutMs: 500,
      });
      expect(found).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(lines.join('\n')).toMatch(new RegExp(`cannot download the CLI here \\(127\\.0\\.0\\.1:${port}: .*(timeout|aborted)`, 'i'));
      // The SDK was never started: nothing was written.
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      for (const s of sockets) s.destroy();
      blackHole.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('go install checksum-database fallback', () => {
  it('recognises the errors go prints when sum.golang.org is unreachable', () => {
    expect(
      isChecksumDatabaseFailure(
        'go: github.com/temporalio/cli/cmd/temporal@v1.5.1: verifying module: github.com/temporalio/cli@v1.5.1: ' +
          'Get "https://sum.golang.org/lookup/github.com/temporalio/cli@v1.5.1": dial tcp: lookup sum.golang.org: no such host',
      ),
    ).toBe(true);
    expect(isChecksumDatabaseFailure('go: module github.com/x/y: reading https://proxy.golang.org/...: 404 Not Found')).toBe(false);
  });

  it.skipIf(!hasGo)(
    'retries with GOSUMDB=off when the checksum database cannot be reached',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-goinstall-'));
      try {
        const gobin = path.join(dir, 'bin');
        fs.mkdirSync(gobin);
        const lines: string[] = [];
        // A fresh module cache forces a download (and so a checksum lookup); the sumdb URL is dead.
        const result = await goInstall({
          target: 'github.com/BurntSushi/toml/cmd/tomlv@v1.4.0',
          gobin,
          logFile: path.join(dir, 'build.log'),
          log: (l) => lines.push(l),
          env: {
            GOMODCACHE: path.join(dir, 'modcache'),
            GOSUMDB: 'sum.golang.org https://127.0.0.1:1',
            GOFLAGS: `${process.env.GOFLAGS ?? ''} -modcacherw`.trim(),
          },
        });
        expect(result.gosumdbOff).toBe(true);
        expect(lines.join('\n')).toMatch(/retrying with GOSUMDB=off/);
        expect(fs.existsSync(path.join(gobin, 'tomlv'))).toBe(true);
        expect(fs.readFileSync(path.join(dir, 'build.log'), 'utf8')).toMatch(/verifying module/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    5 * 60_000,
  );
});
