import { type Clock, type MemberState, type MembershipView, systemClock, type TimerHandle } from '@tacos/distro';
import { CLUSTER_ERROR_CODES, ClusterError, isClusterError } from './errors';
import { PEER_PATHS, type PeerClient, type PeerRoute } from './peer-http';

/** What a member answers on {@link PEER_PATHS.HEALTH}. */
export interface PeerHealthReport {
  /** The answering member's own address. */
  address: string;
  /** Its own view of itself (always `UP` while it can answer). */
  state: string;
  version: string;
  /** Nacos-shaped Raft metadata (see `raftMetaDataOf`), when the member runs Raft. */
  raftMetaData?: unknown;
  /** Whether its Distro data is loaded (a Tacos addition), when the member runs Distro. */
  distroReady?: boolean;
}

/**
 * Probes one peer. Resolves with the peer's report when it is healthy; rejects otherwise. A
 * rejection with ClusterError PEER_REFUSED (connection refused) marks the peer DOWN at once, as
 * Nacos does; any other rejection counts as one failed access.
 */
export type MemberProbe = (address: string) => Promise<PeerHealthReport>;

/**
 * The default probe: a signed `GET /nacos/v1/ns/peer/health` through `client`. Any answer other
 * than 200 with a JSON report (401 = the peer uses another cluster secret) is a failure.
 */
export function httpHealthProbe(client: PeerClient, timeoutMs = 1500): MemberProbe {
  return async (address) => {
    const res = await client.request(address, { method: 'GET', path: PEER_PATHS.HEALTH, timeoutMs });
    if (res.status !== 200) {
      throw new ClusterError(CLUSTER_ERROR_CODES.PEER_UNREACHABLE, `${address} answered ${res.status} to the health probe: ${res.body.toString('utf8').slice(0, 200)}`);
    }
    try {
      return JSON.parse(res.body.toString('utf8')) as PeerHealthReport;
    } catch (err) {
      throw new ClusterError(CLUSTER_ERROR_CODES.PEER_UNREACHABLE, `${address} answered the health probe with something other than JSON`, { cause: err });
    }
  };
}

/**
 * The peer health route (`GET /nacos/v1/ns/peer/health`), answering this member's report. Mount it
 * with the other peer routes (it is signed like them, so probes prove both members share a secret).
 */
export function peerHealthRoute(options: { self: string; version: string; raftMetaData?: () => unknown; distroReady?: () => boolean | undefined }): PeerRoute {
  return {
    method: 'GET',
    path: PEER_PATHS.HEALTH,
    handler: () => {
      const report: PeerHealthReport = { address: options.self, state: 'UP', version: options.version };
      const meta = options.raftMetaData?.();
      if (meta !== undefined) report.raftMetaData = meta;
      const distroReady = options.distroReady?.();
      if (distroReady !== undefined) report.distroReady = distroReady;
      return { status: 200, body: JSON.stringify(report), contentType: 'application/json; charset=utf-8' };
    },
  };
}

/** `extendInfo` of a Nacos Member. */
export interface MemberExtendInfo {
  /** Last time this member was seen healthy (ms since epoch); for self, the time of the call. */
  lastRefreshTime: number;
  raftMetaData?: unknown;
  /** Whether the member's Distro data is loaded (a Tacos addition; absent until known). */
  distroReady?: boolean;
  /** Nacos' JRaft port (member port − 1000); Tacos carries Raft on the peer routes, kept for shape. */
  raftPort: string;
  site: string;
  adWeight: string;
  weight: string;
  /** Version the member reported (`unknown` until its first answer). */
  version: string;
}

/**
 * A member in Nacos' `Member` JSON shape (`/operator/servers`, `/core/cluster/nodes`), which also
 * satisfies distro's `Member` (`address`, `state`). Structurally the server's `MemberView`.
 */
export interface ClusterMember {
  ip: string;
  port: number;
  state: MemberState;
  address: string;
  extendInfo: MemberExtendInfo;
  failAccessCnt: number;
}

/** One state transition, for logs and metrics. */
export interface MemberStateChange {
  address: string;
  from: MemberState;
  to: MemberState;
  failAccessCnt: number;
  /** The probe error of a transition to SUSPICIOUS or DOWN. */
  error?: string;
}

