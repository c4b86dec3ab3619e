/**
 * Small statistics helpers for the benchmark: medians of repeated runs and latency percentiles.
 * Pure functions; inputs are never mutated.
 */

/** Median of a list (mean of the two middle values for an even length); NaN for an empty list. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return Number.NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The p-th percentile (0 < p ≤ 100) of an ascending-sorted array, nearest-rank method: the
 * smallest value such that at least p% of the samples are ≤ it. NaN for an empty array.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n, Math.max(1, rank)) - 1]!;
}

/**
 * Collects latency samples (milliseconds) into a preallocated buffer of bounded size. When more
 * samples arrive than fit, it keeps a uniform subsample (reservoir sampling driven by an injected
 * random source), so memory stays bounded however long a run is while the percentiles stay fair.
 */
export class LatencyRecorder {
  private readonly buffer: Float64Array;
  private seen = 0;

  constructor(
    capacity = 200_000,
    private readonly random: () => number = Math.random,
  ) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
    this.buffer = new Float64Array(capacity);
  }

  /** Adds one sample. */
  record(ms: number): void {
    const cap = this.buffer.length;
    if (this.seen < cap) {
      this.buffer[this.seen] = ms;
    } else {
      // Algorithm R: the i-th sample replaces a kept one with probability cap / i.
      const j = Math.floor(this.random() * (this.seen + 1));
      if (j < cap) this.buffer[j] = ms;
    }
    this.seen++;
  }

  /** How many samples were recorded (not how many are kept). */
  count(): number {
    return this.seen;
  }

  /** p50/p99/max of the kept samples, in milliseconds (NaN when empty). */
  summary(): LatencySummary {
    const kept = this.buffer.slice(0, Math.min(this.seen, this.buffer.length)).sort();
    return {
      p50: percentileSorted(kept, 50),
      p99: percentileSorted(kept, 99),
      max: kept.length > 0 ? kept[kept.length - 1]! : Number.NaN,
    };
  }
}

/** Latency percentiles of one measured run, in milliseconds. */
export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

/** Ratio a / b, or NaN when either side is missing or b is zero. */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return Number.NaN;
  }
  return a / b;
}
