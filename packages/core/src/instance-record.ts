import {
  heartBeatIntervalOf,
  heartBeatTimeoutOf,
  instanceIdGeneratorOf,
  ipDeleteTimeoutOf,
  type Metadata,
  PRESERVED_METADATA_KEYS,
  simpleInstanceId,
} from '@tacos/api-pojo';
import type { ServiceEntry } from './service-entry';

/**
 * A flat copy of `value` that shares memory with no other string. Parameters parsed out of a request
 * URL can be V8 "sliced strings" that keep the whole URL alive, and keys built by concatenation are
 * "cons strings", trees of several heap objects whose leaves may be such slices; an instance lives
 * for hours, so what it keeps must be one flat string and must not pin its registration request
 * (measured: a cons-string key cost ~180 B per instance, a flat one ~65 B). Strings shorter than 13
 * characters are always flat copies in V8, so they are returned as they are. The JSON round trip is
 * the cheapest way found to get a fresh flat string (about 0.3 µs for an instance key).
 */
export function detach(value: string): string {
  return value.length < 13 ? value : (JSON.parse(JSON.stringify(value)) as string);
}

const EPHEMERAL = 1;
const HEALTHY = 2;
const ENABLED = 4;
const MARKED = 8;
const CUSTOM_INTERVAL = 16;

/**
 * One instance as the registry keeps it: a compact plain object (no timers, no closures) so a
 * million of them fit in memory. Owned by its {@link ServiceEntry}; other modules read it but change
 * it only through the registry. `lastBeat` is on the monotonic clock.
 */
export class InstanceRecord {
  /** `ip:port:unknown:cluster`, the key inside its service's ephemeral or persistent map. */
  readonly key: string;
  /** Set only when the id is not the derivable `simple` one (saves a string per instance). */
  customId: string | undefined;
  readonly ip: string;
  readonly port: number;
  readonly clusterName: string;
  weight: number;
  /**
   * `ephemeral`, `healthy`, `enabled`, `marked` and `hasCustomInterval` as bits of one small
   * integer: one field instead of five (40 bytes per instance on 64-bit V8). Read and written only
   * through the accessors below.
   */
  private flags: number;
  app: string;
  metadata: Metadata;
  /** Monotonic ms of the last beat (or registration). */
  lastBeat: number;
  /** Cached `preserved.*` values, refreshed by {@link setMetadata}. */
  heartBeatInterval: number;
  heartBeatTimeout: number;
  ipDeleteTimeout: number;
  /** Expiry scheduler bookkeeping: deadline (monotonic ms) and heap slot (-1 when not scheduled). */
  deadline: number;
  heapIndex: number;
  /** The service this instance belongs to; cleared when removed. */
  owner: ServiceEntry | undefined;

  constructor(
    key: string,
    ip: string,
    port: number,
    clusterName: string,
    ephemeral: boolean,
    metadata: Metadata,
    lastBeat: number,
  ) {
    this.key = key;
    this.customId = undefined;
    this.ip = detach(ip);
    this.port = port;
    this.clusterName = clusterName;
    this.weight = 1;
    this.flags = (ephemeral ? EPHEMERAL : 0) | HEALTHY | ENABLED;
    this.app = 'DEFAULT';
    this.metadata = metadata;
    this.lastBeat = lastBeat;
    this.heartBeatInterval = 0;
    this.heartBeatTimeout = 0;
    this.ipDeleteTimeout = 0;
    this.deadline = 0;
    this.heapIndex = -1;
    this.owner = undefined;
    this.setMetadata(metadata);
  }

  /** Replaces metadata and re-reads the `preserved.*` overrides. */
  setMetadata(metadata: Metadata): void {
    this.metadata = metadata;
    this.heartBeatInterval = heartBeatIntervalOf(metadata);
    this.heartBeatTimeout = heartBeatTimeoutOf(metadata);
    this.ipDeleteTimeout = ipDeleteTimeoutOf(metadata);
    this.setFlag(CUSTOM_INTERVAL, metadata[PRESERVED_METADATA_KEYS.HEART_BEAT_INTERVAL] !== undefined);
  }

  private setFlag(bit: number, on: boolean): void {
    this.flags = on ? this.flags | bit : this.flags & ~bit;
  }

  /** Ephemeral (leased, Distro) or persistent (Raft); fixed at creation. */
  get ephemeral(): boolean {
    return (this.flags & EPHEMERAL) !== 0;
  }

