/** An opaque timer handle returned by {@link Clock.setTimer}. */
export type TimerHandle = unknown;

/**
 * Time for a distro node. Injected so the simulator can drive virtual time.
 *
 * Contract:
 * - `now()` is milliseconds on a clock that is roughly synchronized across members and moves
 *   forward across restarts (wall-clock time, `Date.now()`): versions are built from it, so a
 *   member whose clock jumps back far could lose writes to a key another member wrote last.
 * - `setTimer(delayMs, fn)` calls `fn` once, asynchronously, no earlier than `delayMs` later, unless
 *   cleared first. `clearTimer` of a fired or unknown handle does nothing.
 */
export interface Clock {
  now(): number;
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** The real clock: `Date.now()` and unref'd `setTimeout`, so distro timers never keep a process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref();
    return t;
  },
  clearTimer(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
