import type { ProbeStatus } from './probe-result';

/** Nacos' default `checkTimes` switch: consecutive results needed to flip. */
export const DEFAULT_CHECK_TIMES = 3;

/**
 * Consecutive-result counter of one instance (HealthCheckCommon.checkOK / checkFail /
 * checkFailNow). Pure: it never reads or writes the instance; the caller passes the current health
 * and applies the returned verdict.
 *
 * - An unhealthy instance becomes healthy after `checkTimes` consecutive OKs.
 * - A healthy instance becomes unhealthy after `checkTimes` consecutive FAIL/FAIL_NOW results, or at
 *   once on FAIL_NOW.
 * - A result in the instance's current direction resets the opposite counter.
 * - A `marked` instance never flips (its health belongs to whoever marked it); counters still reset.
 */
export class HealthTracker {
  private okCount = 0;
  private failCount = 0;

  /**
   * Records one probe outcome. Returns the new health when the instance must flip, else undefined.
   * `checkTimes` below 1 is treated as 1.
   */
  observe(status: ProbeStatus, healthy: boolean, marked: boolean, checkTimes: number): boolean | undefined {
    const needed = Math.max(1, Math.floor(checkTimes));
    if (status === 'OK') {
      this.failCount = 0;
      if (healthy) {
        this.okCount = 0;
        return undefined;
      }
      this.okCount++;
      if (this.okCount < needed) return undefined;
      this.okCount = 0;
      return marked ? undefined : true;
    }
    this.okCount = 0;
    if (!healthy) {
      this.failCount = 0;
      return undefined;
    }
    this.failCount++;
    if (status !== 'FAIL_NOW' && this.failCount < needed) return undefined;
    this.failCount = 0;
    return marked ? undefined : false;
  }

  /** Consecutive OKs counted while unhealthy. */
  get consecutiveOk(): number {
    return this.okCount;
  }

  /** Consecutive failures counted while healthy. */
  get consecutiveFail(): number {
    return this.failCount;
  }
}