  get healthy(): boolean {
    return (this.flags & HEALTHY) !== 0;
  }

  set healthy(on: boolean) {
    this.setFlag(HEALTHY, on);
  }

  get enabled(): boolean {
    return (this.flags & ENABLED) !== 0;
  }

  set enabled(on: boolean) {
    this.setFlag(ENABLED, on);
  }

  /** A marked instance's health is never changed by beats, checks or expiry. */
  get marked(): boolean {
    return (this.flags & MARKED) !== 0;
  }

  set marked(on: boolean) {
    this.setFlag(MARKED, on);
  }

  /** True when metadata carries `preserved.heart.beat.interval` (then beats answer that interval). */
  get hasCustomInterval(): boolean {
    return (this.flags & CUSTOM_INTERVAL) !== 0;
  }

  /** The instance id: the stored custom one, else `ip#port#cluster#group@@service` of its owner. */
  get instanceId(): string {
    return this.customId ?? simpleInstanceId(this.ip, this.port, this.clusterName, this.owner?.name ?? '');
  }

  /** Stores an id; one equal to the simple id of the current owner is not stored (set `owner` first). */
  set instanceId(id: string) {
    this.customId = this.owner && id === simpleInstanceId(this.ip, this.port, this.clusterName, this.owner.name) ? undefined : id;
  }

  /** `instanceIdGenerator` as Nacos derives it (may be undefined, then omitted from JSON). */
  get instanceIdGenerator(): string | undefined {
    return instanceIdGeneratorOf(this.metadata);
  }
}

/** The fields of an instance that leave this process: in snapshots and in Distro replicas. */
export interface InstanceData {
  ip: string;
  port: number;
  clusterName: string;
  weight: number;
  healthy: boolean;
  enabled: boolean;
  marked: boolean;
  app: string;
  metadata: Metadata;
  instanceId: string;
}

/**
 * A fresh plain copy of what an instance is, without the lease and heap bookkeeping (`lastBeat`,
 * deadlines: each member keeps its own). The metadata object is shared, not copied.
 */
export function instanceDataOf(inst: InstanceRecord): InstanceData {
  return {
    ip: inst.ip,
    port: inst.port,
    clusterName: inst.clusterName,
    weight: inst.weight,
    healthy: inst.healthy,
    enabled: inst.enabled,
    marked: inst.marked,
    app: inst.app,
    metadata: inst.metadata,
    instanceId: inst.instanceId,
  };
}

/**
 * The host object of an instance/list answer, in Nacos' key order. `healthy` (and `valid`) come from
 * the caller because protection can report an unhealthy host as healthy; `serviceName` is grouped or
 * not depending on the client.
 */
export function hostView(inst: InstanceRecord, healthy: boolean, serviceName: string): Record<string, unknown> {
  return {
    ip: inst.ip,
    port: inst.port,
    valid: healthy,
    healthy,
    marked: inst.marked,
    instanceId: inst.instanceId,
    metadata: inst.metadata,
    enabled: inst.enabled,
    weight: inst.weight,
    clusterName: inst.clusterName,
    serviceName,
    ephemeral: inst.ephemeral,
    instanceHeartBeatInterval: inst.heartBeatInterval,
    instanceHeartBeatTimeOut: inst.heartBeatTimeout,
    ipDeleteTimeout: inst.ipDeleteTimeout,
    instanceIdGenerator: inst.instanceIdGenerator,
  };
}

/**
 * The full server-side instance JSON (catalog/instances): every API field plus `lastBeat` (wall ms),
 * `marked` and `app`. `wallOf` converts a monotonic time to wall ms.
 */
export function fullInstanceView(
  inst: InstanceRecord,
  serviceName: string,
  wallOf: (mono: number) => number,
): Record<string, unknown> {
  return {
    instanceId: inst.instanceId,
    ip: inst.ip,
    port: inst.port,
    weight: inst.weight,
    healthy: inst.healthy,
    enabled: inst.enabled,
    ephemeral: inst.ephemeral,
    clusterName: inst.clusterName,
    serviceName,
    metadata: inst.metadata,
    lastBeat: Math.round(wallOf(inst.lastBeat)),
    marked: inst.marked,
    app: inst.app,
    instanceHeartBeatInterval: inst.heartBeatInterval,
    instanceHeartBeatTimeOut: inst.heartBeatTimeout,
    ipDeleteTimeout: inst.ipDeleteTimeout,
    instanceIdGenerator: inst.instanceIdGenerator,
  };
}
