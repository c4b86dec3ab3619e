import { createHash, randomUUID } from 'node:crypto';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import {
  BEAT_CODES,
  type BeatInfo,
  type Cluster,
  clampWeight,
  DEFAULT_APP,
  DEFAULT_NAMESPACE_ID,
  getGroupName,
  getServiceName,
  type HealthChecker,
  instanceKey,
  isValidNamespaceId,
  type Metadata,
  NACOS_ERROR_CODES,
  NacosError,
  type Selector,
  validateClusterName,
  validateIp,
  validatePort,
  validateServiceName,
} from '@tacos/api-pojo';
import { type Clock, SYSTEM_CLOCK } from './clock';
import type { NamespaceRecord, PersistedInstance } from './commands';
import { fullInstanceView, hostView, type InstanceRecord, instanceDataOf } from './instance-record';
import { type CommandProposer, PersistentStore } from './persistent-store';
import { RegistryState, type ServiceChangeListener } from './registry-state';
import { RegistryStateMachine } from './registry-state-machine';
import type { ServiceEntry } from './service-entry';
import { SplicedGzip } from './spliced-gzip';
import { type Subscriber, SubscriberRegistry } from './subscribers';
import { normalizeAddress } from './push/push-target';
import { type SwitchDomain, updateSwitches } from './switches';

/** Options of {@link NamingRegistry}. */
export interface NamingRegistryOptions {
  /** Clock for leases and shown times (default: the system clock). */
  clock?: Clock;
  /** Where persistent commands go (a RaftNode); may also be set later with {@link NamingRegistry.setProposer}. */
  proposer?: CommandProposer;
  /** Expiry check period for {@link NamingRegistry.start} (default 500 ms). */
  expiryCheckMs?: number;
  /** Readiness of the persistent layer (e.g. "the Raft group has a leader"); default: a proposer is set. */
  isPersistenceReady?: () => boolean;
  /** Told about unexpected errors in background work (the expiry timer). Default: ignore. */
  onError?: (error: unknown) => void;
}

/** Identifies one instance inside a service. */
export interface InstanceRef {
  namespaceId: string;
  /** Grouped, already checked name. */
  serviceName: string;
  ip: string;
  port: number;
  clusterName: string;
}

/** A register / update (PUT) request, already parsed and defaulted. */
export interface InstanceWrite extends InstanceRef {
  weight: number;
  enabled: boolean;
  healthy: boolean;
  ephemeral: boolean;
  metadata: Metadata;
  app: string;
}

/** A PATCH request: only given fields change. */
export interface InstancePatch extends InstanceRef {
  metadata?: Metadata;
  app?: string;
  weight?: number;
  healthy?: boolean;
  enabled?: boolean;
}

/** An instance/list request. */
export interface ListRequest {
  namespaceId: string;
  serviceName: string;
  /** The `clusters` string exactly as sent (echoed back; "" means all). */
  clusters: string;
  healthyOnly: boolean;
  /** Client's User-Agent (decides grouped names and push capability). */
  userAgent: string;
  clientIP: string;
  udpPort: number;
  app: string;
  env: string;
  /** The TCP peer address, used for a push subscriber when `clientIP` is blank. */
  remoteAddress?: string;
}

/** An instance/list answer: the JSON text, and the same gzip-compressed when asked for and worth it. */
export interface ListAnswer {
  body: string;
  gzip?: Buffer;
}

/** Smallest instance/list body sent gzip-compressed to a client that accepts it (Nacos gzips pushes from 1 KB). */
export const LIST_GZIP_MIN_BYTES = 1024;

/** A beat request. */
export interface BeatRequest {
  namespaceId: string;
  serviceName: string;
  clusterName: string;
  ip: string;
  port: number;
  beat?: BeatInfo;
}

/** The beat answer (JSON). */
export interface BeatResult {
  clientBeatInterval: number;
  code: number;
  lightBeatEnabled?: boolean;
}

/** A create/update service request. */
export interface ServiceWrite {
  namespaceId: string;
  serviceName: string;
  protectThreshold: number;
  metadata: Metadata;
  selector: Selector;
}

/** A cluster update request. */
export interface ClusterWrite {
  namespaceId: string;
  serviceName: string;
  clusterName: string;
  checkPort: number;
  useInstancePort4Check: boolean;
  healthChecker: HealthChecker;
  metadata: Metadata;
}

/** Filters of catalog/services. */
export interface CatalogQuery {
  namespaceId: string;
  pageNo: number;
  pageSize: number;
  serviceNameParam: string;
  groupNameParam: string;
  /** `ip` or `ip:port`: only services with such an instance. */
  instance: string;
  hasIpCount: boolean;
}

/** A namespace as the console shows it. */
export interface NamespaceView {
  namespace: string;
  namespaceShowName: string;
  quota: number;
  configCount: number;
  type: number;
  namespaceDesc?: string;
}

const PUSH_AGENTS: ReadonlyArray<readonly [string, string]> = [
  ['Nacos-Java-Client', '0.1.0'],
  ['Nacos-DNS', '1.0.0'],
  ['Nacos-C-Client', '1.0.12'],
  ['vip-client4cpp', '1.0.12'],
  ['Nacos-Go-Client', '0.1.0'],
  ['Nacos-CSharp-Client', '0.9.0'],
];

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function agentVersion(userAgent: string, prefix: string): string | undefined {
  if (!userAgent.startsWith(prefix)) return undefined;
  const i = userAgent.indexOf(':v');
  return i < 0 ? '' : userAgent.slice(i + 2);
}

