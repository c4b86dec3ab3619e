import { type InstanceData, instanceDataOf } from './instance-record';
import type { NamingRegistry } from './naming-registry';
import type { ServiceEntry } from './service-entry';

/** Distro data type of the ephemeral instance lists (one key per service). */
export const EPHEMERAL_DATA_TYPE = 'naming.ephemeral';

/** Distro key of a service's ephemeral instance list: `namespace##group@@service`. */
export function ephemeralKey(namespaceId: string, serviceName: string): string {
  return `${namespaceId}##${serviceName}`;
}

/** The grouped service name a key hashes on (Nacos maps owners by service name only). */
export function routingKeyOfEphemeral(key: string): string {
  const split = key.indexOf('##');
  return split >= 0 ? key.slice(split + 2) : key;
}

/**
 * What the replicator needs of a Distro node (structurally `@tacos/distro`'s `DistroNode`). Kept
 * structural so core does not depend on how the node is transported.
 */
export interface EphemeralDistroPort {
  isResponsible(routingKey: string): boolean;
  put(type: string, key: string, value: Uint8Array): unknown;
  remove(type: string, key: string): unknown;
  get(type: string, key: string): { value: Uint8Array | null } | undefined;
}

/** One replicated change as a Distro processor receives it. */
export interface EphemeralChange {
  readonly key: string;
  readonly value: Uint8Array | null;
  readonly reason: string;
}

/** An instance as it travels between members. `lastBeat` does not: leases are the owner's business. */
type WireInstance = InstanceData;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Replicates the registry's ephemeral instances through Distro. On the owner of a service, every
 * change of that service (register, deregister, patch, health flip, expiry) is coalesced and written
 * to Distro as the whole ephemeral list (one key per service, as Nacos' `Instances` datum). On the
 * other members {@link apply} installs the list as a replica with no expiry: only the owner expires
 * instances, and beats are forwarded to it. When ownership moves, the new owner restarts leases
 * fresh (a stale beat time would expire instances whose beats went to the previous owner).
 */
export class EphemeralReplicator {
  private readonly registry: NamingRegistry;
  private distro: EphemeralDistroPort | undefined;
  private readonly pending = new Set<string>();
  private flushScheduled = false;
  private applying = false;
  private readonly onError: (error: unknown, key: string) => void;
  private readonly unsubscribe: () => void;

  constructor(registry: NamingRegistry, options: { onError?: (error: unknown, key: string) => void } = {}) {
    this.registry = registry;
    this.onError = options.onError ?? (() => undefined);
    this.unsubscribe = registry.onServiceChanged((ns, name) => this.changed(ns, name));
  }

  /** Connects the Distro node (it needs this object's processor first, so it is bound afterwards). */
  bind(distro: EphemeralDistroPort): void {
    this.distro = distro;
  }

  /** The Distro processor to register for {@link EPHEMERAL_DATA_TYPE}. */
  get processor(): { type: string; apply: (change: EphemeralChange) => void } {
    return { type: EPHEMERAL_DATA_TYPE, apply: (change) => this.apply(change) };
  }

  /** Stops listening to the registry. */
  close(): void {
    this.unsubscribe();
    this.pending.clear();
  }

  private changed(namespaceId: string, serviceName: string): void {
    if (this.applying || !this.distro?.isResponsible(serviceName)) return;
    this.pending.add(ephemeralKey(namespaceId, serviceName));
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Coalesce the changes of one request (or one expiry round) into one Distro write per service.
    queueMicrotask(() => this.flush());
  }

  /** Writes every pending service's list to Distro now. */
  flush(): void {
    this.flushScheduled = false;
    const distro = this.distro;
    if (!distro) return;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      const split = key.indexOf('##');
      const entry = this.registry.state.getService(key.slice(0, split), key.slice(split + 2));
      try {
        if (!entry || entry.ephemeral.size === 0) {
          const held = distro.get(EPHEMERAL_DATA_TYPE, key);
          if (held && held.value !== null) distro.remove(EPHEMERAL_DATA_TYPE, key);
        } else {
          distro.put(EPHEMERAL_DATA_TYPE, key, encoder.encode(JSON.stringify(this.serialize(entry))));
        }
      } catch (err) {
        this.onError(err, key);
      }
    }
  }

  private serialize(entry: ServiceEntry): WireInstance[] {
    return Array.from(entry.ephemeral.values(), instanceDataOf);
  }

  /** Installs a replicated list (the Distro processor). Local writes are already in the registry. */
  apply(change: EphemeralChange): void {
    if (change.reason === 'local') return;
    const split = change.key.indexOf('##');
    if (split < 0) return;
    const namespaceId = change.key.slice(0, split);
    const serviceName = change.key.slice(split + 2);
    const list = change.value === null ? [] : (JSON.parse(decoder.decode(change.value)) as WireInstance[]);
    const state = this.registry.state;
    const owned = this.distro?.isResponsible(serviceName) ?? false;
    this.applying = true;
    try {
      let entry = state.getService(namespaceId, serviceName);
      if (!entry) {
        if (list.length === 0) return;
        entry = state.ensureService(namespaceId, serviceName);
      }
      const keep = new Set<string>();
      for (const w of list) {
        const inst = state.putInstance(entry, {
          ip: w.ip,
          port: w.port,
          clusterName: w.clusterName,
          ephemeral: true,
          weight: w.weight,
          healthy: w.healthy,
          enabled: w.enabled,
          marked: w.marked,
          app: w.app,
          metadata: w.metadata,
          instanceId: w.instanceId,
        });
        keep.add(inst.key);
        // A replica never expires here: the owner decides and replicates the outcome.
        if (!owned) state.expiry.remove(inst);
      }
      for (const key of [...entry.ephemeral.keys()]) if (!keep.has(key)) state.removeInstance(entry, true, key);
    } finally {
      this.applying = false;
    }
  }

  /**
   * Follows a Distro ownership move: services gained get fresh leases and expiry; services lost
   * stop expiring here.
   */
  ownershipChanged(change: { gained: readonly { type: string; key: string }[]; lost: readonly { type: string; key: string }[] }): void {
    const state = this.registry.state;
    const now = this.registry.clock.now();
    const each = (keys: readonly { type: string; key: string }[], fn: (entry: ServiceEntry) => void) => {
      for (const k of keys) {
        if (k.type !== EPHEMERAL_DATA_TYPE) continue;
        const split = k.key.indexOf('##');
        const entry = state.getService(k.key.slice(0, split), k.key.slice(split + 2));
        if (entry) fn(entry);
      }
    };
    each(change.gained, (entry) => {
      for (const inst of entry.ephemeral.values()) {
        inst.lastBeat = now;
        state.scheduleExpiry(inst);
      }
    });
    each(change.lost, (entry) => {
      for (const inst of entry.ephemeral.values()) state.expiry.remove(inst);
    });
  }
}
