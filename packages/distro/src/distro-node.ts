import { batchDigestOf, type ChecksumBatch, type KeyChecksum, planVerify } from './checksum';
import type { Clock, TimerHandle } from './clock';
import { DISTRO_ERROR_CODES, DistroError, isDistroError } from './errors';
import type { MembershipView } from './membership';
import { OwnerMap } from './owner-map';
import { APPLY_REASONS, type ApplyReason, type DistroProcessor } from './processor';
import { type DistroStorage, MemoryStorage, type StoredEntry } from './storage';
import { SyncQueue, type SyncBatch } from './sync-queue';
import type { DistroRequest, DistroResponse, DistroTransport, EntriesResponse, TransferEntry } from './transport';
import type { TypedKey } from './typed-key';
import { makeEntry, makeLazyEntry, nextVersion, supersedes, type Version } from './versioned-entry';

/** Timings of a distro node. Defaults in {@link DEFAULT_DISTRO_CONFIG}. */
export interface DistroConfig {
  /** Delay before a changed key is synced to peers; keys changed meanwhile share the batch. Nacos: 1000 ms (+1000 ms merge). */
  readonly syncDelayMs: number;
  /** Keys per sync batch; a full batch is sent at once. Nacos `batchSyncKeyCount`: 1000. */
  readonly batchSyncKeyCount: number;
  /** First retry delay after a failed sync to a peer. Nacos `syncRetryDelay`: 5000 ms. */
  readonly syncRetryDelayMs: number;
  /** Cap of the exponential backoff between sync retries to one peer. */
  readonly syncRetryMaxDelayMs: number;
  /** How often an owner sends checksums of its keys. Nacos `verify_interval_ms`: 5000 ms. */
  readonly verifyIntervalMs: number;
  /** Wait between rounds of trying every peer for the startup snapshot. Nacos: 30000 ms; shorter here since we are not ready meanwhile. */
  readonly loadRetryDelayMs: number;
  /** After this long without a snapshot the node becomes ready anyway (reason `timeout`) and keeps loading. */
  readonly loadTimeoutMs: number;
  /** The healthy list must be unchanged this long (and equal to the owner's) before a verify round may delete. */
  readonly membershipSettleMs: number;
  /**
   * Tombstones are purged once they are this old and every configured member has been healthy
   * for this long; until then a late, older write cannot resurrect a deleted key. A member that
   * stays DOWN blocks purging, so remove dead members from the member list.
   */
  readonly tombstoneTtlMs: number;
}

/** Default timings: Nacos' where Nacos has one. */
export const DEFAULT_DISTRO_CONFIG: DistroConfig = Object.freeze({
  syncDelayMs: 1000,
  batchSyncKeyCount: 1000,
  syncRetryDelayMs: 5000,
  syncRetryMaxDelayMs: 60000,
  verifyIntervalMs: 5000,
  loadRetryDelayMs: 5000,
  loadTimeoutMs: 30000,
  membershipSettleMs: 10000,
  tombstoneTtlMs: 600000,
});

/** Optional logging sink. Messages are short sentences; `fields` carry ids. */
export interface DistroLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
}

/** Constructor arguments of {@link DistroNode}. */
export interface DistroNodeOptions {
  /** This member's address, as it appears in the membership view. */
  readonly self: string;
  readonly transport: DistroTransport;
  readonly membership: MembershipView;
  readonly clock: Clock;
  /** Defaults to a fresh MemoryStorage (ephemeral data: lost on restart, reloaded from peers). */
  readonly storage?: DistroStorage;
  readonly processors?: readonly DistroProcessor[];
  readonly config?: Partial<DistroConfig>;
  /**
   * The string owner mapping hashes for a key, e.g. the grouped service name for a naming key that
   * also carries the namespace (Nacos hashes the service name only). Defaults to the key itself.
   * Must be pure and the same on every member.
   */
  readonly routingKeyOf?: (type: string, key: string) => string;
  readonly logger?: DistroLogger;
}

/** Why the node is or is not ready. */
export type Readiness =
  | { readonly ready: false; readonly reason: 'loading' | 'stopped' }
  | { readonly ready: true; readonly reason: 'standalone' | 'loaded' | 'cold-start' | 'timeout' };

