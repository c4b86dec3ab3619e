/**
 * Outcome of one probe, in Nacos' three words (HealthCheckCommon): `OK` counts towards healthy,
 * `FAIL` towards unhealthy, `FAIL_NOW` makes a healthy instance unhealthy at once.
 */
export type ProbeStatus = 'OK' | 'FAIL' | 'FAIL_NOW';

/** What a probe reports. Probes never reject: every failure is a {@link ProbeStatus}. */
export interface ProbeResult {
  status: ProbeStatus;
  /** Milliseconds from start to outcome (folded into the cluster's adaptive interval). */
  rtMs: number;
  /** Short human reason for a failure (`ECONNREFUSED`, `timeout`, `HTTP 500`), absent on OK. */
  reason?: string;
}
