import { describe, expect, it } from 'vitest';
import { CalendarAccountState, PUSH_RETRY_BASE_MS, PUSH_RETRY_MAX_MS } from '../../src/workflows/calendar-account-state';

const MAX_HISTORY = 100;
/** A state whose start-up busy read has been taken, as a run has it once its loops are going. */
const idle = (carried = {}): CalendarAccountState => {
  const s = new CalendarAccountState(carried, MAX_HISTORY);
  s.busyReadStarted();
  s.busyReadEnded();
  return s;
};

describe('CalendarAccountState bulk syncs', () => {
  it('a connect asks for a bulk sync, a busy read and a new push channel', () => {
    const s = idle();
    expect(s.bulkSyncDue).toBe(false);
    s.connected();
    expect(s.bulkSyncDue).toBe(true);
    expect(s.busyReadDue).toBe(true);
    expect(s.pushRenewalDue).toBe(true);
  });

  it('numbers bulk syncs from 1 and calls every run after the first a reconnect, continuing from a carried count', () => {
    const s = idle();
    s.connected();
    expect(s.bulkSyncStarted()).toEqual({ run: 1, reconnect: false, announce: true });
    expect(s.bulkSyncDue).toBe(false);
    s.bulkSyncEnded();
    s.connected();
    expect(s.bulkSyncStarted()).toEqual({ run: 2, reconnect: true, announce: true });

    const later = idle({ bulkSyncRuns: 4 });
    later.connected();
    expect(later.bulkSyncStarted()).toEqual({ run: 5, reconnect: true, announce: true });
  });

  it('a reconnect during a bulk sync queues one more run, however many arrive', () => {
    const s = idle();
    s.connected();
    s.bulkSyncStarted();
    s.connected();
    s.connected();
    expect(s.bulkSyncDue).toBe(true);
    s.bulkSyncEnded();
    expect(s.bulkSyncStarted().run).toBe(2);
    expect(s.bulkSyncDue).toBe(false);
  });
});

describe('CalendarAccountState healing', () => {
  it('a healed account gets a bulk sync (the writes that failed) and a new push channel, unannounced', () => {
    const s = idle();
    s.pushChannelOpening();
    s.healed();
    expect(s.bulkSyncDue).toBe(true);
    expect(s.pushRenewalDue).toBe(true);
    expect(s.bulkSyncStarted()).toEqual({ run: 1, reconnect: false, announce: false });
    s.bulkSyncEnded();
    expect(s.bulkSyncDue).toBe(false);
  });

  it('a heal and a reconnect before the run starts make one run, announced as the reconnect', () => {
    const s = idle({ bulkSyncRuns: 1 });
    s.healed();
    s.connected();
    expect(s.bulkSyncStarted()).toEqual({ run: 2, reconnect: true, announce: true });
    s.bulkSyncEnded();
    s.healed();
    expect(s.bulkSyncStarted()).toEqual({ run: 3, reconnect: true, announce: false });
  });

  it('does not continue as new while a heal waits for its bulk sync', () => {
    const s = idle();
    s.healed();
    expect(s.canContinueAsNew(MAX_HISTORY + 1)).toBe(false);
    s.bulkSyncStarted();
    s.bulkSyncEnded();
    expect(s.canContinueAsNew(MAX_HISTORY + 1)).toBe(true);
  });
});

describe('CalendarAccountState busy reads and re-authentication', () => {
  it('reads at start; a refresh or a push renewal asks for another read', () => {
    const s = new CalendarAccountState({}, MAX_HISTORY);
    expect(s.busyReadDue).toBe(true);
    s.busyReadStarted();
    expect(s.busyReadDue).toBe(false);
    s.busyReadAsked();
    expect(s.busyReadDue).toBe(true);
    s.busyReadStarted();
    s.pushRenewalAsked();
    expect(s.busyReadDue).toBe(true);
    expect(s.pushRenewalDue).toBe(true);
  });

  it('tells the user once per episode that the calendar needs re-authentication; the next bulk sync starts a new episode', () => {
    const s = idle();
    expect(s.reauthRequired()).toBe(true);
    expect(s.reauthRequired()).toBe(false);
    expect(s.carry().reauthNotified).toBe(true);
    s.connected();
    s.bulkSyncStarted();
    expect(s.reauthRequired()).toBe(true);
  });

  it('a run continued from one that already told the user does not tell again', () => {
    const s = idle({ reauthNotified: true });
    expect(s.reauthRequired()).toBe(false);
  });
});

