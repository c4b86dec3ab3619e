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
  /**
   * Called after one of this node's checks flipped a persistent instance's health (the registry
   * already holds the new value). Cluster mode sends these to the other members. Synchronous; a
   * throw is ignored.
   */
  onHealthChange?: (change: InstanceHealth) => void;
}

/** One persistent instance's health, as a check decided it: the unit health results travel in. */
export interface InstanceHealth {
  namespaceId: string;
  /** Grouped service name (`group@@service`). */
  serviceName: string;
  clusterName: string;
  ip: string;
  port: number;
  healthy: boolean;
}

/** Checker types whose results decide health (NONE leaves it to `PUT /health`; MYSQL is not run). */
function isProbed(type: string): boolean {
  return type === 'TCP' || type === 'HTTP';
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
 *   service change, hence a push, then go to `onHealthChange`. In cluster mode only the responsible
 *   member checks (`isResponsible`); the others learn its results through {@link applyRemoteHealth}.
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
    const onHealthChange = options.onHealthChange;
    this.healthChecks = new HealthCheckScheduler({
      ...options.health,
      host: {
        clusterSpec: (ref) => this.clusterSpec(ref),
        isEnabled: () => registry.switches.healthCheckEnabled,
        isResponsible: isResponsible ? (ref) => isResponsible(ref) : undefined,
        checkTimes: () => registry.switches.checkTimes,
        rtParams: (type) => (type === 'TCP' ? registry.switches.tcpHealthParams : registry.switches.httpHealthParams),
        onHealthChange: (ref, { ip, port }, healthy) => {
          if (!registry.setInstanceHealth({ ...ref, ip, port }, false, healthy)) return;
          onHealthChange?.({ namespaceId: ref.namespaceId, serviceName: ref.serviceName, clusterName: ref.clusterName, ip, port, healthy });
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

  /**
   * The health of every non-marked persistent instance in a TCP/HTTP-checked cluster of the services
   * `owns` accepts, for which this node's checks have a verdict (see
   * `HealthCheckScheduler.hasVerdict`): a full-state report for members that missed flips. Instances
   * this node has not checked yet (it just started, or just became responsible) or is in doubt about
   * are left out, so a restarted owner does not overwrite the others' results with the health it
   * restored. O(persistent instances of owned services); returns fresh objects the caller may keep.
   */
  checkedInstanceHealth(owns: (namespaceId: string, serviceName: string) => boolean): InstanceHealth[] {
    const out: InstanceHealth[] = [];
    for (const [namespaceId, services] of this.registry.state.namespaces) {
      for (const [serviceName, entry] of services) {
        if (entry.persistent.size === 0 || !owns(namespaceId, serviceName)) continue;
        for (const inst of entry.persistent.values()) {
          const cluster = entry.clusters.get(inst.clusterName);
          if (inst.marked || !cluster || !isProbed(cluster.healthChecker.type)) continue;
          if (!this.healthChecks.hasVerdict({ namespaceId, serviceName, clusterName: inst.clusterName }, inst)) continue;
          out.push({ namespaceId, serviceName, clusterName: inst.clusterName, ip: inst.ip, port: inst.port, healthy: inst.healthy });
        }
      }
    }
    return out;
  }

  /**
   * Applies a health result another member's checker decided (in memory, as Nacos'
   * `HealthCheckCommon` receivers do; a change is pushed). Only persistent, non-marked instances of
   * TCP/HTTP-checked clusters are touched, so a late report cannot override manual (NONE) health.
   * The caller decides whether the sender may speak for the service. True when health changed.
   */
  applyRemoteHealth(result: InstanceHealth): boolean {
    const entry = this.registry.state.getService(result.namespaceId, result.serviceName);
    const cluster = entry?.clusters.get(result.clusterName);
    if (!cluster || !isProbed(cluster.healthChecker.type)) return false;
    const { namespaceId, serviceName, clusterName, ip, port, healthy } = result;
    return this.registry.setInstanceHealth({ namespaceId, serviceName, clusterName, ip, port }, false, healthy);
  }

  private watchService(namespaceId: string, serviceName: string): void {
    const entry = this.registry.state.getService(namespaceId, serviceName);
    // Only persistent instances are checked; O(clusters) per change, never a scan of instances.
    if (!entry || entry.persistent.size === 0) return;
    for (const clusterName of entry.clusters.keys()) this.healthChecks.watch({ namespaceId, serviceName, clusterName });
  }

  /**
   * The checker's view of a cluster: its settings and its persistent instances (host duty 3). The
   * instance list is built only when a round reads it: rounds with checks switched off, on a member
   * not responsible for the service, or for a NONE checker never do (building it for every cluster
   * every ~2 s cost an idle server ~1 % of a core per 90,000 persistent instances).
   */
  private clusterSpec(ref: ClusterRef): ClusterCheckSpec | undefined {
    const entry = this.registry.state.getService(ref.namespaceId, ref.serviceName);
    const cluster = entry?.clusters.get(ref.clusterName);
    if (!entry || !cluster) return undefined;
    let instances: CheckInstance[] | undefined;
    const collect = (): CheckInstance[] => {
      const out: CheckInstance[] = [];
      for (const inst of entry.persistent.values()) {
        if (inst.clusterName !== ref.clusterName) continue;
        out.push({ ip: inst.ip, port: inst.port, healthy: inst.healthy, marked: inst.marked });
      }
      return out;
    };
    return {
      healthChecker: cluster.healthChecker,
      checkPort: cluster.defaultCheckPort,
      useIPPort4Check: cluster.useIPPort4Check,
      get instances() {
        instances ??= collect();
        return instances;
      },
    };
  }
}