/** True for `Nacos-Java-Client:vX` with X ≥ 1.0.0: such clients get grouped names (NACOS-FACTS §2.1). */
export function wantsGroupedNames(userAgent: string): boolean {
  const version = agentVersion(userAgent, 'Nacos-Java-Client');
  return version !== undefined && compareVersions(version, '1.0.0') >= 0;
}

/** True when the User-Agent is a client Nacos pushes to over UDP. */
export function isPushCapable(userAgent: string): boolean {
  for (const [prefix, min] of PUSH_AGENTS) {
    const version = agentVersion(userAgent, prefix);
    if (version !== undefined) return compareVersions(version, min) >= 0;
  }
  return false;
}

function notFound(message: string): NacosError {
  return new NacosError(NACOS_ERROR_CODES.NOT_FOUND, message);
}

function conflict(message: string): NacosError {
  return new NacosError(NACOS_ERROR_CODES.CONFLICT, message);
}

function page<T>(items: T[], pageNo: number, pageSize: number): T[] {
  const start = Math.max(0, (pageNo - 1) * pageSize);
  return items.slice(start, start + Math.max(0, pageSize));
}

function instanceToString(ref: InstanceRef, ephemeral: boolean): string {
  return `Instance{ip='${ref.ip}', port=${ref.port}, clusterName='${ref.clusterName}', serviceName='${ref.serviceName}', ephemeral=${ephemeral}}`;
}

function persistedOf(inst: InstanceRecord): PersistedInstance {
  // A command carries no health: applying it must not overwrite the health the instance has then.
  const data: PersistedInstance = instanceDataOf(inst);
  delete data.healthy;
  return data;
}

/**
 * The registry: everything the naming API does, independent of HTTP. Ephemeral instances live in
 * memory and are written directly; persistent instances, services, clusters, namespaces and switches
 * are proposed through the {@link CommandProposer} (Raft) and the promise resolves only after the
 * command is committed and applied. Reads are served from the local index. Errors are
 * {@link NacosError}s whose messages are the Nacos texts.
 *
 * Call {@link start} to run expiry and {@link stop} to end it. All methods run on one thread; none
 * blocks.
 */
export class NamingRegistry {
  readonly clock: Clock;
  /** The in-memory index (shared with the state machine). */
  readonly state: RegistryState;
  /** The Raft state machine over {@link state}; hand it to the RaftNode. */
  readonly stateMachine: RegistryStateMachine;
  /** Push subscribers recorded from instance/list calls. */
  readonly subscribers = new SubscriberRegistry();
  private store: PersistentStore | undefined;
  private readonly expiryCheckMs: number;
  private isPersistenceReady: () => boolean;
  private readonly onError: (error: unknown) => void;
  private timer: NodeJS.Timeout | undefined;
  private lastSweep = 0;

  constructor(options: NamingRegistryOptions = {}) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.state = new RegistryState(this.clock);
    this.stateMachine = new RegistryStateMachine(this.state);
    if (options.proposer) this.store = new PersistentStore(options.proposer);
    this.expiryCheckMs = options.expiryCheckMs ?? 500;
    this.isPersistenceReady = options.isPersistenceReady ?? (() => this.store !== undefined);
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Sets where persistent commands go (the RaftNode, once created around {@link stateMachine}) and,
   * optionally, how to tell that it can take writes (e.g. "this member leads").
   */
  setProposer(proposer: CommandProposer, isReady?: () => boolean): void {
    this.store = new PersistentStore(proposer);
    if (isReady) this.isPersistenceReady = isReady;
  }

  /** Starts the expiry timer (unref'd). Idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (err) {
        // A bug in one round must not kill the process; the next round retries.
        this.onError(err);
      }
    }, this.expiryCheckMs);
    this.timer.unref();
  }

  /** Stops the expiry timer. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One expiry round at the clock's current time (the timer calls this; tests call it directly). */
  tick(): void {
    const now = this.clock.now();
    this.state.expireDue(now);
    if (now - this.lastSweep >= 20_000) {
      this.lastSweep = now;
      this.subscribers.sweep(now, this.subscriberTtl());
    }
  }

  /** True when the persistent layer is up and state is loaded. */
  isReady(): boolean {
    return this.isPersistenceReady();
  }

  /** Subscribes to service changes (instances, health, metadata); returns the unsubscribe function. */
  onServiceChanged(listener: ServiceChangeListener): () => void {
    return this.state.onServiceChanged(listener);
  }

  /** The current switches (do not mutate). */
  get switches(): SwitchDomain {
    return this.state.switches;
  }

  private persistent(): PersistentStore {
    if (!this.store) throw new NacosError(NACOS_ERROR_CODES.UNAVAILABLE, 'server is DOWN now, please try again later!');
    return this.store;
  }

  /**
   * How long a push subscriber stays live after its last poll: `defaultPushCacheMillis` + 2 s. Nacos
   * uses the bare push-cache time, which is exactly the client's poll period (it re-polls that long
   * after the previous answer), so a live client would look dead for one round trip per period; the
   * slack avoids that and still stops pushes to a killed client within ~12 s. The UDP push and
   * `/service/subscribers` use this same value.
   */
  subscriberTtl(): number {
    return this.state.switches.defaultPushCacheMillis + 2000;
  }

  private checkNewService(namespaceId: string, serviceName: string): void {
    if (!this.state.getService(namespaceId, serviceName)) validateServiceName(serviceName);
  }

  private checkInstanceFields(ip: string, port: number, clusterName: string): void {
    validateIp(ip);
    validatePort(port);
    validateClusterName(clusterName);
  }

  // ---------------------------------------------------------------- instances