/** Options of {@link MemberHealth}. */
export interface MemberHealthOptions {
  /** This member's address; it is always UP in its own view and never probed. */
  self: string;
  /** Every configured member (self included or not; it is added). */
  members: readonly string[];
  probe: MemberProbe;
  /** Timers and wall clock; default distro's `systemClock` (unref'd timers). */
  clock?: Clock;
  /** Pause between the end of one probe of a peer and the next. Default 2000 ms (Nacos' report period). */
  intervalMs?: number;
  /** More consecutive failures than this → DOWN. Default 3 (`nacos.core.member.fail-access-cnt`). */
  maxFailAccessCnt?: number;
  /** State of a peer before its first probe. Default UP, as Nacos (members from cluster.conf start UP). */
  initialState?: MemberState;
  /** This member's version, shown in its own record. */
  version: string;
  /** This member's Raft metadata for its own record (`raftMetaDataOf(node.status())`). */
  selfRaftMetaData?: () => unknown;
  /** This member's Distro readiness for its own record. */
  selfDistroReady?: () => boolean | undefined;
}

interface PeerRecord {
  address: string;
  state: MemberState;
  failAccessCnt: number;
  lastRefreshTime: number;
  version: string;
  raftMetaData?: unknown;
  distroReady?: boolean;
  timer?: TimerHandle;
  inFlight: boolean;
}

function splitAddress(address: string): { ip: string; port: number } {
  const split = address.lastIndexOf(':');
  return { ip: address.slice(0, split), port: Number(address.slice(split + 1)) };
}

/**
 * The failure detector: probes every peer periodically and keeps Nacos' member states —
 * a failed probe makes a member SUSPICIOUS (still in the distro healthy list), more than
 * `maxFailAccessCnt` consecutive failures or a refused connection make it DOWN (keys move away),
 * one success makes it UP again. Implements distro's `MembershipView`; `members()` returns a shared,
 * frozen array rebuilt on every change (callers must not mutate it).
 *
 * Probes of one peer never overlap (the next starts `intervalMs` after the previous settled).
 * Listeners are called synchronously after each change, never after `stop()`.
 */
export class MemberHealth implements MembershipView {
  private readonly self: string;
  private readonly probe: MemberProbe;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly maxFail: number;
  private readonly initialState: MemberState;
  private readonly version: string;
  private readonly selfRaftMetaData: (() => unknown) | undefined;
  private readonly selfDistroReady: (() => boolean | undefined) | undefined;
  private readonly peers = new Map<string, PeerRecord>();
  private readonly changeListeners = new Set<() => void>();
  private readonly stateListeners = new Set<(change: MemberStateChange) => void>();
  private view: readonly ClusterMember[] = [];
  private running = false;
  /** Bumped on stop and on removal so late probe results are ignored. */
  private generation = 0;

  constructor(options: MemberHealthOptions) {
    this.self = options.self;
    this.probe = options.probe;
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs ?? 2000;
    this.maxFail = options.maxFailAccessCnt ?? 3;
    this.initialState = options.initialState ?? 'UP';
    this.version = options.version;
    this.selfRaftMetaData = options.selfRaftMetaData;
    this.selfDistroReady = options.selfDistroReady;
    for (const m of options.members) if (m !== this.self) this.peers.set(m, this.newRecord(m));
    this.rebuild();
  }

  /** Starts probing every peer (the first probe at once). Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const p of this.peers.values()) this.schedule(p, 0);
  }

  /** Stops probing; results of probes in flight are ignored. Listeners are not called any more. */
  stop(): void {
    this.running = false;
    this.generation++;
    for (const p of this.peers.values()) {
      if (p.timer !== undefined) this.clock.clearTimer(p.timer);
      p.timer = undefined;
      p.inFlight = false;
    }
  }

  /** distro's MembershipView: every member with its state, self included (UP). Sorted by address. */
  members(): readonly ClusterMember[] {
    return this.view;
  }

  /** distro's MembershipView: called after any state or membership change. Returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    const wrapped = () => listener();
    this.changeListeners.add(wrapped);
    return () => {
      this.changeListeners.delete(wrapped);
    };
  }

  /** Called once per member state transition (for logs and metrics). Returns the unsubscribe function. */
  onStateChange(listener: (change: MemberStateChange) => void): () => void {
    const wrapped = (c: MemberStateChange) => listener(c);
    this.stateListeners.add(wrapped);
    return () => {
      this.stateListeners.delete(wrapped);
    };
  }

  /** One member's record, or undefined. */
  member(address: string): ClusterMember | undefined {
    return this.view.find((m) => m.address === address);
  }

  /**
   * The members in Nacos' shape, with self's `lastRefreshTime` and Raft metadata fresh. A new array
   * of new objects (safe to serialize or mutate).
   */
  nacosMembers(): ClusterMember[] {
    return this.view.map((m) => (m.address === this.self ? this.selfRecord() : { ...m, extendInfo: { ...m.extendInfo } }));
  }

  /** This member's own record (always UP). */
  selfMember(): ClusterMember {
    return this.selfRecord();
  }

