import type { ProbeStatus } from './probe-result';

/** RT parameters of one checker type (same shape as SwitchDomain's `tcpHealthParams`). */
export interface CheckRtParams {
  /** Lower clamp of the interval, ms. */
  min: number;
  /** Upper clamp of the interval, ms. */
  max: number;
  /** Weight of the previous value in the moving average, 0..1. */
  factor: number;
}

/** Nacos 1.4 defaults per checker type (switch `tcpHealthParams`, `httpHealthParams`). */
export const DEFAULT_CHECK_RT_PARAMS: Readonly<Record<'TCP' | 'HTTP', Readonly<CheckRtParams>>> = {
  TCP: { min: 1000, max: 5000, factor: 0.75 },
  HTTP: { min: 500, max: 5000, factor: 0.85 },
};

/**
 * The first interval of a new cluster task: 2000 + random(0 .. random(0 .. 5000)) ms, as Nacos'
 * HealthCheckTask, so that many clusters created together do not probe in lockstep. `random` returns
 * [0, 1) like Math.random.
 */
export function initialCheckRt(random: () => number): number {
  const upper = Math.floor(random() * 5000);
  return 2000 + Math.floor(random() * upper);
}

/** Clamps `rt` into [min, max]. */
export function clampCheckRt(rt: number, params: CheckRtParams): number {
  return Math.min(params.max, Math.max(params.min, rt));
}

/**
 * One step of the moving average: `factor * previous + (1 - factor) * sample`, truncated to whole ms
 * and clamped to [min, max] (HealthCheckCommon.reEvaluateCheckRT).
 */
export function nextCheckRt(previous: number, sample: number, params: CheckRtParams): number {
  return clampCheckRt(Math.floor(params.factor * previous + (1 - params.factor) * sample), params);
}

/**
 * The sample a probe outcome feeds into the average, as Nacos' HTTP processor does (Tacos applies it
 * to TCP too): OK → the measured RT; FAIL → twice the current interval; FAIL_NOW → `max`. So failing
 * targets are checked less often, and a recovered one speeds up again.
 */
export function rtSample(status: ProbeStatus, measuredRt: number, current: number, params: CheckRtParams): number {
  if (status === 'OK') return Math.max(0, measuredRt);
  if (status === 'FAIL') return current * 2;
  return params.max;
}

/** Per-cluster RT statistics, as `/catalog/rt/service` shows them (checkRTBest/Worst/Normalized). */
export interface CheckRtStats {
  checkRtNormalized: number;
  /** Smallest sample so far (Infinity-free: -1 until the first sample). */
  checkRtBest: number;
  /** Largest sample so far (-1 until the first sample). */
  checkRtWorst: number;
  /** Latest sample (-1 until the first sample). */
  checkRtLast: number;
}

/**
 * Mutable RT state of one cluster task: the current interval plus best/worst/last samples. Pure (no
 * timers); the scheduler owns one per cluster.
 */
export class CheckInterval {
  private stats: CheckRtStats;

  constructor(initial: number) {
    this.stats = { checkRtNormalized: initial, checkRtBest: -1, checkRtWorst: -1, checkRtLast: -1 };
  }

  /** The interval to wait before the next round, ms. */
  get current(): number {
    return this.stats.checkRtNormalized;
  }

  /** Folds one probe outcome in; returns the new interval. */
  record(status: ProbeStatus, measuredRt: number, params: CheckRtParams): number {
    const sample = rtSample(status, measuredRt, this.stats.checkRtNormalized, params);
    const s = this.stats;
    s.checkRtLast = sample;
    if (s.checkRtBest < 0 || sample < s.checkRtBest) s.checkRtBest = sample;
    if (sample > s.checkRtWorst) s.checkRtWorst = sample;
    s.checkRtNormalized = nextCheckRt(s.checkRtNormalized, sample, params);
    return s.checkRtNormalized;
  }

  /** A copy of the statistics. */
  snapshot(): CheckRtStats {
    return { ...this.stats };
  }
}
