/**
 * Time as the registry sees it. `now()` is monotonic (never jumps with NTP or the wall clock) and is
 * the only time used for leases and expiry; `wallNow()` is epoch milliseconds for values shown to
 * clients (`lastRefTime`, `lastBeat`, `lastModifiedMillis`).
 */
export interface Clock {
  /** Monotonic milliseconds since an arbitrary origin. */
  now(): number;
  /** Wall-clock epoch milliseconds. */
  wallNow(): number;
}

/**
 * The real clock: `performance.now()` in whole milliseconds, and `Date.now()`. Whole milliseconds
 * because every instance keeps two of these readings (last beat, expiry deadline): V8 stores small
 * integers inline but a fractional number as a separate 16-byte heap object, 32 bytes per instance
 * (until the process has run for 2^31 ms, ~24.8 days, after which readings no longer fit inline).
 * Leases are counted in seconds, so the lost fraction of a millisecond does not matter.
 */
export const SYSTEM_CLOCK: Clock = {
  now: () => Math.floor(performance.now()),
  wallNow: () => Date.now(),
};

/**
 * A clock that moves only when told to, for tests (no global patching). Both readings advance
 * together.
 */
export class FakeClock implements Clock {
  private mono: number;
  private wall: number;

  constructor(start = 0, wallStart = 1_700_000_000_000) {
    this.mono = start;
    this.wall = wallStart;
  }

  now(): number {
    return this.mono;
  }

  wallNow(): number {
    return this.wall;
  }

  /** Moves both readings forward by `ms` (must be ≥ 0). */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a clock cannot go back');
    this.mono += ms;
    this.wall += ms;
  }
}