  /**
   * Replaces the configured member list (cluster.conf reloaded): new peers start in the initial
   * state and are probed at once; removed peers are forgotten. Notifies listeners when it changed.
   */
  setMembers(addresses: readonly string[]): void {
    const next = new Set(addresses.filter((a) => a !== this.self));
    let changed = false;
    for (const [address, p] of this.peers) {
      if (next.has(address)) continue;
      if (p.timer !== undefined) this.clock.clearTimer(p.timer);
      this.peers.delete(address);
      changed = true;
    }
    for (const address of next) {
      if (this.peers.has(address)) continue;
      const p = this.newRecord(address);
      this.peers.set(address, p);
      changed = true;
      if (this.running) this.schedule(p, 0);
    }
    if (changed) {
      this.rebuild();
      this.emitChange();
    }
  }

  private newRecord(address: string): PeerRecord {
    return { address, state: this.initialState, failAccessCnt: 0, lastRefreshTime: 0, version: 'unknown', inFlight: false };
  }

  private schedule(p: PeerRecord, delayMs: number): void {
    if (!this.running) return;
    if (p.timer !== undefined) this.clock.clearTimer(p.timer);
    p.timer = this.clock.setTimer(delayMs, () => {
      p.timer = undefined;
      this.runProbe(p);
    });
  }

  private runProbe(p: PeerRecord): void {
    if (!this.running || p.inFlight || this.peers.get(p.address) !== p) return;
    p.inFlight = true;
    const generation = this.generation;
    let promise: Promise<PeerHealthReport>;
    try {
      promise = this.probe(p.address);
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (report) => this.settle(p, generation, { ok: true, report }),
      (err: unknown) => this.settle(p, generation, { ok: false, err }),
    );
  }

  private settle(p: PeerRecord, generation: number, result: { ok: true; report: PeerHealthReport } | { ok: false; err: unknown }): void {
    if (generation !== this.generation || this.peers.get(p.address) !== p) return;
    p.inFlight = false;
    const from = p.state;
    let error: string | undefined;
    if (result.ok) {
      p.state = 'UP';
      p.failAccessCnt = 0;
      p.lastRefreshTime = this.clock.now();
      if (typeof result.report?.version === 'string') p.version = result.report.version;
      p.raftMetaData = result.report?.raftMetaData;
      p.distroReady = typeof result.report?.distroReady === 'boolean' ? result.report.distroReady : undefined;
    } else {
      p.failAccessCnt++;
      error = result.err instanceof Error ? result.err.message : String(result.err);
      // Nacos MemberUtil.onFail: refused → DOWN at once; otherwise SUSPICIOUS until the count
      // exceeds the limit.
      const refused = isClusterError(result.err, CLUSTER_ERROR_CODES.PEER_REFUSED);
      p.state = refused || p.failAccessCnt > this.maxFail ? 'DOWN' : 'SUSPICIOUS';
    }
    this.rebuild();
    if (from !== p.state) {
      const change: MemberStateChange = { address: p.address, from, to: p.state, failAccessCnt: p.failAccessCnt };
      if (error !== undefined) change.error = error;
      for (const l of [...this.stateListeners]) l(change);
      this.emitChange();
    }
    this.schedule(p, this.intervalMs);
  }

  private emitChange(): void {
    if (!this.running && this.generation > 0) return;
    for (const l of [...this.changeListeners]) l();
  }

  private selfRecord(): ClusterMember {
    const { ip, port } = splitAddress(this.self);
    const extendInfo: MemberExtendInfo = { lastRefreshTime: this.clock.now(), raftPort: String(port - 1000), site: 'unknown', adWeight: '0', weight: '1', version: this.version };
    const meta = this.selfRaftMetaData?.();
    if (meta !== undefined) extendInfo.raftMetaData = meta;
    const distroReady = this.selfDistroReady?.();
    if (distroReady !== undefined) extendInfo.distroReady = distroReady;
    return { ip, port, state: 'UP', address: this.self, extendInfo, failAccessCnt: 0 };
  }

  private rebuild(): void {
    const list: ClusterMember[] = [this.selfRecord()];
    for (const p of this.peers.values()) {
      const { ip, port } = splitAddress(p.address);
      const extendInfo: MemberExtendInfo = { lastRefreshTime: p.lastRefreshTime, raftPort: String(port - 1000), site: 'unknown', adWeight: '0', weight: '1', version: p.version };
      if (p.raftMetaData !== undefined) extendInfo.raftMetaData = p.raftMetaData;
      if (p.distroReady !== undefined) extendInfo.distroReady = p.distroReady;
      list.push({ ip, port, state: p.state, address: p.address, extendInfo, failAccessCnt: p.failAccessCnt });
    }
    list.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    this.view = Object.freeze(list);
  }
}
