import type { Clock, TimerHandle } from '../clock';

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * Deterministic virtual time for tests and simulation: a priority queue of callbacks ordered by
 * (time, insertion order). Nothing runs until the owner advances time. Clocks made by `clock()`
 * schedule on it, so every node in a simulation shares one timeline (each with its own skew).
 *
 * Between events the async runners (`runFor`, `runUntilIdle`) let the microtask queue drain (one
 * `setImmediate` turn), so promise callbacks of the code under test run before the next event,
 * always in the same order.
 */
export class VirtualTime {
  private heap: Event[] = [];
  private seq = 0;
  private current = 0;

  constructor(start = 0) {
    this.current = start;
  }

  /** The current virtual time in ms. */
  get now(): number {
    return this.current;
  }

  /** Number of pending (not cancelled) events. */
  get pending(): number {
    return this.heap.filter((e) => !e.cancelled).length;
  }

  /** Runs `fn` at `now + delayMs` (a negative delay counts as 0). Returns a handle for `cancel`. */
  schedule(delayMs: number, fn: () => void): TimerHandle {
    const e: Event = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.push(e);
    return e;
  }

  /** Cancels a scheduled event; unknown or fired handles are ignored. */
  cancel(handle: TimerHandle): void {
    if (handle && typeof handle === 'object' && 'cancelled' in handle) (handle as Event).cancelled = true;
  }

  /**
   * A Clock on this timeline whose `now()` reads `skewMs` ahead (negative: behind). Timers fire
   * by the shared timeline, so skew only affects timestamps, as real clock skew does.
   */
  clock(skewMs = 0): Clock {
    return {
      now: () => this.current + skewMs,
      setTimer: (delayMs, fn) => this.schedule(delayMs, fn),
      clearTimer: (handle) => this.cancel(handle),
    };
  }

  /** Runs the next event synchronously, advancing time to it. Returns false when none is left. */
  step(): boolean {
    for (;;) {
      const e = this.pop();
      if (e === undefined) return false;
      if (e.cancelled) continue;
      this.current = Math.max(this.current, e.at);
      e.fn();
      return true;
    }
  }

  /** Time of the next pending event, if any. */
  nextAt(): number | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0]?.at;
  }

  /**
   * Runs events up to `now + durationMs` (inclusive), draining microtasks after each, then sets
   * time to that instant. Throws if more than `maxEvents` events run (a livelock guard).
   */
  async runFor(durationMs: number, maxEvents = 1_000_000): Promise<number> {
    const until = this.current + durationMs;
    let count = 0;
    await drainMicrotasks();
    for (;;) {
      const at = this.nextAt();
      if (at === undefined || at > until) break;
      this.step();
      await drainMicrotasks();
      if (++count > maxEvents) throw new Error(`VirtualTime.runFor: more than ${maxEvents} events`);
    }
    this.current = Math.max(this.current, until);
    return count;
  }

  private push(e: Event): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Event | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Resolves after every queued microtask (and the ones they queue) has run. */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
