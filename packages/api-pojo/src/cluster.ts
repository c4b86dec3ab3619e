import { DEFAULT_HEALTH_CHECKER, type HealthChecker } from './health-checker';
import type { Metadata } from './metadata';

/** A cluster of a service, as stored and shown by Nacos (catalog/service `clusters`). */
export interface Cluster {
  /** Grouped name of the owning service. */
  serviceName: string;
  name: string;
  healthChecker: HealthChecker;
  /** Port probed when `useIPPort4Check` is false (Nacos `defCkport`). */
  defaultCheckPort: number;
  /** Nacos `defIPPort`. */
  defaultPort: number;
  /** Probe each instance's own port (true) or `defaultCheckPort` (false). */
  useIPPort4Check: boolean;
  metadata: Metadata;
}

/** A cluster with Nacos' defaults (TCP checker, ports 80, use instance port). */
export function defaultCluster(serviceName: string, name: string): Cluster {
  return {
    serviceName,
    name,
    healthChecker: { ...DEFAULT_HEALTH_CHECKER } as HealthChecker,
    defaultCheckPort: 80,
    defaultPort: 80,
    useIPPort4Check: true,
    metadata: {},
  };
}