/**
 * Keys (live ones, tombstones excluded) whose responsibility moved to or away from this node after
 * a membership change. The new owner should start expiry for `gained` with fresh leases (Nacos
 * reuses stale beat times, issue #1873), and stop it for `lost`.
 */
export interface OwnershipChange {
  readonly gained: readonly TypedKey[];
  readonly lost: readonly TypedKey[];
  /** The healthy list after the change. */
  readonly healthy: readonly string[];
}

/** Counters for tests, benchmarks and metrics. Monotonic while the node runs. */
export interface DistroStats {
  localWrites: number;
  applied: number;
  staleIgnored: number;
  syncBatchesSent: number;
  syncBatchesFailed: number;
  verifyRoundsSent: number;
  fetchedKeys: number;
  pushedKeys: number;
  droppedKeys: number;
  purgedTombstones: number;
  snapshotLoads: number;
  /** Keys queued for sync to peers right now (a gauge, not a counter). */
  syncQueueKeys: number;
}

/** A live value with its version, as `get` returns it. */
export interface DistroValue {
  readonly value: Uint8Array;
  readonly version: Version;
}

/**
 * One member's distro: the driver around the pure parts (owner map, merge rules, sync queue,
 * verify plan), wired to the injected transport, storage, processors, clock and membership view.
 *
 * Lifecycle: construct, `registerProcessor` for each type, `start()`, then serve; `stop()` cancels
 * every timer and makes later callbacks no-ops. Methods are synchronous except `whenReady`; all
 * network work runs in the background and failures are retried, never thrown at callers.
 *
 * Guarantees (see README for the reasoning):
 * - A key's value on this node only ever moves to a strictly newer version (`compareEntries`).
 * - Deletes are tombstones; a verify round deletes a key the owner lacks only when the healthy
 *   list has been stable for `membershipSettleMs`, equals the owner's, and the owner loaded data.
 * - Not ready (writes refused with NOT_READY, snapshot requests refused) until a snapshot is
 *   loaded from a peer, every peer answered that it is starting too, or `loadTimeoutMs` passed.
 */
export class DistroNode {
  readonly self: string;
  private readonly transport: DistroTransport;
  private readonly membership: MembershipView;
  private readonly clock: Clock;
  private readonly storage: DistroStorage;
  private readonly config: DistroConfig;
  private readonly routingKeyOf: (type: string, key: string) => string;
  private readonly logger: DistroLogger;
  private readonly processors = new Map<string, DistroProcessor>();
  private readonly queue: SyncQueue;
  private readonly ownershipListeners = new Set<(change: OwnershipChange) => void>();
  private readonly readyWaiters: Array<{ resolve: (r: Readiness) => void; reject: (e: unknown) => void }> = [];
  private readonly verifyInFlight = new Set<string>();
  private ownerMap: OwnerMap;
  private state: Readiness = { ready: false, reason: 'loading' };
  private started = false;
  private stopped = false;
  /** True once data came from a peer snapshot (or all peers were starting): our checksums may justify deletes. */
  private loaded = false;
  private lastViewChangeAt = 0;
  private purgeHorizon = 0;
  /** Since when every configured member has been UP or SUSPICIOUS in our view; undefined while one is DOWN. */
  private fullyHealthySince: number | undefined;
  private unsubscribe: (() => void) | undefined;
  private syncTimer: TimerHandle | undefined;
  private syncTimerAt = 0;
  private verifyTimer: TimerHandle | undefined;
  private loadTimer: TimerHandle | undefined;
  private loadTimeoutTimer: TimerHandle | undefined;
  private readonly counters: Omit<DistroStats, 'syncQueueKeys'> = {
    localWrites: 0,
    applied: 0,
    staleIgnored: 0,
    syncBatchesSent: 0,
    syncBatchesFailed: 0,
    verifyRoundsSent: 0,
    fetchedKeys: 0,
    pushedKeys: 0,
    droppedKeys: 0,
    purgedTombstones: 0,
    snapshotLoads: 0,
  };

