import { instanceKey, type Metadata } from '@tacos/api-pojo';
import type { Clock } from './clock';
import type { NamespaceRecord, PersistedInstance } from './commands';
import { ExpiryScheduler } from './expiry-scheduler';
import { detach, InstanceRecord } from './instance-record';
import { ServiceEntry } from './service-entry';
import { defaultSwitches, type SwitchDomain } from './switches';

/** The one empty metadata object shared by every instance without metadata. */
const EMPTY_METADATA: Metadata = Object.freeze({}) as Metadata;
/** Size bound of the metadata and string pools (cleared when reached; sharing is an optimisation). */
const POOL_LIMIT = 65536;

/** Called after a service's instances, health or metadata changed (the push module's hook). */
export type ServiceChangeListener = (namespaceId: string, serviceName: string) => void;

/**
 * Fields of an instance write. `healthy` overwrites the health when given; `initialHealthy` only
 * seeds a new instance (Nacos keeps an existing instance's health on re-register); default true.
 */
export interface InstanceFields extends PersistedInstance {
  ephemeral: boolean;
}

/**
 * The in-memory index: namespace → grouped service name → {@link ServiceEntry} → instances, plus
 * custom namespaces and the switch domain. O(1) lookups by key. Every mutation goes through these
 * methods so versions, counters, the expiry heap and change listeners stay consistent. Written by
 * the registry (ephemeral data) and by the Raft state machine (persistent data), both on the one
 * JavaScript thread, so no locking is needed.
 */
