// Health numbers of a set of instances, as the service detail and list show them.

/** What {@link summarizeHealth} counts. `ratio` is healthy/total (0 when there are none). */
export interface HealthSummary {
  total: number;
  healthy: number;
  unhealthy: number;
  disabled: number;
  ratio: number;
  /** Nacos' rule (§3.3): protection is on when healthy/total <= protectThreshold, for a non-empty set. */
  protectionReached: boolean;
}

/**
 * Counts instances by health. Disabled instances count in `total` and in the protect-threshold ratio, as in
 * Nacos (they are only hidden from clients). A negative threshold never triggers protection.
 */
export function summarizeHealth(instances: ReadonlyArray<{ healthy: boolean; enabled: boolean }>, protectThreshold = 0): HealthSummary {
  const total = instances.length;
  let healthy = 0;
  let disabled = 0;
  for (const instance of instances) {
    if (instance.healthy) healthy++;
    if (!instance.enabled) disabled++;
  }
  const ratio = total === 0 ? 0 : healthy / total;
  return {
    total,
    healthy,
    unhealthy: total - healthy,
    disabled,
    ratio,
    protectionReached: total > 0 && protectThreshold >= 0 && ratio <= protectThreshold,
  };
}

/** A row of the service list says protection is on: Nacos sends `triggerFlag` as "true"/"false" or a boolean. */
export function isTriggered(flag: string | boolean | undefined): boolean {
  return flag === true || flag === 'true';
}

/** `'ok' | 'partial' | 'down' | 'empty'`: the colour class of a healthy/total pair. */
export function healthLevel(healthy: number, total: number): 'ok' | 'partial' | 'down' | 'empty' {
  if (total === 0) return 'empty';
  if (healthy === total) return 'ok';
  return healthy === 0 ? 'down' : 'partial';
}