  /** Registers (upserts) an instance. Creates the service if missing. Ephemeral: in memory; persistent: via Raft. */
  async registerInstance(req: InstanceWrite): Promise<void> {
    if (req.ephemeral) {
      this.registerEphemeralInstance(req);
      return;
    }
    this.checkInstanceFields(req.ip, req.port, req.clusterName);
    this.checkNewService(req.namespaceId, req.serviceName);
    const weight = clampWeight(req.weight);
    await this.persistent().execute({
      op: 'putInstances',
      ns: req.namespaceId,
      service: req.serviceName,
      instances: [
        {
          ip: req.ip,
          port: req.port,
          clusterName: req.clusterName,
          weight,
          initialHealthy: req.healthy,
          enabled: req.enabled,
          app: req.app,
          metadata: req.metadata,
        },
      ],
    });
  }

  /**
   * {@link registerInstance} for an ephemeral instance (`req.ephemeral` must be true), synchronously:
   * done in memory when it returns, so a hot path can answer in the same turn. Throws NacosError on bad
   * fields.
   */
  registerEphemeralInstance(req: InstanceWrite): void {
    this.checkInstanceFields(req.ip, req.port, req.clusterName);
    this.checkNewService(req.namespaceId, req.serviceName);
    const entry = this.state.ensureService(req.namespaceId, req.serviceName);
    this.state.putInstance(entry, {
      ip: req.ip,
      port: req.port,
      clusterName: req.clusterName,
      ephemeral: true,
      weight: clampWeight(req.weight),
      initialHealthy: req.healthy,
      enabled: req.enabled,
      app: req.app,
      metadata: req.metadata,
    });
  }

  /**
   * PUT /instance. With `mustExist` (Java clients ≥ 1.0.0) the instance must already exist (400
   * otherwise); without it, it behaves like register, as Nacos does for the console and curl.
   */
  async updateInstance(req: InstanceWrite, mustExist: boolean): Promise<void> {
    if (mustExist) {
      const entry = this.state.getService(req.namespaceId, req.serviceName);
      if (!entry) {
        throw conflict(`service not found, namespace: ${req.namespaceId}, service: ${req.serviceName}`);
      }
      const key = instanceKey(req.ip, req.port, req.clusterName);
      if (!entry.mapOf(req.ephemeral).has(key)) throw conflict(`instance not exist: ${instanceToString(req, req.ephemeral)}`);
    }
    await this.registerInstance(req);
  }

  /** Removes an instance. A missing service or instance is not an error (Nacos answers `ok`). */
  async deregisterInstance(ref: InstanceRef, ephemeral: boolean): Promise<void> {
    const entry = this.state.getService(ref.namespaceId, ref.serviceName);
    if (!entry) return;
    const key = instanceKey(ref.ip, ref.port, ref.clusterName);
    if (ephemeral) {
      this.state.removeInstance(entry, true, key);
      return;
    }
    if (!entry.persistent.has(key)) return;
    await this.persistent().execute({
      op: 'removeInstance',
      ns: ref.namespaceId,
      service: ref.serviceName,
      ip: ref.ip,
      port: ref.port,
      clusterName: ref.clusterName,
    });
  }

  private findInstance(ref: InstanceRef): InstanceRecord | undefined {
    const entry = this.state.getService(ref.namespaceId, ref.serviceName);
    if (!entry) return undefined;
    const key = instanceKey(ref.ip, ref.port, ref.clusterName);
    return entry.ephemeral.get(key) ?? entry.persistent.get(key);
  }

  /** PATCH /instance: merges the given fields; 400 `instance not found` when missing. */
  async patchInstance(patch: InstancePatch): Promise<void> {
    const inst = this.findInstance(patch);
    if (!inst?.owner) throw conflict('instance not found');
    const entry = inst.owner;
    if (inst.ephemeral) {
      if (patch.metadata !== undefined) inst.setMetadata(this.state.internMetadata(patch.metadata));
      if (patch.app !== undefined) inst.app = this.state.internString(patch.app);
      if (patch.weight !== undefined) inst.weight = clampWeight(patch.weight);
      if (patch.healthy !== undefined) inst.healthy = patch.healthy;
      if (patch.enabled !== undefined) inst.enabled = patch.enabled;
      this.state.scheduleExpiry(inst);
      this.state.changed(entry);
      return;
    }
    const next = persistedOf(inst);
    if (patch.metadata !== undefined) next.metadata = patch.metadata;
    if (patch.app !== undefined) next.app = patch.app;
    if (patch.weight !== undefined) next.weight = clampWeight(patch.weight);
    if (patch.healthy !== undefined) next.healthy = patch.healthy;
    if (patch.enabled !== undefined) next.enabled = patch.enabled;
    await this.persistent().execute({ op: 'putInstances', ns: entry.namespaceId, service: entry.name, instances: [next] });
  }

  /** GET /instance: the instance detail, or 404 with Nacos' texts. */
  getInstance(ref: InstanceRef): Record<string, unknown> {
    const entry = this.state.getService(ref.namespaceId, ref.serviceName);
    if (!entry) throw notFound(`no service ${ref.serviceName} found!`);
    let any = false;
    let found: InstanceRecord | undefined;
    entry.forEachInstance((inst) => {
      if (inst.clusterName !== ref.clusterName) return;
      any = true;
      if (!found && inst.ip === ref.ip && inst.port === ref.port) found = inst;
    });
    if (!any) throw notFound(`no ips found for cluster ${ref.clusterName} in service ${ref.serviceName}`);
    if (!found) throw notFound('no matched ip found!');
    return {
      service: ref.serviceName,
      ip: found.ip,
      port: found.port,
      clusterName: found.clusterName,
      weight: found.weight,
      healthy: found.healthy,
      instanceId: found.instanceId,
      metadata: found.metadata,
    };
  }

