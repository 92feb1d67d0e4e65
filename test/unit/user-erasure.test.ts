import { afterEach, describe, expect, it, vi } from 'vitest';
import { SettingsAccess } from '../../src/application/settings-access';
import { UserErasures } from '../../src/application/user-erasure';
import { Signer } from '../../src/crypto/signer';
import { UserSubjects } from '../../src/crypto/user-subject';
import type { CalendarAccount } from '../../src/db/calendar-accounts';
import type { ErasureProgress } from '../../src/temporal/workflow-gateway';

const key = (id: string, fill: number) => ({ id, key: Buffer.alloc(32, fill) });

describe('UserSubjects', () => {
  it('hashes an id under a server key: stable, keyed, and found again after a rotation', () => {
    const before = new UserSubjects([key('k1', 1)]);
    const subject = before.current('user-1');
    expect(subject.keyId).toBe('k1');
    expect(subject.hash).not.toContain('user-1');
    expect(before.current('user-1')).toEqual(subject);
    expect(before.current('user-2').hash).not.toBe(subject.hash);
    expect(new UserSubjects([key('other', 2)]).current('user-1').hash).not.toBe(subject.hash);
    // Rotated: the new key signs, the old one still finds the record.
    const after = new UserSubjects([key('k2', 2), key('k1', 1)]);
    expect(after.current('user-1').keyId).toBe('k2');
    expect(after.all('user-1')).toContain(subject.hash);
  });
});

describe('UserErasures', () => {
  const subjects = new UserSubjects([key('k1', 1)]);
  const accounts = (n: number) => ({ listForUsers: () => Promise.resolve(Array.from({ length: n }, () => ({}) as CalendarAccount)) });

  it('answers erasing, with the accounts being disconnected, while the workflow runs', async () => {
    const eraseUser = vi.fn((): Promise<ErasureProgress> => Promise.resolve({ kind: 'running' }));
    const erasures = new UserErasures({ subjects, accounts: accounts(2), workflows: { eraseUser }, waitMs: 10 });
    expect(await erasures.erase('user-1', true)).toEqual({ userId: 'user-1', status: 'erasing', removeEvents: true, connections: 2 });
    expect(eraseUser).toHaveBeenCalledWith({ userId: 'user-1', subject: subjects.current('user-1'), removeEvents: true }, 10);
  });

  it('answers erased with the counts once the workflow finished', async () => {
    const eraseUser = (): Promise<ErasureProgress> =>
      Promise.resolve({ kind: 'finished', result: { connections: 1, counts: { syncLog: 3 } } });
    const erasures = new UserErasures({ subjects, accounts: accounts(0), workflows: { eraseUser } });
    expect(await erasures.erase('user-1', false)).toEqual({
      userId: 'user-1',
      status: 'erased',
      removeEvents: false,
      connections: 1,
      erased: { syncLog: 3 },
    });
  });
});

describe('SettingsAccess after an erasure', () => {
  afterEach(() => vi.useRealTimers());

  it('refuses links, sessions and window passes issued before the erasure, and accepts those issued after', async () => {
    vi.useFakeTimers({ now: Date.parse('2030-01-01T10:00:00Z') });
    const erasure: { at?: Date } = {};
    const access = new SettingsAccess({
      links: { generation: () => Promise.resolve(0), revoke: () => Promise.resolve(1) },
      linkSigner: new Signer([key('k1', 1)], 'settings-link'),
      sessionSigner: new Signer([key('k1', 1)], 'settings-session'),
      windowSigner: new Signer([key('k1', 1)], 'settings-window'),
      erasedSince: () => Promise.resolve(erasure.at),
    });
    const before = await access.mintLink('user-1');
    const session = await access.exchange(before.token);
    expect(session?.userId).toBe('user-1');
    const pass = access.windowPass(session!);

    vi.advanceTimersByTime(60_000);
    erasure.at = new Date();
    vi.advanceTimersByTime(60_000);
    expect(await access.exchange(before.token)).toBeUndefined();
    expect(await access.resume(session!.cookie)).toBeUndefined();
    expect(await access.openWindow(pass)).toBeUndefined();

    const after = await access.mintLink('user-1');
    const fresh = await access.exchange(after.token);
    expect(fresh?.userId).toBe('user-1');
    expect(await access.resume(fresh!.cookie)).toBeDefined();
  });
});