  constructor(options: DistroNodeOptions) {
    this.self = options.self;
    this.transport = options.transport;
    this.membership = options.membership;
    this.clock = options.clock;
    this.storage = options.storage ?? new MemoryStorage();
    this.config = { ...DEFAULT_DISTRO_CONFIG, ...options.config };
    for (const [name, value] of Object.entries(this.config)) {
      if (typeof value !== 'number' || !(value >= 0)) throw new DistroError(DISTRO_ERROR_CODES.INVALID_ARGUMENT, `config ${name} must be a number >= 0`);
    }
    if (this.config.batchSyncKeyCount < 1) throw new DistroError(DISTRO_ERROR_CODES.INVALID_ARGUMENT, 'config batchSyncKeyCount must be >= 1');
    this.routingKeyOf = options.routingKeyOf ?? ((_type, key) => key);
    this.logger = options.logger ?? {};
    this.queue = new SyncQueue({
      delayMs: this.config.syncDelayMs,
      batchSize: this.config.batchSyncKeyCount,
      retryBaseMs: this.config.syncRetryDelayMs,
      retryMaxMs: this.config.syncRetryMaxDelayMs,
    });
    this.ownerMap = new OwnerMap(this.membership.members(), this.self);
    for (const p of options.processors ?? []) this.registerProcessor(p);
  }

  /** Registers the handler of one data type. Throws INVALID_ARGUMENT if the type already has one. */
  registerProcessor(processor: DistroProcessor): void {
    if (this.processors.has(processor.type)) {
      throw new DistroError(DISTRO_ERROR_CODES.INVALID_ARGUMENT, `a processor for type ${processor.type} is already registered`);
    }
    this.processors.set(processor.type, processor);
  }

  /**
   * Subscribes to membership, starts the verify timer and the startup load. With no other member
   * in the view the node is ready at once (standalone). Calling it twice is a no-op; after `stop`
   * it throws STOPPED.
   */
  start(): void {
    if (this.stopped) throw new DistroError(DISTRO_ERROR_CODES.STOPPED, 'distro node was stopped');
    if (this.started) return;
    this.started = true;
    this.lastViewChangeAt = this.clock.now();
    this.unsubscribe = this.membership.onChange(() => this.onMembershipChange());
    this.onMembershipChange();
    this.verifyTimer = this.clock.setTimer(this.config.verifyIntervalMs, () => this.verifyTick());
    if (this.peers(false).length === 0) {
      this.loaded = true;
      this.setReady('standalone');
      return;
    }
    this.loadTimeoutTimer = this.clock.setTimer(this.config.loadTimeoutMs, () => {
      this.loadTimeoutTimer = undefined;
      if (!this.state.ready && !this.stopped) {
        this.logger.warn?.('distro snapshot not loaded in time; serving what we have', { timeoutMs: this.config.loadTimeoutMs });
        this.setReady('timeout');
      }
    });
    this.loadRound();
  }

  /**
   * Stops timers and background work; later replies are ignored and `whenReady` waiters are
   * rejected with STOPPED. Storage is left as it is. Idempotent.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    for (const t of [this.syncTimer, this.verifyTimer, this.loadTimer, this.loadTimeoutTimer]) if (t !== undefined) this.clock.clearTimer(t);
    this.syncTimer = this.verifyTimer = this.loadTimer = this.loadTimeoutTimer = undefined;
    const wasReady = this.state.ready;
    this.state = { ready: false, reason: 'stopped' };
    if (!wasReady) {
      const err = new DistroError(DISTRO_ERROR_CODES.STOPPED, 'distro node stopped before it was ready');
      for (const w of this.readyWaiters.splice(0)) w.reject(err);
    }
  }

  /** Current readiness; the server answers readiness probes and naming reads with 503 while `ready` is false. */
  readiness(): Readiness {
    return this.state;
  }

  /** Shorthand for `readiness().ready`. */
  get isReady(): boolean {
    return this.state.ready;
  }