describe('CalendarAccountState push channels', () => {
  it('waits twice as long after each refusal, up to the cap, and starts over once a channel opens', () => {
    const s = idle();
    expect(s.pushChannelRefused()).toBe(PUSH_RETRY_BASE_MS * 2);
    expect(s.pushChannelRefused()).toBe(PUSH_RETRY_BASE_MS * 4);
    for (let i = 0; i < 20; i++) s.pushChannelRefused();
    expect(s.pushChannelRefused()).toBe(PUSH_RETRY_MAX_MS);
    s.pushChannelOpened(10_000, 0);
    expect(s.pushChannelRefused()).toBe(PUSH_RETRY_BASE_MS * 2);
  });

  it('replaces a channel when a fifth of its life is left, and never sooner than a second', () => {
    const s = idle();
    expect(s.pushChannelOpened(1_000_000 + 100_000, 1_000_000)).toBe(80_000);
    expect(s.pushChannelOpened(1_000_000 + 500, 1_000_000)).toBe(1_000);
    expect(s.pushChannelOpened(1_000_000 - 5_000, 1_000_000)).toBe(1_000);
  });

  it('opening a channel answers every renewal asked for so far', () => {
    const s = idle();
    s.pushRenewalAsked();
    s.connected();
    s.pushChannelOpening();
    expect(s.pushRenewalDue).toBe(false);
  });
});

describe('CalendarAccountState disconnect and continue-as-new', () => {
  it('a disconnect is seen by every loop, with or without removing events', () => {
    const s = idle();
    expect(s.disconnecting).toBe(false);
    s.disconnectRequested({ removeEvents: true });
    expect(s.disconnecting).toBe(true);
    expect(s.removeEventsOnDisconnect).toBe(true);
    const keep = idle();
    keep.disconnectRequested({ removeEvents: false });
    expect(keep.removeEventsOnDisconnect).toBe(false);
  });

  it('continues as new only past the history limit and with nothing left to handle', () => {
    expect(idle().canContinueAsNew(MAX_HISTORY)).toBe(false);
    expect(idle().canContinueAsNew(MAX_HISTORY + 1)).toBe(true);
    expect(new CalendarAccountState({}, MAX_HISTORY).canContinueAsNew(MAX_HISTORY + 1)).toBe(false); // the start-up read

    const requested = idle();
    requested.connected();
    requested.busyReadStarted();
    requested.busyReadEnded();
    expect(requested.canContinueAsNew(MAX_HISTORY + 1)).toBe(false);
    requested.bulkSyncStarted();
    expect(requested.canContinueAsNew(MAX_HISTORY + 1)).toBe(false); // running
    requested.bulkSyncEnded();
    expect(requested.canContinueAsNew(MAX_HISTORY + 1)).toBe(true);

    const readAsked = idle();
    readAsked.busyReadAsked();
    expect(readAsked.canContinueAsNew(MAX_HISTORY + 1)).toBe(false);
    // A read under way (or reporting what it found) holds the run until it is done.
    readAsked.busyReadStarted();
    expect(readAsked.canContinueAsNew(MAX_HISTORY + 1)).toBe(false);
    readAsked.busyReadEnded();
    expect(readAsked.canContinueAsNew(MAX_HISTORY + 1)).toBe(true);

    const leaving = idle();
    leaving.disconnectRequested({ removeEvents: false });
    expect(leaving.canContinueAsNew(MAX_HISTORY + 1)).toBe(false);
  });

  it('carries the run count and the re-authentication notice, and nothing else', () => {
    const s = idle({ bulkSyncRuns: 2 });
    s.connected();
    s.bulkSyncStarted();
    s.bulkSyncEnded();
    expect(s.carry()).toEqual({ bulkSyncRuns: 3, reauthNotified: false });
  });
});