  /**
   * GET /instance/list: the JSON body (a string). Unknown service → the minimal body with empty
   * `hosts`. Applies the clusters filter, protect threshold (healthy/total ≤ threshold returns every
   * instance as healthy and sets `reachProtectionThreshold`), drops disabled instances and, with
   * healthyOnly, unhealthy ones. Bodies are cached per service version and request shape; only
   * `lastRefTime` is spliced in per call. Records a push subscriber when `udpPort` > 0 and the agent
   * is push-capable.
   */
  listInstances(req: ListRequest): string {
    return this.listAnswer(req, false).body;
  }

  /**
   * {@link listInstances} for a client that accepts gzip: `gzip` is the same body compressed, when the
   * body is at least {@link LIST_GZIP_MIN_BYTES} (smaller ones are not worth it, as Nacos' own 1 KB
   * push rule). Compression happens once per service version and request shape (see SplicedGzip);
   * each answer still carries its own `lastRefTime`.
   */
  listAnswer(req: ListRequest, acceptsGzip: boolean): ListAnswer {
    const switches = this.state.switches;
    let pushClient = false;
    if (req.udpPort > 0 && switches.pushEnabled && isPushCapable(req.userAgent)) {
      pushClient = true;
      this.recordSubscriber(req);
    }
    return this.renderList(req, pushClient ? switches.defaultPushCacheMillis : switches.defaultCacheMillis, acceptsGzip);
  }

  /**
   * The body a UDP push carries to one subscriber (NACOS-FACTS §4): the instance/list answer for its
   * `clusters` and User-Agent, unhealthy hosts included, `cacheMillis` = the push cache time. Records
   * no subscriber. For the push module's `render` callback.
   */
  renderPushBody(namespaceId: string, serviceName: string, clusters: string, userAgent: string): string {
    return this.renderList(
      { namespaceId, serviceName, clusters, healthyOnly: false, userAgent, clientIP: '', udpPort: 0, app: '', env: '' },
      this.state.switches.defaultPushCacheMillis,
      false,
    ).body;
  }

  /**
   * Sets an instance's health as a server-side checker decided (no NONE-checker rule, unlike
   * {@link updateHealth}); marked instances are left alone. In memory only, as in Nacos. Returns true
   * when the health changed (listeners are told).
   */
  setInstanceHealth(ref: InstanceRef, ephemeral: boolean, healthy: boolean): boolean {
    const entry = this.state.getService(ref.namespaceId, ref.serviceName);
    const inst = entry?.mapOf(ephemeral).get(instanceKey(ref.ip, ref.port, ref.clusterName));
    if (!entry || !inst || inst.marked || inst.healthy === healthy) return false;
    inst.healthy = healthy;
    if (inst.ephemeral) this.state.scheduleExpiry(inst);
    this.state.changed(entry);
    return true;
  }

  private recordSubscriber(req: ListRequest): void {
    // Fall back to the TCP peer when the client did not say (more robust than Nacos behind NAT).
    const remoteAddress = req.remoteAddress ? normalizeAddress(req.remoteAddress) : undefined;
    const ip = req.clientIP || remoteAddress || '';
    this.subscribers.record({
      remoteAddress,
      addrStr: `${ip}:${req.udpPort}`,
      agent: req.userAgent,
      app: req.app,
      ip,
      port: req.udpPort,
      namespaceId: req.namespaceId,
      serviceName: req.serviceName,
      cluster: req.clusters,
      lastRefTime: this.clock.now(),
    });
  }

  private renderList(req: ListRequest, cacheMillis: number, acceptsGzip: boolean): ListAnswer {
    const entry = this.state.getService(req.namespaceId, req.serviceName);
    if (!entry) {
      return { body: `{"name":${JSON.stringify(req.serviceName)},"clusters":${JSON.stringify(req.clusters)},"cacheMillis":${cacheMillis},"hosts":[]}` };
    }
    if (!entry.enabled) throw new NacosError(NACOS_ERROR_CODES.SERVER_ERROR, 'service is disabled now.');
    const grouped = wantsGroupedNames(req.userAgent);
    const cacheKey = `${req.clusters}\u0000${req.healthyOnly ? 1 : 0}${grouped ? 1 : 0}\u0000${cacheMillis}\u0000${req.env}`;
    let cached = entry.listCache.get(cacheKey);
    if (!cached) {
      cached = this.buildList(entry, req, grouped, cacheMillis);
      // Bound the cache: odd `clusters`/`env` strings must not grow it without limit.
      if (entry.listCache.size >= 64) entry.listCache.clear();
      entry.listCache.set(cacheKey, cached);
    }
    const time = String(this.clock.wallNow());
    const body = cached.prefix + time + cached.suffix;
    if (!acceptsGzip) return { body };
    if (cached.gzip === undefined) {
      cached.gzip = cached.prefix.length + cached.suffix.length >= LIST_GZIP_MIN_BYTES ? new SplicedGzip(cached.prefix, cached.suffix) : null;
    }
    return cached.gzip === null ? { body } : { body, gzip: cached.gzip.with(time) };
  }

