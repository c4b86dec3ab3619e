import { healthLevel, summarizeHealth } from '../lib/health';

/** A green/red dot for one instance's health. */
export function HealthDot({ healthy, title }: { healthy: boolean; title?: string }) {
  return <span className={`dot ${healthy ? 'dot-ok' : 'dot-down'}`} title={title ?? (healthy ? 'healthy' : 'unhealthy')} role="img" aria-label={healthy ? 'healthy' : 'unhealthy'} />;
}

/** "3/4 healthy" with a colour for all / some / none healthy. */
export function HealthCount({ healthy, total }: { healthy: number; total: number }) {
  const level = healthLevel(healthy, total);
  return (
    <span className={`health health-${level}`}>
      {healthy}/{total}
    </span>
  );
}

/**
 * The health line of a service or cluster: healthy/total, unhealthy and disabled counts, and a
 * "protection on" badge when healthy/total is at or below the protect threshold.
 */
export function HealthSummary({
  instances,
  protectThreshold,
}: {
  instances: ReadonlyArray<{ healthy: boolean; enabled: boolean }>;
  protectThreshold: number;
}) {
  const summary = summarizeHealth(instances, protectThreshold);
  if (summary.total === 0) return <span className="muted">no instances</span>;
  return (
    <span className="health-summary">
      <HealthCount healthy={summary.healthy} total={summary.total} /> healthy
      {summary.unhealthy > 0 && <span className="badge badge-down">{summary.unhealthy} unhealthy</span>}
      {summary.disabled > 0 && <span className="badge badge-muted">{summary.disabled} offline</span>}
      {summary.protectionReached && (
        <span className="badge badge-warn" title={`healthy ratio ${summary.ratio.toFixed(2)} ≤ protect threshold ${protectThreshold}`}>
          protection on
        </span>
      )}
    </span>
  );
}
