import {
  type Cluster,
  defaultCluster,
  getGroupName,
  type Metadata,
  type Selector,
  type Service,
  snowflakeInstanceId,
  INSTANCE_ID_GENERATORS,
  PRESERVED_METADATA_KEYS,
} from '@tacos/api-pojo';
import type { InstanceRecord } from './instance-record';
import type { SplicedGzip } from './spliced-gzip';

/** A cached instance/list body split around `lastRefTime`, so the time can be spliced in per request. */
export interface CachedList {
  prefix: string;
  suffix: string;
  /** The same body, gzip-ready (built on the first request that accepts gzip); null when too small to be worth it. */
  gzip?: SplicedGzip | null;
}

/**
 * One service of the index: its metadata, clusters and two instance maps (ephemeral and persistent,
 * each keyed `ip:port:unknown:cluster`). Every change must go through {@link touch}, which bumps
 * `version` and drops the cached list bodies and checksum. Owned by the registry index.
 */
export class ServiceEntry {
  readonly namespaceId: string;
  /** Grouped name. */
  readonly name: string;
  readonly groupName: string;
  protectThreshold = 0;
  appName: string | undefined = undefined;
  metadata: Metadata = {};
  selector: Selector = { type: 'none' };
  enabled = true;
  /** True once the service's metadata has been written through Raft (created by API or persistent data). */
  persisted = false;
  readonly clusters = new Map<string, Cluster>();
  readonly ephemeral = new Map<string, InstanceRecord>();
  readonly persistent = new Map<string, InstanceRecord>();
  /** Bumped on every change; caches are valid for one version. */
  version = 0;
  /** Wall ms of the last change. */
  lastModifiedMillis = 0;
  /** Cached list bodies by request shape; cleared by {@link touch}. */
  readonly listCache = new Map<string, CachedList>();
  /** Cached checksum for the current version. */
  checksum: string | undefined = undefined;

  constructor(namespaceId: string, name: string) {
    this.namespaceId = namespaceId;
    this.name = name;
    this.groupName = getGroupName(name);
  }

  /** Records a change: new version, caches dropped. */
  touch(wallNow: number): void {
    this.version++;
    this.lastModifiedMillis = wallNow;
    if (this.listCache.size > 0) this.listCache.clear();
    this.checksum = undefined;
  }

  /** The cluster with that name, created with defaults when missing (as Nacos auto-creates them). */
  ensureCluster(clusterName: string): Cluster {
    let cluster = this.clusters.get(clusterName);
    if (!cluster) {
      cluster = defaultCluster(this.name, clusterName);
      this.clusters.set(clusterName, cluster);
    }
    return cluster;
  }

  /** Number of instances of both kinds. */
  get instanceCount(): number {
    return this.ephemeral.size + this.persistent.size;
  }

  /** The instance map for one kind. */
  mapOf(ephemeral: boolean): Map<string, InstanceRecord> {
    return ephemeral ? this.ephemeral : this.persistent;
  }

  /** Calls `fn` for every instance, ephemeral first, in insertion order. */
  forEachInstance(fn: (inst: InstanceRecord) => void): void {
    for (const inst of this.ephemeral.values()) fn(inst);
    for (const inst of this.persistent.values()) fn(inst);
  }

  /**
   * The id a new instance gets when it is not the derivable `simple` one (`ip#port#cluster#group@@svc`):
   * with metadata asking for `snowflake`, the smallest unused integer among instances of the same
   * kind. Undefined otherwise: the record then derives its id when asked and stores none.
   */
  customInstanceId(inst: InstanceRecord): string | undefined {
    if (inst.metadata[PRESERVED_METADATA_KEYS.INSTANCE_ID_GENERATOR] !== INSTANCE_ID_GENERATORS.SNOWFLAKE) return undefined;
    const used = new Set<string>();
    for (const other of this.mapOf(inst.ephemeral).values()) used.add(other.instanceId);
    return snowflakeInstanceId(used);
  }

  /** The service as the API shows it. */
  toService(): Service {
    const out: Service = {
      namespaceId: this.namespaceId,
      name: this.name,
      groupName: this.groupName,
      protectThreshold: this.protectThreshold,
      metadata: this.metadata,
      selector: this.selector,
      enabled: this.enabled,
    };
    if (this.appName !== undefined) out.appName = this.appName;
    return out;
  }
}