  private buildList(entry: ServiceEntry, req: ListRequest, grouped: boolean, cacheMillis: number) {
    const wanted = req.clusters === '' ? undefined : new Set(req.clusters.split(',').map((c) => c.trim()));
    const selected: InstanceRecord[] = [];
    let healthyCount = 0;
    entry.forEachInstance((inst) => {
      if (wanted && !wanted.has(inst.clusterName)) return;
      selected.push(inst);
      if (inst.healthy) healthyCount++;
    });
    const reach = selected.length > 0 && healthyCount / selected.length <= entry.protectThreshold;
    const displayName = grouped ? entry.name : getServiceName(entry.name);
    const hosts: Record<string, unknown>[] = [];
    for (const inst of selected) {
      if (!inst.enabled) continue;
      const healthy = reach || inst.healthy;
      if (req.healthyOnly && !healthy) continue;
      hosts.push(hostView(inst, healthy, displayName));
    }
    const head = {
      hosts,
      dom: displayName,
      name: entry.name,
      groupName: entry.groupName,
      cacheMillis,
    };
    const tail = {
      checksum: this.checksumOf(entry),
      useSpecifiedURL: false,
      clusters: req.clusters,
      env: req.env,
      metadata: entry.metadata,
      allIPs: false,
      reachProtectionThreshold: reach,
      reachProtectThreshold: reach,
      valid: true,
    };
    const headJson = JSON.stringify(head);
    const tailJson = JSON.stringify(tail);
    return { prefix: `${headJson.slice(0, -1)},"lastRefTime":`, suffix: `,${tailJson.slice(1)}` };
  }

  /** The service checksum (MD5 hex) as Nacos computes it, cached per version. */
  checksumOf(entry: ServiceEntry): string {
    if (entry.checksum !== undefined) return entry.checksum;
    const ips: string[] = [];
    let invalid = 0;
    entry.forEachInstance((inst) => {
      if (!inst.healthy) invalid++;
      ips.push(`${inst.ip}:${inst.port}_${inst.weight}_${inst.healthy}_${inst.clusterName},`);
    });
    ips.sort();
    const summary = JSON.stringify({
      name: entry.name,
      ipCount: ips.length,
      invalidIPCount: invalid,
      owners: [],
      token: null,
      protectThreshold: entry.protectThreshold,
      clusters: [...entry.clusters.values()].map((c) => ({
        name: c.name,
        healthChecker: c.healthChecker,
        defCkport: c.defaultCheckPort,
        defIPPort: c.defaultPort,
        useIPPort4Check: c.useIPPort4Check,
        sitegroup: '',
      })),
    });
    entry.checksum = createHash('md5').update(summary).update(ips.join('')).digest('hex');
    return entry.checksum;
  }

  /**
   * PUT /instance/beat. Renews the instance's lease (and flips it healthy unless marked) → code
   * 10200. Unknown instance: with a full beat it is re-registered from the beat (Nacos' data
   * compensation) → 10200; with a light beat → 20404.
   */
  beat(req: BeatRequest): BeatResult {
    const switches = this.state.switches;
    let clusterName = req.clusterName;
    let ip = req.ip;
    let port = req.port;
    const beat = req.beat;
    if (beat) {
      if (beat.cluster) clusterName = beat.cluster;
      if (beat.ip !== undefined) ip = beat.ip;
      if (beat.port !== undefined) port = beat.port;
    }
    const entry = this.state.getService(req.namespaceId, req.serviceName);
    let inst = entry?.ephemeral.get(instanceKey(ip, port, clusterName));
    if (!inst) {
      if (!beat) return { clientBeatInterval: switches.clientBeatInterval, code: BEAT_CODES.RESOURCE_NOT_FOUND };
      this.checkInstanceFields(ip, port, clusterName);
      this.checkNewService(req.namespaceId, req.serviceName);
      const target = entry ?? this.state.ensureService(req.namespaceId, req.serviceName);
      inst = this.state.putInstance(target, {
        ip,
        port,
        clusterName,
        ephemeral: true,
        weight: clampWeight(beat.weight ?? 1),
        initialHealthy: true,
        enabled: true,
        app: DEFAULT_APP,
        metadata: beat.metadata ?? {},
      });
    } else {
      this.state.renew(inst);
    }
    return {
      clientBeatInterval: inst.hasCustomInterval ? inst.heartBeatInterval : switches.clientBeatInterval,
      code: BEAT_CODES.OK,
      lightBeatEnabled: switches.lightBeatEnabled,
    };
  }

  /** GET /instance/statuses: `ip:port_healthy` of every instance; 404 `service: X not found.` */
  statuses(key: string): { ips: string[] } {
    const split = key.indexOf('##');
    const namespaceId = split >= 0 ? key.slice(0, split) : DEFAULT_NAMESPACE_ID;
    const name = split >= 0 ? key.slice(split + 2) : key;
    const entry = this.state.getService(namespaceId, name);
    if (!entry) throw notFound(`service: ${name} not found.`);
    const ips: string[] = [];
    entry.forEachInstance((inst) => {
      ips.push(`${inst.ip}:${inst.port}_${inst.healthy}`);
    });
    return { ips };
  }

