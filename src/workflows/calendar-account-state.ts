/**
 * The connection workflow's state, as plain deterministic code (no Temporal imports), so it can
 * be unit-tested on its own. Signal handlers tell it what happened; the workflow's three loops
 * (bulk syncs, busy-time reads, push channels) ask it what is due and tell it what they did.
 */
import type { DisconnectRequest } from './messages';

/** Everything carried across continue-as-new. */
export interface CarriedCalendarAccountState {
  /** Bulk syncs started so far (names the next child). */
  bulkSyncRuns?: number;
  /** `connection.needs_reauth` was sent and no reconnect has happened since. */
  reauthNotified?: boolean;
}

/** A refused push channel is tried again after this, doubling per failure… */
export const PUSH_RETRY_BASE_MS = 60_000;
/** …up to this. */
export const PUSH_RETRY_MAX_MS = 6 * 3_600_000;
/** A channel is replaced when this share of its life has passed (Google channels cannot be renewed). */
const PUSH_RENEW_AT = 0.8;
const MIN_PUSH_RENEW_MS = 1_000;

export class CalendarAccountState {
  private bulkSyncRuns: number;
  private bulkSyncRequested = false;
  /** A (re)connect asked for the next bulk sync, which then announces it; a healed account's does not. */
  private connectRequested = false;
  private bulkSyncRunning = false;
  private reauthNotified: boolean;
  /** A run reads busy times as soon as it starts. */
  private busyReadRequested = true;
  private busyReadRunning = false;
  private pushRenewalRequested = false;
  private pushOpenFailures = 0;
  private disconnectRequest: DisconnectRequest | undefined;

  constructor(
    carried: CarriedCalendarAccountState,
    /** History length past which a run continues as new. */
    private readonly maxHistoryEvents: number,
  ) {
    this.bulkSyncRuns = carried.bulkSyncRuns ?? 0;
    this.reauthNotified = carried.reauthNotified ?? false;
  }

  /**
   * The calendar was connected or reconnected: bring its bookings in. A reconnect may follow a
   * re-authentication or a change of calendar, so busy times are read again and the (possibly
   * new) calendar watched at once.
   */
  connected(): void {
    this.bulkSyncRequested = true;
    this.connectRequested = true;
    this.busyReadRequested = true;
    this.pushRenewalRequested = true;
  }

  /**
   * The account left `error` by itself (its key is back, its calendar answers again): the
   * bookings whose writes failed meanwhile are written now, and a refused push channel is tried again.
   */
  healed(): void {
    this.bulkSyncRequested = true;
    this.pushRenewalRequested = true;
  }

  disconnectRequested(request: DisconnectRequest): void {
    this.disconnectRequest = request;
  }

  busyReadAsked(): void {
    this.busyReadRequested = true;
  }

  /** A new push channel is wanted; notifications may have been lost meanwhile, so busy times are read too. */
  pushRenewalAsked(): void {
    this.pushRenewalRequested = true;
    this.busyReadRequested = true;
  }

  /** Every loop ends once this is set. */
  get disconnecting(): boolean {
    return this.disconnectRequest !== undefined;
  }

  get removeEventsOnDisconnect(): boolean {
    return this.disconnectRequest?.removeEvents === true;
  }

  get bulkSyncDue(): boolean {
    return this.bulkSyncRequested;
  }

  /**
   * A bulk sync starts: it handles every (re)connect and heal so far, and a new episode begins
   * for the re-authentication notice. Returns its run number (1 for the first connect), and
   * whether a (re)connect asked for it (`announce`: the booking system hears of it).
   */
  bulkSyncStarted(): { run: number; reconnect: boolean; announce: boolean } {
    const announce = this.connectRequested;
    this.bulkSyncRequested = false;
    this.connectRequested = false;
    this.bulkSyncRunning = true;
    this.bulkSyncRuns += 1;
    this.reauthNotified = false;
    return { run: this.bulkSyncRuns, reconnect: this.bulkSyncRuns > 1, announce };
  }

  bulkSyncEnded(): void {
    this.bulkSyncRunning = false;
  }

  get busyReadDue(): boolean {
    return this.busyReadRequested;
  }

  /** A read starts: it answers every request so far. */
  busyReadStarted(): void {
    this.busyReadRequested = false;
    this.busyReadRunning = true;
  }

  /** The read and what it reports (conflicts, edits, a re-authentication notice) are done. */
  busyReadEnded(): void {
    this.busyReadRunning = false;
  }

  /**
   * The calendar refused a read for want of re-authentication. Returns true when the user is to
   * be told: once per episode, which the next connect ends.
   */
  reauthRequired(): boolean {
    if (this.reauthNotified) return false;
    this.reauthNotified = true;
    return true;
  }

  get pushRenewalDue(): boolean {
    return this.pushRenewalRequested;
  }

  /** A channel is being opened: it answers every renewal request so far. */
  pushChannelOpening(): void {
    this.pushRenewalRequested = false;
  }

  /** Opening was refused. Returns how long to wait before the next attempt (a reconnect cuts it short). */
  pushChannelRefused(): number {
    this.pushOpenFailures += 1;
    return Math.min(PUSH_RETRY_MAX_MS, PUSH_RETRY_BASE_MS * 2 ** Math.min(this.pushOpenFailures, 10));
  }

  /** A channel was opened. Returns how long until it is replaced. */
  pushChannelOpened(expiresAtMs: number, nowMs: number): number {
    this.pushOpenFailures = 0;
    return Math.max(MIN_PUSH_RENEW_MS, Math.floor((expiresAtMs - nowMs) * PUSH_RENEW_AT));
  }

  /**
   * Never with a disconnect, a bulk sync or a busy read still to handle: the next run would not
   * know of it. Nor while a read is running: its report would be cut off mid-way (a notice
   * recorded whose delivery never starts, since a closed run starts no more children).
   */
  canContinueAsNew(historyLength: number): boolean {
    return (
      !this.disconnecting &&
      !this.bulkSyncRequested &&
      !this.bulkSyncRunning &&
      !this.busyReadRequested &&
      !this.busyReadRunning &&
      historyLength > this.maxHistoryEvents
    );
  }

  carry(): Required<CarriedCalendarAccountState> {
    return { bulkSyncRuns: this.bulkSyncRuns, reauthNotified: this.reauthNotified };
  }
}
