import type { AddressInfo } from 'node:net';
import {
  type CheckInstance,
  type ClusterCheckSpec,
  type ClusterRef,
  HealthCheckScheduler,
  type HealthCheckSchedulerOptions,
} from './health';
import type { NamingRegistry } from './naming-registry';
import { subscriberSourceOf, UdpPushService, type UdpPushServiceOptions } from './push';

/** Options of {@link RegistryRuntime}. */
export interface RegistryRuntimeOptions {
  registry: NamingRegistry;
  /**
   * UDP push settings (delay, retry, bind address/port, timers...). `subscribers`, `render` and
   * `isEnabled` are wired to the registry and cannot be overridden.
   */
  push?: Omit<UdpPushServiceOptions, 'subscribers' | 'render' | 'isEnabled'>;
  /** Health-check settings (concurrency, probe, timers...). The host is wired to the registry. */
  health?: Omit<HealthCheckSchedulerOptions, 'host'>;
  /**
   * True when this node must run the server-side checks of a cluster. Standalone: always (the
   * default). Cluster mode passes the owner test (Raft leader or distro owner of the service), so
   * only one node probes and flips health.
   */
  isResponsible?: (ref: ClusterRef) => boolean;
}

/**
 * The I/O half of one node's registry: Nacos 1.x UDP push to subscribers (NACOS-FACTS §4) and the
 * TCP/HTTP checks of persistent instances (§3.2), wired to a {@link NamingRegistry} as the push and
 * health READMEs prescribe. Ephemeral expiry stays in the registry (its beat heap).
 *
 * - Every service change (`registry.onServiceChanged`) schedules a coalesced push of that service
 *   and makes sure each cluster of a service with persistent instances has a check task.
 * - Pushes go to live subscribers only (polled within `registry.subscriberTtl()`), at the poll's
 *   source address first (`remoteAddress`), with the body `registry.renderPushBody` renders.
 * - Checker flips set the persistent instance's health in memory (`setInstanceHealth`), which is a
 *   service change, hence a push.
 *
 * {@link start} binds the UDP socket and starts checking; {@link close} undoes both. The registry
 * itself is neither started nor stopped here.
 */
export class RegistryRuntime {
  /** The UDP push sender (`operator/push/state` reads `push.pushState`). */
  readonly push: UdpPushService;
  /** The persistent-instance checker (`catalog/rt/service` reads `healthChecks.rtStats`). */
  readonly healthChecks: HealthCheckScheduler;
  private readonly registry: NamingRegistry;
  private unsubscribe: (() => void) | undefined;
  private started = false;

  constructor(options: RegistryRuntimeOptions) {
    const registry = options.registry;
    this.registry = registry;
    this.push = new UdpPushService({
      ...options.push,
      subscribers: subscriberSourceOf(
        registry.subscribers,
        () => registry.clock.now(),
        () => registry.subscriberTtl(),
      ),
      render: ({ namespaceId, serviceName, clusters, agent }) => registry.renderPushBody(namespaceId, serviceName, clusters, agent),
      isEnabled: () => registry.switches.pushEnabled,
    });
    const isResponsible = options.isResponsible;
    this.healthChecks = new HealthCheckScheduler({
      ...options.health,
      host: {
        clusterSpec: (ref) => this.clusterSpec(ref),
        isEnabled: () => registry.switches.healthCheckEnabled,
        isResponsible: isResponsible ? (ref) => isResponsible(ref) : undefined,
        checkTimes: () => registry.switches.checkTimes,
        rtParams: (type) => (type === 'TCP' ? registry.switches.tcpHealthParams : registry.switches.httpHealthParams),
        onHealthChange: (ref, { ip, port }, healthy) => {
          registry.setInstanceHealth({ ...ref, ip, port }, false, healthy);
        },
      },
    });
  }

  /**
   * Binds the push socket, starts the checker, watches every service already loaded and subscribes
   * to changes. Resolves with the push socket's address. Rejects if the UDP port cannot be bound.
   * Idempotent.
   */
  async start(): Promise<AddressInfo> {
    const address = await this.push.start();
    if (this.started) return address;
    this.started = true;
    this.unsubscribe = this.registry.onServiceChanged((namespaceId, serviceName) => {
      this.push.serviceChanged(namespaceId, serviceName);
      this.watchService(namespaceId, serviceName);
    });
    for (const [namespaceId, services] of this.registry.state.namespaces) {
      for (const name of services.keys()) this.watchService(namespaceId, name);
    }
    this.healthChecks.start();
    return address;
  }

  /** Stops checking and pushing and closes the UDP socket. Idempotent. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.healthChecks.stop();
    await this.push.close();
  }

  /** Counters for diagnostics (`/operator/metrics` style). */
  stats(): { push: ReturnType<UdpPushService['stats']>; healthChecks: ReturnType<HealthCheckScheduler['stats']> } {
    return { push: this.push.stats(), healthChecks: this.healthChecks.stats() };
  }

  private watchService(namespaceId: string, serviceName: string): void {
    const entry = this.registry.state.getService(namespaceId, serviceName);
    // Only persistent instances are checked; O(clusters) per change, never a scan of instances.
    if (!entry || entry.persistent.size === 0) return;
    for (const clusterName of entry.clusters.keys()) this.healthChecks.watch({ namespaceId, serviceName, clusterName });
  }

  /** The checker's view of a cluster: its settings and its persistent instances (host duty 3). */
  private clusterSpec(ref: ClusterRef): ClusterCheckSpec | undefined {
    const entry = this.registry.state.getService(ref.namespaceId, ref.serviceName);
    const cluster = entry?.clusters.get(ref.clusterName);
    if (!entry || !cluster) return undefined;
    const instances: CheckInstance[] = [];
    for (const inst of entry.persistent.values()) {
      if (inst.clusterName !== ref.clusterName) continue;
      instances.push({ ip: inst.ip, port: inst.port, healthy: inst.healthy, marked: inst.marked });
    }
    return {
      healthChecker: cluster.healthChecker,
      checkPort: cluster.defaultCheckPort,
      useIPPort4Check: cluster.useIPPort4Check,
      instances,
    };
  }
}