  /**
   * PUT/DELETE /instance/metadata/batch: merges (`remove` false) or removes (`remove` true) metadata
   * keys on the selected instances: those listed, or with `consistencyType` all ephemeral
   * (`ephemeral`) or persistent (`persist`) ones, or all when neither is given.
   */
  async batchMetadata(
    namespaceId: string,
    serviceName: string,
    metadata: Metadata,
    remove: boolean,
    selection: { consistencyType?: string; instances?: Array<{ ip: string; port: number; clusterName: string; ephemeral: boolean }> },
  ): Promise<{ updated: string[] }> {
    const entry = this.state.getService(namespaceId, serviceName);
    if (!entry) throw conflict(`service not found, namespace: ${namespaceId}, service: ${serviceName}`);
    const targets: InstanceRecord[] = [];
    if (selection.instances && selection.instances.length > 0) {
      for (const want of selection.instances) {
        const inst = entry.mapOf(want.ephemeral).get(instanceKey(want.ip, want.port, want.clusterName));
        if (inst) targets.push(inst);
      }
    } else {
      const type = selection.consistencyType;
      entry.forEachInstance((inst) => {
        if (type === 'ephemeral' && !inst.ephemeral) return;
        if (type === 'persist' && inst.ephemeral) return;
        targets.push(inst);
      });
    }
    const merge = (current: Metadata): Metadata => {
      const next: Metadata = { ...current };
      for (const [k, v] of Object.entries(metadata)) {
        if (remove) delete next[k];
        else next[k] = v;
      }
      return next;
    };
    const updated = targets.map((inst) => `${inst.ip}:${inst.port}:unknown:${inst.clusterName}:${inst.ephemeral}`);
    const persistentUpdates = targets
      .filter((inst) => !inst.ephemeral)
      .map((inst) => ({ ...persistedOf(inst), metadata: merge(inst.metadata) }));
    // Persistent part first: if Raft refuses, nothing has changed (no half-applied batch).
    if (persistentUpdates.length > 0) {
      await this.persistent().execute({ op: 'putInstances', ns: namespaceId, service: serviceName, instances: persistentUpdates });
    }
    let ephemeralChanged = false;
    for (const inst of targets) {
      if (!inst.ephemeral || !inst.owner) continue;
      inst.setMetadata(this.state.internMetadata(merge(inst.metadata)));
      this.state.scheduleExpiry(inst);
      ephemeralChanged = true;
    }
    if (ephemeralChanged) this.state.changed(entry);
    return { updated };
  }

  /**
   * PUT /health: sets an instance's health by hand. Only when its cluster's checker is NONE (else 400
   * `health check is still working, service: X`). In memory only, as in Nacos.
   */
  updateHealth(ref: InstanceRef, healthy: boolean): void {
    const entry = this.state.getService(ref.namespaceId, ref.serviceName);
    if (!entry) throw conflict(`service not found: ${ref.serviceName}@${ref.namespaceId}`);
    const cluster = entry.clusters.get(ref.clusterName);
    if (cluster?.healthChecker.type !== 'NONE') {
      throw conflict(`health check is still working, service: ${ref.serviceName}`);
    }
    const key = instanceKey(ref.ip, ref.port, ref.clusterName);
    const inst = entry.ephemeral.get(key) ?? entry.persistent.get(key);
    if (!inst || inst.healthy === healthy) return;
    inst.healthy = healthy;
    if (inst.ephemeral) this.state.scheduleExpiry(inst);
    this.state.changed(entry);
  }

  // ---------------------------------------------------------------- services

  /** POST /service. 400 `specified service already exists, serviceName : X` when present. */
  async createService(req: ServiceWrite): Promise<void> {
    validateServiceName(req.serviceName);
    if (this.state.getService(req.namespaceId, req.serviceName)) {
      throw conflict(`specified service already exists, serviceName : ${req.serviceName}`);
    }
    await this.persistent().execute({
      op: 'createService',
      ns: req.namespaceId,
      name: req.serviceName,
      protectThreshold: req.protectThreshold,
      metadata: req.metadata,
      selector: req.selector,
    });
  }

  /** PUT /service. 400 `service X not found!` when missing. */
  async updateService(req: ServiceWrite): Promise<void> {
    if (!this.state.getService(req.namespaceId, req.serviceName)) throw conflict(`service ${req.serviceName} not found!`);
    await this.persistent().execute({
      op: 'updateService',
      ns: req.namespaceId,
      name: req.serviceName,
      protectThreshold: req.protectThreshold,
      metadata: req.metadata,
      selector: req.selector,
    });
  }

  /** DELETE /service: removes the service and, as Nacos 1.x does, all its instances. */
  async removeService(namespaceId: string, serviceName: string): Promise<void> {
    if (!this.state.getService(namespaceId, serviceName)) {
      throw conflict(`specified service not exist, serviceName : ${serviceName}`);
    }
    await this.persistent().execute({ op: 'removeService', ns: namespaceId, name: serviceName });
  }

  /** GET /service. 404 `service X is not found!` */
  getService(namespaceId: string, serviceName: string): Record<string, unknown> {
    const entry = this.state.getService(namespaceId, serviceName);
    if (!entry) throw notFound(`service ${serviceName} is not found!`);
    return {
      namespaceId,
      groupName: entry.groupName,
      name: getServiceName(entry.name),
      protectThreshold: entry.protectThreshold,
      metadata: entry.metadata,
      selector: entry.selector,
      clusters: [...entry.clusters.values()].map((c) => ({
        name: c.name,
        healthChecker: c.healthChecker,
        metadata: c.metadata,
      })),
    };
  }