  /** Resolves when the node becomes ready (at once if it is); rejects with STOPPED if stopped first. */
  whenReady(): Promise<Readiness> {
    if (this.state.ready) return Promise.resolve(this.state);
    if (this.stopped) return Promise.reject(new DistroError(DISTRO_ERROR_CODES.STOPPED, 'distro node stopped'));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** The member owning `routingKey` in this node's current view, or undefined if none is healthy. */
  ownerOf(routingKey: string): string | undefined {
    return this.ownerMap.ownerOf(routingKey);
  }

  /** Whether this node is responsible for `routingKey` (see OwnerMap for the Nacos edge cases). */
  isResponsible(routingKey: string): boolean {
    return this.ownerMap.isResponsible(routingKey);
  }

  /** Whether this node is responsible for a typed key, mapped through `routingKeyOf`. */
  isResponsibleFor(type: string, key: string): boolean {
    return this.ownerMap.isResponsible(this.routingKeyOf(type, key));
  }

  /** The current sorted healthy member list. */
  healthyMembers(): readonly string[] {
    return this.ownerMap.healthy;
  }

  /** The live value of a key, or undefined if absent or deleted. Never blocks; may be stale on non-owners. */
  get(type: string, key: string): DistroValue | undefined {
    const e = this.storage.get(type, key);
    if (e === undefined || e.value === null) return undefined;
    return { value: e.value, version: e.version };
  }

  /** Live keys of one type, in storage order. */
  keys(type: string): string[] {
    const out: string[] = [];
    for (const [k, e] of this.storage.entries()) if (k.type === type && e.value !== null) out.push(k.key);
    return out;
  }

  /**
   * Writes `value` for a key this node owns: bumps the version, applies it through the type's
   * processor, stores it and queues it for every healthy peer. Throws STOPPED, NOT_READY,
   * UNKNOWN_TYPE or NOT_RESPONSIBLE (with `owner`), or whatever the processor throws (nothing is
   * stored then). The bytes are kept by reference: do not mutate them afterwards.
   */
  put(type: string, key: string, value: Uint8Array): Version {
    return this.writeLocal(type, key, value);
  }

  /** Deletes a key this node owns by writing a tombstone; same rules and errors as `put`. */
  remove(type: string, key: string): Version {
    return this.writeLocal(type, key, null);
  }

  /** Subscribes to ownership moves; returns an unsubscribe function. Listeners run synchronously. */
  onOwnershipChange(listener: (change: OwnershipChange) => void): () => void {
    const wrapped = (c: OwnershipChange) => listener(c);
    this.ownershipListeners.add(wrapped);
    return () => {
      this.ownershipListeners.delete(wrapped);
    };
  }

  /** A copy of the counters, with the current sync queue length. */
  stats(): DistroStats {
    return { ...this.counters, syncQueueKeys: this.queue.pendingKeys() };
  }

  /**
   * Handles a request from a peer; the host's transport calls it and sends back the reply.
   * Synchronous. Throws STOPPED when not running, NOT_READY for `snapshot` while loading
   * (callers then try another peer), BAD_MESSAGE for an inconsistent checksum request. Sync entries are accepted while loading: merging is safe.
   */
  handle(req: DistroRequest): DistroResponse {
    if (!this.started || this.stopped) throw new DistroError(DISTRO_ERROR_CODES.STOPPED, 'distro node is not running');
    switch (req.kind) {
      case 'sync':
        for (const e of req.entries) this.applyRemote(e, APPLY_REASONS.SYNC);
        return { kind: 'ack' };
      case 'checksum':
        if (req.batch.from !== req.from) throw new DistroError(DISTRO_ERROR_CODES.BAD_MESSAGE, 'checksum batch sender does not match the request sender');
        this.onChecksum(req.batch);
        return { kind: 'ack' };
      case 'fetch': {
        const entries: TransferEntry[] = [];
        for (const k of req.keys) {
          const e = this.storage.get(k.type, k.key);
          if (e !== undefined) entries.push(toTransfer(k, e));
        }
        return { kind: 'entries', entries, purgeHorizon: this.purgeHorizon };
      }
      case 'snapshot': {
        if (!this.state.ready) throw new DistroError(DISTRO_ERROR_CODES.NOT_READY, `${this.self} is still loading`);
        const entries: TransferEntry[] = [];
        for (const [k, e] of this.storage.entries()) entries.push(toTransfer(k, e));
        return { kind: 'entries', entries, purgeHorizon: this.purgeHorizon };
      }
    }
  }

  // ---- writes and merging ------------------------------------------------------------------

  private writeLocal(type: string, key: string, value: Uint8Array | null): Version {
    if (!this.started || this.stopped) throw new DistroError(DISTRO_ERROR_CODES.STOPPED, 'distro node is not running');
    if (!this.state.ready) throw new DistroError(DISTRO_ERROR_CODES.NOT_READY, `${this.self} is still loading its snapshot`);
    const processor = this.processors.get(type);
    if (processor === undefined) throw new DistroError(DISTRO_ERROR_CODES.UNKNOWN_TYPE, `no distro processor for type ${type}`);
    const routingKey = this.routingKeyOf(type, key);
    if (!this.ownerMap.isResponsible(routingKey)) {
      const owner = this.ownerMap.ownerOf(routingKey);
      throw new DistroError(DISTRO_ERROR_CODES.NOT_RESPONSIBLE, `${this.self} is not responsible for ${routingKey}`, { owner });
    }
    const previous = this.storage.get(type, key);
    const version = nextVersion(previous?.version, this.clock.now(), this.self);
    processor.apply({ type, key, value, version, previous: previous?.version, reason: APPLY_REASONS.LOCAL });
    this.storage.set(type, key, makeLazyEntry(version, value, { storedAt: this.clock.now() }));
    this.counters.localWrites++;
    const peers = this.peers(true);
    const now = this.clock.now();
    for (const peer of peers) this.queue.add(peer, [{ type, key }], now);
    this.scheduleSync();
    return version;
  }

  /** Stores `e` if it is strictly newer than what we hold and its processor accepts it. */
  private applyRemote(e: TransferEntry, reason: ApplyReason): boolean {
    const processor = this.processors.get(e.type);
    if (processor === undefined) {
      this.logger.warn?.('distro entry for an unregistered type ignored', { type: e.type, key: e.key });
      return false;
    }
    const entry = makeEntry(e.version, e.value);
    const local = this.storage.get(e.type, e.key);
    // A tombstone for a key we lack, no newer than a tombstone we purged: we most likely held it
    // and purged it already; taking it again would only replay the delete to the processor.
    const purgedBefore = entry.tombstone && local === undefined && entry.version.ts <= this.purgeHorizon;
    if (purgedBefore || !supersedes(entry, local)) {
      this.counters.staleIgnored++;
      return false;
    }
    try {
      processor.apply({ type: e.type, key: e.key, value: e.value, version: e.version, previous: local?.version, reason });
    } catch (err) {
      this.logger.warn?.('distro processor refused an entry', { type: e.type, key: e.key, reason, error: String(err) });
      return false;
    }
    this.storage.set(e.type, e.key, { ...entry, storedAt: this.clock.now() });
    this.counters.applied++;
    return true;
  }

  // ---- batched sync ------------------------------------------------------------------------

  /** Healthy members other than self (sync targets), or every other configured member. */
  private peers(healthyOnly: boolean): string[] {
    if (healthyOnly) return this.ownerMap.healthy.filter((a) => a !== this.self);
    const all = new Set<string>();
    for (const m of this.membership.members()) if (m.address !== this.self) all.add(m.address);
    // Healthy peers first: they are the likeliest to answer.
    return [...all].sort((a, b) => Number(this.ownerMap.isHealthy(b)) - Number(this.ownerMap.isHealthy(a)) || (a < b ? -1 : a > b ? 1 : 0));
  }

  private scheduleSync(): void {
    if (this.stopped) return;
    const due = this.queue.nextDueAt();
    if (due === undefined) return;
    if (this.syncTimer !== undefined) {
      if (this.syncTimerAt <= due) return;
      this.clock.clearTimer(this.syncTimer);
    }
    this.syncTimerAt = due;
    this.syncTimer = this.clock.setTimer(Math.max(0, due - this.clock.now()), () => {
      this.syncTimer = undefined;
      this.flushSync();
    });
  }

  private flushSync(): void {
    if (this.stopped) return;
    for (const batch of this.queue.takeDue(this.clock.now())) this.sendSync(batch);
    this.scheduleSync();
  }

  private sendSync(batch: SyncBatch): void {
    const entries: TransferEntry[] = [];
    for (const k of batch.keys) {
      // Nacos sends the value current at send time; so do we, with its version.
      const e = this.storage.get(k.type, k.key);
      if (e !== undefined) entries.push(toTransfer(k, e));
    }
    if (entries.length === 0) {
      this.queue.complete(batch, true, this.clock.now());
      return;
    }
    this.counters.syncBatchesSent++;
    this.transport.request(batch.target, { kind: 'sync', from: this.self, entries }).then(
      () => {
        if (this.stopped) return;
        this.queue.complete(batch, true, this.clock.now());
        this.scheduleSync();
      },
      (err: unknown) => {
        if (this.stopped) return;
        this.counters.syncBatchesFailed++;
        this.logger.debug?.('distro sync failed; will retry', { target: batch.target, keys: batch.keys.length, error: String(err) });
        this.queue.complete(batch, false, this.clock.now());
        this.scheduleSync();
      },
    );
  }

  // ---- membership ----------------------------------------------------------------------------

  private onMembershipChange(): void {
    if (this.stopped) return;
    const previous = this.ownerMap;
    const next = new OwnerMap(this.membership.members(), this.self);
    this.ownerMap = next;
    const allHealthy = this.membership.members().every((m) => next.isHealthy(m.address));
    if (!allHealthy) this.fullyHealthySince = undefined;
    else if (this.fullyHealthySince === undefined) this.fullyHealthySince = this.clock.now();
    // Nacos drops sync tasks for members no longer in the list; a member that comes back is
    // repaired by the verify rounds.
    this.queue.retainTargets(new Set(next.healthy.filter((a) => a !== this.self)));
    if (next.viewDigest === previous.viewDigest) return;
    this.lastViewChangeAt = this.clock.now();
    const gained: TypedKey[] = [];
    const lost: TypedKey[] = [];
    for (const [k, e] of this.storage.entries()) {
      if (e.value === null) continue;
      const rk = this.routingKeyOf(k.type, k.key);
      const was = previous.isResponsible(rk);
      const is = next.isResponsible(rk);
      if (is && !was) gained.push(k);
      else if (was && !is) lost.push(k);
    }
    this.logger.debug?.('distro membership changed', { healthy: next.healthy, gained: gained.length, lost: lost.length });
    if (gained.length > 0 || lost.length > 0) {
      const change: OwnershipChange = { gained, lost, healthy: next.healthy };
      for (const l of [...this.ownershipListeners]) {
        try {
          l(change);
        } catch (err) {
          this.logger.warn?.('distro ownership listener threw', { error: String(err) });
        }
      }
    }
  }

  // ---- verify (anti-entropy) ---------------------------------------------------------------

  private verifyTick(): void {
    if (this.stopped) return;
    this.verifyTimer = this.clock.setTimer(this.config.verifyIntervalMs, () => this.verifyTick());
    this.purgeTombstones();
    if (!this.state.ready) return;
    const entries: KeyChecksum[] = [];
    for (const [k, e] of this.storage.entries()) {
      if (this.ownerMap.isResponsible(this.routingKeyOf(k.type, k.key))) entries.push(stampOf(k, e));
    }
    const batch: ChecksumBatch = {
      from: this.self,
      viewDigest: this.ownerMap.viewDigest,
      authoritative: this.loaded,
      purgeHorizon: this.purgeHorizon,
      entries,
      batchDigest: batchDigestOf(entries),
    };
    // Sent even when empty (Nacos skips): receivers may hold keys we own but lack, and hand them back.
    for (const peer of this.peers(true)) {
      this.counters.verifyRoundsSent++;
      this.transport.request(peer, { kind: 'checksum', from: this.self, batch }).catch((err: unknown) => {
        this.logger.debug?.('distro checksum send failed', { target: peer, error: String(err) });
      });
    }
  }

  private purgeTombstones(): void {
    const now = this.clock.now();
    // The TTL only runs while every configured member has been healthy in our view: a member
    // cut off by a partition may still hold the value a tombstone deletes, and would resurrect
    // it if we forgot the tombstone before it heard of it (Cassandra's gc_grace, made safer).
    if (this.fullyHealthySince === undefined || this.fullyHealthySince + this.config.tombstoneTtlMs > now) return;
    const purge: TypedKey[] = [];
    for (const [k, e] of this.storage.entries()) {
      if (e.value === null && e.storedAt + this.config.tombstoneTtlMs <= now) {
        purge.push(k);
        if (e.version.ts > this.purgeHorizon) this.purgeHorizon = e.version.ts;
      }
    }
    for (const k of purge) this.storage.delete(k.type, k.key);
    this.counters.purgedTombstones += purge.length;
  }

  private onChecksum(batch: ChecksumBatch): void {
    // While loading, the snapshot brings everything; one verify at a time per source, as Nacos.
    if (!this.state.ready || batch.from === this.self || this.verifyInFlight.has(batch.from)) return;
    const now = this.clock.now();
    const localOwnedBySource: KeyChecksum[] = [];
    for (const [k, e] of this.storage.entries()) {
      if (this.ownerMap.ownerOf(this.routingKeyOf(k.type, k.key)) === batch.from) localOwnedBySource.push(stampOf(k, e));
    }
    const canDrop =
      batch.authoritative && batch.viewDigest === this.ownerMap.viewDigest && now - this.lastViewChangeAt >= this.config.membershipSettleMs;
    const plan = planVerify({
      batch,
      localStamp: (type, key) => this.storage.get(type, key),
      localOwnedBySource,
      canDrop,
      localPurgeHorizon: this.purgeHorizon,
    });
    for (const k of plan.drop) {
      const e = this.storage.get(k.type, k.key);
      if (e === undefined || e.value === null) continue;
      // A tombstone at the dropped entry's own version: beats exactly that write, nothing newer.
      if (this.applyRemote({ type: k.type, key: k.key, version: e.version, value: null }, APPLY_REASONS.DROP)) this.counters.droppedKeys++;
    }
    if (plan.push.length > 0) {
      this.counters.pushedKeys += plan.push.length;
      this.queue.add(batch.from, plan.push, now);
      this.scheduleSync();
    }
    if (plan.fetch.length === 0) return;
    this.verifyInFlight.add(batch.from);
    this.transport.request(batch.from, { kind: 'fetch', from: this.self, keys: plan.fetch }).then(
      (res) => {
        this.verifyInFlight.delete(batch.from);
        if (this.stopped || res.kind !== 'entries') return;
        for (const e of res.entries) if (this.applyRemote(e, APPLY_REASONS.VERIFY)) this.counters.fetchedKeys++;
      },
      (err: unknown) => {
        this.verifyInFlight.delete(batch.from);
        this.logger.debug?.('distro verify fetch failed', { source: batch.from, error: String(err) });
      },
    );
  }

  // ---- startup load ------------------------------------------------------------------------

  /** Tries every other member in turn for a snapshot (Nacos `DistroLoadDataTask`); retries later if none serves one. */
  private loadRound(): void {
    if (this.stopped || this.loaded) return;
    const peers = this.peers(false);
    let notReady = 0;
    const tryNext = (i: number): void => {
      if (this.stopped || this.loaded) return;
      if (i >= peers.length) {
        if (peers.length > 0 && notReady === peers.length) {
          // Every member answered that it is starting too: nobody holds ephemeral data, so there
          // is nothing to wait for (otherwise a cold cluster would wait out the timeout).
          this.loaded = true;
          this.setReady('cold-start');
          return;
        }
        this.loadTimer = this.clock.setTimer(this.config.loadRetryDelayMs, () => {
          this.loadTimer = undefined;
          this.loadRound();
        });
        return;
      }
      const peer = peers[i]!;
      this.transport.request(peer, { kind: 'snapshot', from: this.self }).then(
        (res) => {
          if (this.stopped || this.loaded) return;
          if (res.kind !== 'entries') return tryNext(i + 1);
          this.applySnapshot(res);
          this.logger.debug?.('distro snapshot loaded', { from: peer, entries: res.entries.length });
          this.loaded = true;
          this.counters.snapshotLoads++;
          this.setReady('loaded');
        },
        (err: unknown) => {
          if (isDistroError(err, DISTRO_ERROR_CODES.NOT_READY)) notReady++;
          tryNext(i + 1);
        },
      );
    };
    tryNext(0);
  }

  private applySnapshot(res: EntriesResponse): void {
    if (res.purgeHorizon > this.purgeHorizon) this.purgeHorizon = res.purgeHorizon;
    for (const e of res.entries) this.applyRemote(e, APPLY_REASONS.SNAPSHOT);
  }

  private setReady(reason: 'standalone' | 'loaded' | 'cold-start' | 'timeout'): void {
    if (this.stopped) return;
    if (this.loadTimeoutTimer !== undefined && reason !== 'timeout') {
      this.clock.clearTimer(this.loadTimeoutTimer);
      this.loadTimeoutTimer = undefined;
    }
    this.state = { ready: true, reason };
    for (const w of this.readyWaiters.splice(0)) w.resolve(this.state);
  }
}

function toTransfer(k: TypedKey, e: StoredEntry): TransferEntry {
  return { type: k.type, key: k.key, version: e.version, value: e.value };
}

function stampOf(k: TypedKey, e: StoredEntry): KeyChecksum {
  return { type: k.type, key: k.key, version: e.version, digest: e.digest, tombstone: e.tombstone };
}