export class RegistryState {
  readonly namespaces = new Map<string, Map<string, ServiceEntry>>();
  readonly customNamespaces = new Map<string, NamespaceRecord>();
  switches: SwitchDomain = defaultSwitches();
  readonly expiry = new ExpiryScheduler();
  serviceCount = 0;
  instanceCount = 0;
  private readonly listeners = new Set<ServiceChangeListener>();
  private readonly metadataPool = new Map<string, Metadata>();
  private readonly stringPool = new Map<string, string>();
  readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Subscribes to service changes; returns the unsubscribe function. Listeners must not throw. */
  onServiceChanged(listener: ServiceChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The service, or undefined. */
  getService(namespaceId: string, name: string): ServiceEntry | undefined {
    return this.namespaces.get(namespaceId)?.get(name);
  }

  /** The service, created empty (not persisted) when missing. */
  ensureService(namespaceId: string, name: string): ServiceEntry {
    let services = this.namespaces.get(namespaceId);
    if (!services) {
      services = new Map();
      this.namespaces.set(namespaceId, services);
    }
    let entry = services.get(name);
    if (!entry) {
      entry = new ServiceEntry(namespaceId, name);
      entry.lastModifiedMillis = this.clock.wallNow();
      services.set(name, entry);
      this.serviceCount++;
    }
    return entry;
  }

  /** Removes a service and all its instances. */
  deleteService(entry: ServiceEntry): void {
    const services = this.namespaces.get(entry.namespaceId);
    if (!services || services.get(entry.name) !== entry) return;
    entry.forEachInstance((inst) => {
      this.expiry.remove(inst);
      inst.owner = undefined;
    });
    this.instanceCount -= entry.instanceCount;
    entry.ephemeral.clear();
    entry.persistent.clear();
    services.delete(entry.name);
    if (services.size === 0) this.namespaces.delete(entry.namespaceId);
    this.serviceCount--;
    this.changed(entry);
  }

  /** Records a change of `entry`: bumps its version and tells listeners. */
  changed(entry: ServiceEntry): void {
    entry.touch(this.clock.wallNow());
    for (const listener of this.listeners) listener(entry.namespaceId, entry.name);
  }

  /**
   * Inserts or replaces an instance of `entry` (Nacos' register/update semantics): an existing
   * instance keeps its id, health (unless `healthy` is given) and lease; a new one gets an id and a
   * fresh lease. Ephemeral instances are (re)scheduled for expiry. Returns the stored record.
   */
  putInstance(entry: ServiceEntry, fields: InstanceFields): InstanceRecord {
    const key = instanceKey(fields.ip, fields.port, fields.clusterName);
    const map = entry.mapOf(fields.ephemeral);
    let inst = map.get(key);
    const now = this.clock.now();
    const metadata = this.internMetadata(fields.metadata);
    if (!inst) {
      // Share the cluster's name string rather than keep one copy per instance.
      const clusterName = entry.ensureCluster(fields.clusterName).name;
      // The key is kept for the instance's life (in the record and as the map key): one flat copy.
      const storedKey = detach(key);
      inst = new InstanceRecord(storedKey, fields.ip, fields.port, clusterName, fields.ephemeral, metadata, now);
      inst.healthy = fields.healthy ?? fields.initialHealthy ?? true;
      inst.owner = entry;
      // A simple id is derived when read, so only a given or snowflake id is stored (building the
      // simple one here, and again in the setter to compare, cost two strings per registration).
      const id = fields.instanceId ?? entry.customInstanceId(inst);
      if (id !== undefined) inst.instanceId = id;
      map.set(storedKey, inst);
      this.instanceCount++;
    } else {
      inst.setMetadata(metadata);
      if (fields.healthy !== undefined) inst.healthy = fields.healthy;
      if (fields.instanceId !== undefined) inst.instanceId = fields.instanceId;
    }
    inst.weight = fields.weight;
    inst.enabled = fields.enabled;
    if (fields.marked !== undefined) inst.marked = fields.marked;
    inst.app = this.internString(fields.app);
    if (inst.ephemeral) this.scheduleExpiry(inst);
    this.changed(entry);
    return inst;
  }

  /**
   * Returns a shared, frozen copy of equal metadata (many instances carry the same few keys, e.g.
   * `preserved.*` overrides), so a million instances do not hold a million equal objects. Callers
   * never mutate metadata in place; changes build a new object. The pool is bounded.
   */
  internMetadata(metadata: Metadata): Metadata {
    if (Object.keys(metadata).length === 0) return EMPTY_METADATA;
    const signature = JSON.stringify(metadata);
    let shared = this.metadataPool.get(signature);
    if (!shared) {
      if (this.metadataPool.size >= POOL_LIMIT) this.metadataPool.clear();
      shared = Object.freeze({ ...metadata });
      this.metadataPool.set(signature, shared);
    }
    return shared;
  }

  /** Returns a shared copy of a short, often-repeated string (app names). The pool is bounded. */
  internString(value: string): string {
    const shared = this.stringPool.get(value);
    if (shared !== undefined) return shared;
    if (this.stringPool.size >= POOL_LIMIT) this.stringPool.clear();
    const stored = detach(value);
    this.stringPool.set(stored, stored);
    return stored;
  }

  /** Removes one instance; returns false when it was not there. */
  removeInstance(entry: ServiceEntry, ephemeral: boolean, key: string): boolean {
    const map = entry.mapOf(ephemeral);
    const inst = map.get(key);
    if (!inst) return false;
    map.delete(key);
    this.expiry.remove(inst);
    inst.owner = undefined;
    this.instanceCount--;
    this.changed(entry);
    return true;
  }

  /** (Re)computes an ephemeral instance's next check time from its lease and health. */
  scheduleExpiry(inst: InstanceRecord): void {
    const unhealthyAt = inst.healthy && !inst.marked ? inst.lastBeat + inst.heartBeatTimeout : Infinity;
    const deleteAt = inst.lastBeat + inst.ipDeleteTimeout;
    this.expiry.schedule(inst, Math.min(unhealthyAt, deleteAt));
  }

  /**
   * Renews an ephemeral instance's lease (a beat). Flips it healthy again unless marked. Returns true
   * when the health changed.
   */
  renew(inst: InstanceRecord): boolean {
    inst.lastBeat = this.clock.now();
    if (!inst.healthy && !inst.marked) {
      inst.healthy = true;
      // Its pending entry is the delete deadline; move it forward to the unhealthy deadline.
      this.scheduleExpiry(inst);
      if (inst.owner) this.changed(inst.owner);
      return true;
    }
    return false;
  }

  /**
   * Runs every expiry that is due at monotonic `now` (Nacos' ClientBeatCheckTask, without scanning):
   * an instance silent for more than its heart-beat timeout turns unhealthy, one silent for more than
   * its delete timeout is removed. Marked instances are left alone. With the `healthCheckEnabled`
   * switch off nothing expires and the heap is not touched: walking it anyway re-queued every
   * instance once per heart-beat timeout, a steady cost for nothing on a large registry. Turned back
   * on, whatever fell due meanwhile is handled at once, as Nacos' beat check does. Returns how many
   * instances were removed.
   */
  expireDue(now: number): number {
    if (!this.switches.healthCheckEnabled) return 0;
    let removed = 0;
    for (;;) {
      const inst = this.expiry.popDue(now);
      if (!inst) break;
      const entry = inst.owner;
      if (!entry) continue;
      if (inst.marked) {
        // Look again later: marks can change.
        this.expiry.schedule(inst, now + inst.heartBeatTimeout);
        continue;
      }
      const silent = now - inst.lastBeat;
      if (silent > inst.ipDeleteTimeout) {
        this.removeInstance(entry, true, inst.key);
        removed++;
        continue;
      }
      if (inst.healthy && silent > inst.heartBeatTimeout) {
        inst.healthy = false;
        this.changed(entry);
      }
      this.scheduleExpiry(inst);
    }
    return removed;
  }
}