  private servicesOf(namespaceId: string): ServiceEntry[] {
    const map = this.state.namespaces.get(namespaceId);
    if (!map) return [];
    return [...map.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** GET /service/list: ungrouped names of one group (or every group with `*`), 1-based pages. */
  listServices(namespaceId: string, groupName: string, pageNo: number, pageSize: number): { count: number; doms: string[] } {
    const names = this.servicesOf(namespaceId)
      .filter((e) => groupName === '*' || e.groupName === groupName)
      .map((e) => getServiceName(e.name));
    return { count: names.length, doms: page(names, pageNo, pageSize) };
  }

  /** ANY /service/names: names per namespace (all namespaces when `namespaceId` is blank), substring filter. */
  serviceNames(namespaceId: string, expr: string): { services: Record<string, string[]>; count: number } {
    const services: Record<string, string[]> = {};
    const namespaces = namespaceId === '' ? [...this.state.namespaces.keys()].sort() : [namespaceId];
    for (const ns of namespaces) {
      const names = this.servicesOf(ns)
        .map((e) => getServiceName(e.name))
        .filter((n) => expr === '' || n.includes(expr));
      if (names.length > 0 || namespaceId !== '') services[ns] = names;
    }
    return { services, count: Object.keys(services).length };
  }

  /** GET /service/subscribers: live subscribers whose service and group contain the requested ones. */
  listSubscribers(namespaceId: string, serviceName: string, pageNo: number, pageSize: number): { subscribers: Subscriber[]; count: number } {
    const wantService = getServiceName(serviceName);
    const wantGroup = getGroupName(serviceName);
    const all = this.subscribers
      .find(
        namespaceId,
        (name) => getServiceName(name).includes(wantService) && getGroupName(name).includes(wantGroup),
        this.clock.now(),
        this.subscriberTtl(),
      )
      .sort((a, b) => (a.addrStr < b.addrStr ? -1 : a.addrStr > b.addrStr ? 1 : 0));
    return {
      // Nacos' fields only: the poll time and source address are bookkeeping.
      subscribers: page(all, pageNo, pageSize).map((s) => ({ ...s, lastRefTime: undefined, remoteAddress: undefined }) as unknown as Subscriber),
      count: all.length,
    };
  }

  /** PUT /cluster: creates or replaces a cluster's settings (through Raft). 400 when the service is missing. */
  async updateCluster(req: ClusterWrite): Promise<void> {
    validateClusterName(req.clusterName);
    if (!this.state.getService(req.namespaceId, req.serviceName)) throw conflict(`service not found:${req.serviceName}`);
    const cluster: Cluster = {
      serviceName: req.serviceName,
      name: req.clusterName,
      healthChecker: req.healthChecker,
      defaultCheckPort: req.checkPort,
      defaultPort: req.checkPort,
      useIPPort4Check: req.useInstancePort4Check,
      metadata: req.metadata,
    };
    await this.persistent().execute({ op: 'putCluster', ns: req.namespaceId, service: req.serviceName, cluster });
  }

  // ---------------------------------------------------------------- catalog

  /** GET /catalog/service: service summary plus full clusters; 404 when missing. */
  catalogService(namespaceId: string, serviceName: string): Record<string, unknown> {
    const entry = this.state.getService(namespaceId, serviceName);
    if (!entry) throw notFound(`service ${serviceName} is not found!`);
    return {
      service: {
        name: getServiceName(entry.name),
        protectThreshold: entry.protectThreshold,
        groupName: entry.groupName,
        selector: entry.selector,
        metadata: entry.metadata,
      },
      clusters: [...entry.clusters.values()],
    };
  }

  private matchesCatalog(entry: ServiceEntry, q: CatalogQuery): boolean {
    if (q.serviceNameParam && !getServiceName(entry.name).includes(q.serviceNameParam)) return false;
    if (q.groupNameParam && !entry.groupName.includes(q.groupNameParam)) return false;
    if (q.hasIpCount && entry.instanceCount === 0) return false;
    if (q.instance) {
      const [ip, port] = q.instance.split(':');
      let hit = false;
      entry.forEachInstance((inst) => {
        if (inst.ip === ip && (port === undefined || String(inst.port) === port)) hit = true;
      });
      if (!hit) return false;
    }
    return true;
  }

  /** GET /catalog/services with `withInstances=false`: one summary row per service. */
  catalogServices(q: CatalogQuery): { count: number; serviceList: Record<string, unknown>[] } {
    const matched = this.servicesOf(q.namespaceId).filter((e) => this.matchesCatalog(e, q));
    const serviceList = page(matched, q.pageNo, q.pageSize).map((entry) => {
      let healthy = 0;
      entry.forEachInstance((inst) => {
        if (inst.healthy) healthy++;
      });
      const total = entry.instanceCount;
      return {
        name: getServiceName(entry.name),
        groupName: entry.groupName,
        clusterCount: entry.clusters.size,
        ipCount: total,
        healthyInstanceCount: healthy,
        triggerFlag: String(total > 0 && healthy / total <= entry.protectThreshold),
      };
    });
    return { count: matched.length, serviceList };
  }

  /** GET /catalog/services with `withInstances=true`: services with their hosts per cluster. */
  catalogServicesWithInstances(q: CatalogQuery): Record<string, unknown>[] {
    const matched = this.servicesOf(q.namespaceId).filter((e) => this.matchesCatalog(e, q));
    return page(matched, q.pageNo, q.pageSize).map((entry) => {
      const clusterMap: Record<string, { hosts: Record<string, unknown>[] }> = {};
      for (const name of entry.clusters.keys()) clusterMap[name] = { hosts: [] };
      entry.forEachInstance((inst) => {
        let cluster = clusterMap[inst.clusterName];
        if (!cluster) {
          cluster = { hosts: [] };
          clusterMap[inst.clusterName] = cluster;
        }
        cluster.hosts.push({
          ip: inst.ip,
          port: inst.port,
          valid: inst.healthy,
          weight: inst.weight,
          enabled: inst.enabled,
          metadata: inst.metadata,
        });
      });
      return { serviceName: getServiceName(entry.name), groupName: entry.groupName, clusterMap, metadata: entry.metadata };
    });
  }

  /** ANY /catalog/instances: full instance JSON of one cluster, paged; 404 for a missing service or cluster. */
  catalogInstances(namespaceId: string, serviceName: string, clusterName: string, pageNo: number, pageSize: number): { list: Record<string, unknown>[]; count: number } {
    const entry = this.state.getService(namespaceId, serviceName);
    if (!entry) throw notFound(`service ${serviceName} is not found!`);
    if (!entry.clusters.has(clusterName)) throw notFound(`cluster ${clusterName} is not found!`);
    const all: InstanceRecord[] = [];
    entry.forEachInstance((inst) => {
      if (inst.clusterName === clusterName) all.push(inst);
    });
    const wallOf = this.wallOf();
    return { list: page(all, pageNo, pageSize).map((inst) => fullInstanceView(inst, entry.name, wallOf)), count: all.length };
  }

  private wallOf(): (mono: number) => number {
    const now = this.clock.now();
    const wall = this.clock.wallNow();
    return (mono) => wall - (now - mono);
  }

  // ---------------------------------------------------------------- operator

  /**
   * PUT /operator/switches: validates and stores one entry. Stored through Raft unless `debug`, which
   * changes only this node's memory. Unknown entries are refused (400), unlike Nacos 1.x.
   */
  async updateSwitch(entry: string, value: string, debug: boolean): Promise<void> {
    const next = updateSwitches(this.state.switches, entry, value);
    if (debug) {
      this.stateMachine.applyCommand({ op: 'setSwitches', switches: next });
      return;
    }
    await this.persistent().execute({ op: 'setSwitches', switches: next });
  }

  /** GET /operator/metrics. */
  metrics(): Record<string, unknown> {
    const override = this.state.switches.overriddenServerStatus;
    const cores = Math.max(1, cpus().length);
    return {
      status: override ?? (this.isReady() ? 'UP' : 'DOWN'),
      serviceCount: this.state.serviceCount,
      instanceCount: this.state.instanceCount,
      subscribeCount: this.subscribers.size,
      raftNotifyTaskCount: 0,
      responsibleServiceCount: this.state.serviceCount,
      responsibleInstanceCount: this.state.instanceCount,
      cpu: Math.min(1, (loadavg()[0] ?? 0) / cores),
      load: loadavg()[0] ?? 0,
      mem: 1 - freemem() / totalmem(),
    };
  }

  // ---------------------------------------------------------------- namespaces

  /** Every namespace: `public` first (shown with id ""), then custom ones in creation order. */
  listNamespaces(): NamespaceView[] {
    const out: NamespaceView[] = [{ namespace: '', namespaceShowName: 'public', quota: 200, configCount: 0, type: 0 }];
    for (const ns of this.state.customNamespaces.values()) {
      out.push({ namespace: ns.id, namespaceShowName: ns.name, quota: 200, configCount: 0, type: 2 });
    }
    return out;
  }

  /** One namespace with its description; "" and `public` are the default. 404 when unknown. */
  getNamespace(id: string): NamespaceView {
    if (id === '' || id === DEFAULT_NAMESPACE_ID) {
      return { namespace: '', namespaceShowName: 'public', quota: 200, configCount: 0, type: 0, namespaceDesc: 'Public Namespace' };
    }
    const ns = this.state.customNamespaces.get(id);
    if (!ns) throw notFound(`namespace ${id} is not found`);
    return { namespace: ns.id, namespaceShowName: ns.name, quota: 200, configCount: 0, type: 2, namespaceDesc: ns.desc };
  }

  /** True when a namespace id is taken (the default included). */
  namespaceExists(id: string): boolean {
    return id === '' || id === DEFAULT_NAMESPACE_ID || this.state.customNamespaces.has(id);
  }

  /**
   * Creates a namespace; a blank id gets a UUID. Refusals (bad or taken id, blank name) are 400 with
   * a message, where Nacos answers 200 `false`. Returns the id.
   */
  async createNamespace(id: string, name: string, desc: string): Promise<string> {
    const namespaceId = id === '' ? randomUUID() : id;
    if (!isValidNamespaceId(namespaceId)) {
      throw new NacosError(
        NACOS_ERROR_CODES.INVALID_PARAM,
        `Param 'customNamespaceId' is illegal, it must match ^[\\w-]+ and be at most 128 characters, current: ${namespaceId}`,
      );
    }
    if (name === '') throw new NacosError(NACOS_ERROR_CODES.PARAM_MISSING, "Param 'namespaceName' is required.");
    if (this.namespaceExists(namespaceId)) throw conflict(`namespace ${namespaceId} already exists`);
    const record: NamespaceRecord = { id: namespaceId, name, desc };
    await this.persistent().execute({ op: 'createNamespace', namespace: record });
    return namespaceId;
  }

  /** Renames / re-describes a custom namespace; 400 for the default or an unknown id. */
  async updateNamespace(id: string, name: string, desc: string): Promise<void> {
    if (id === '' || id === DEFAULT_NAMESPACE_ID) throw conflict('the default namespace public cannot be changed');
    if (!this.state.customNamespaces.has(id)) throw conflict(`namespace ${id} does not exist`);
    if (name === '') throw new NacosError(NACOS_ERROR_CODES.PARAM_MISSING, "Param 'namespaceShowName' is required.");
    await this.persistent().execute({ op: 'updateNamespace', namespace: { id, name, desc } });
  }

  /** Deletes a custom namespace (its services stay reachable by id); 400 for the default or an unknown id. */
  async deleteNamespace(id: string): Promise<void> {
    if (id === '' || id === DEFAULT_NAMESPACE_ID) throw conflict('the default namespace public cannot be deleted');
    if (!this.state.customNamespaces.has(id)) throw conflict(`namespace ${id} does not exist`);
    await this.persistent().execute({ op: 'removeNamespace', id });
  }

  /** Number of services (for /health/server). */
  get serviceCount(): number {
    return this.state.serviceCount;
  }
}
