import type { InstanceHealth } from '@tacos/core';
import { PEER_PATHS, type PeerClient, type PeerRoute } from './peer-http';

/** Wire version of a health report (the `v` field). */
export const HEALTH_SYNC_VERSION = 1;

/**
 * One result on the wire: `[namespaceId, serviceName, clusterName, ip, port, healthy ? 1 : 0]`
 * (positional, so a full report of thousands of instances stays small).
 */
export type WireHealthResult = [string, string, string, string, number, 0 | 1];

/**
 * The body of `POST /nacos/v1/ns/peer/instance-health`. `full` marks a full-state report (every
 * checked persistent instance of the services the sender owns) as opposed to a batch of flips; the
 * receiver treats both the same way, the flag is for logs and counters.
 */
export interface HealthReport {
  v: number;
  full: boolean;
  results: WireHealthResult[];
}

/** Largest number of results in one report; larger sets travel in several reports. */
export const MAX_RESULTS_PER_REPORT = 1000;

/** Counters for diagnostics and tests. */
export interface HealthSyncStats {
  /** Flips waiting for the next batch. */
  pending: number;
  /** Flips dropped because the pending set was full (a full report follows). */
  dropped: number;
  /** Reports sent (answered 2xx), flips and full ones. */
  sentReports: number;
  /** Full-state reports among them. */
  sentFullReports: number;
  /** Results sent in them. */
  sentResults: number;
  /** Reports that failed (peer down, timeout, non-2xx). */
  sendFailures: number;
  /** Results received from peers. */
  received: number;
  /** Received results that changed health here. */
  applied: number;
  /** Received results ignored because the sender does not own the service in this member's view. */
  ignored: number;
}

/** Options of {@link HealthSync}. */
export interface HealthSyncOptions {
  /** This member's address. */
  self: string;
  /** Signed client of the peer routes. */
  client: Pick<PeerClient, 'request'>;
  /** The other members worth sending to now (UP in this member's view); self is ignored. */
  peers(): readonly string[];
  /** The Distro owner of a grouped service name in this member's view (undefined: none). */
  ownerOf(serviceName: string): string | undefined;
  /** This member's health of the checked instances of the services `owns` accepts (`RegistryRuntime.checkedInstanceHealth`). */
  fullState(owns: (namespaceId: string, serviceName: string) => boolean): InstanceHealth[];
  /** Applies a result another member decided; true when health changed (`RegistryRuntime.applyRemoteHealth`). */
  apply(result: InstanceHealth): boolean;
  /** Flips are sent in batches every this many ms. Default 300 (Nacos sends every 500 ms). */
  flushMs?: number;
  /** Full-state reports to every peer every this many ms. Default 10000. */
  fullSyncMs?: number;
  /** A peer that missed reports gets a full one at most this often, ms. Default 2000. */
  retryMs?: number;
  /** Flips kept for the next batch at most (latest per instance); beyond, they are dropped and a full report follows. Default 10000. */
  maxPending?: number;
  /** Results per report. Default {@link MAX_RESULTS_PER_REPORT}. */
  maxResultsPerReport?: number;
  /** Timeout of one report, ms. Default 2000. */
  timeoutMs?: number;
  /** Called when a report to a peer fails (for a debug log). */
  onSendError?: (peer: string, error: unknown) => void;
  /** Clock for the retry limit, ms. Default Date.now. */
  now?: () => number;
}

interface PeerState {
  /** A send (batch or full) is in flight: at most one per peer. */
  busy: boolean;
  /** The peer missed reports (failure, busy, dropped flips): it gets a full report next. */
  missed: boolean;
  /** When the last full report to the peer started. */
  lastFullAt: number;
}

function keyOf(h: InstanceHealth): string {
  return `${h.namespaceId}\u0000${h.serviceName}\u0000${h.clusterName}\u0000${h.ip}\u0000${h.port}`;
}

function toWire(h: InstanceHealth): WireHealthResult {
  return [h.namespaceId, h.serviceName, h.clusterName, h.ip, h.port, h.healthy ? 1 : 0];
}

/** Parses a report; undefined when malformed (wrong version, too many results, bad fields). */
export function decodeHealthReport(body: Buffer | string, maxResults = MAX_RESULTS_PER_REPORT): { full: boolean; results: InstanceHealth[] } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return undefined;
  }
  const o = parsed as Partial<HealthReport> | null;
  if (o?.v !== HEALTH_SYNC_VERSION || typeof o.full !== 'boolean' || !Array.isArray(o.results) || o.results.length > maxResults) return undefined;
  const results: InstanceHealth[] = [];
  for (const r of o.results as unknown[]) {
    if (!Array.isArray(r) || r.length !== 6) return undefined;
    const [namespaceId, serviceName, clusterName, ip, port, healthy] = r as unknown[];
    if (typeof namespaceId !== 'string' || typeof serviceName !== 'string' || typeof clusterName !== 'string' || typeof ip !== 'string') return undefined;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535 || (healthy !== 0 && healthy !== 1)) return undefined;
    results.push({ namespaceId, serviceName, clusterName, ip, port, healthy: healthy === 1 });
  }
  return { full: o.full, results };
}

/**
 * Health results of persistent instances between members (Nacos 1.x `HealthCheckCommon` and its
 * `/health` peer call): only the Distro owner of a service checks its persistent instances; it
 * {@link record}s each flip, sends them in batches every `flushMs` to every other member that is UP,
 * and every `fullSyncMs` a full-state report of the services it owns, so a member that restarted or
 * missed a report converges. Receivers ({@link route}) apply a result only when the sender owns the
 * service in their own view, in memory (a change is pushed to subscribers).
 *
 * Bounded: one report in flight per peer (a busy, failing or DOWN peer is marked as having missed
 * reports and gets a full one, at most every `retryMs`, once it answers again); at most
 * `maxPending` flips wait (latest per instance); reports carry at most `maxResultsPerReport` results.
 * Nothing is sent before {@link start} or after {@link stop}.
 */
export class HealthSync {
  private readonly options: HealthSyncOptions;
  private readonly flushMs: number;
  private readonly fullSyncMs: number;
  private readonly retryMs: number;
  private readonly maxPending: number;
  private readonly maxResults: number;
  private readonly now: () => number;
  private pending = new Map<string, InstanceHealth>();
  private readonly peerStates = new Map<string, PeerState>();
  private flushTimer: NodeJS.Timeout | undefined;
  private fullTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly counters = { dropped: 0, sentReports: 0, sentFullReports: 0, sentResults: 0, sendFailures: 0, received: 0, applied: 0, ignored: 0 };

  constructor(options: HealthSyncOptions) {
    this.options = options;
    this.flushMs = options.flushMs ?? 300;
    this.fullSyncMs = options.fullSyncMs ?? 10_000;
    this.retryMs = options.retryMs ?? 2000;
    this.maxPending = Math.max(1, options.maxPending ?? 10_000);
    this.maxResults = Math.max(1, options.maxResultsPerReport ?? MAX_RESULTS_PER_REPORT);
    this.now = options.now ?? Date.now;
  }

  /** The peer route receiving reports (`POST /nacos/v1/ns/peer/instance-health`); answers 400 for a malformed report. */
  get route(): PeerRoute {
    return {
      method: 'POST',
      path: PEER_PATHS.INSTANCE_HEALTH,
      handler: (req) => {
        const report = decodeHealthReport(req.body, this.maxResults);
        if (!report) return { status: 400, body: 'bad health report' };
        const { applied, ignored } = this.receive(req.peer, report.results);
        return { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ applied, ignored }) };
      },
    };
  }

  /** Starts the batch and full-report timers (unref'd). Idempotent; not after {@link stop}. */
  start(): void {
    if (this.stopped || this.flushTimer) return;
    this.flushTimer = setInterval(() => void this.flush(), this.flushMs);
    this.flushTimer.unref();
    this.fullTimer = setInterval(() => void this.fullSync(), this.fullSyncMs);
    this.fullTimer.unref();
  }

  /** Stops the timers and drops pending flips; reports in flight finish on their own. Idempotent. */
  stop(): void {
    this.stopped = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.fullTimer) clearInterval(this.fullTimer);
    this.flushTimer = undefined;
    this.fullTimer = undefined;
    this.pending.clear();
  }

  /** Queues a flip this member's checker made (`RegistryRuntime` `onHealthChange`). Synchronous, O(1). */
  record(change: InstanceHealth): void {
    if (this.stopped) return;
    const key = keyOf(change);
    // Latest wins, and moves to the end (the order flips happened in).
    this.pending.delete(key);
    if (this.pending.size >= this.maxPending) {
      // Too many to carry: everyone gets the full state instead.
      this.counters.dropped += this.pending.size + 1;
      this.pending.clear();
      for (const state of this.peerStates.values()) state.missed = true;
      return;
    }
    this.pending.set(key, { ...change });
  }

  /**
   * Sends the pending flips to every peer (a peer that missed reports gets a full one instead, when
   * due). Resolves when every report started here settled; never rejects.
   */
  async flush(): Promise<void> {
    if (this.stopped) return;
    const batch = [...this.pending.values()].map(toWire);
    this.pending.clear();
    const sends: Promise<void>[] = [];
    for (const peer of this.others()) {
      const state = this.stateOf(peer);
      if (state.missed) {
        if (!state.busy && this.now() - state.lastFullAt >= this.retryMs) sends.push(this.sendFull(peer, state));
        continue;
      }
      if (batch.length === 0) continue;
      if (state.busy) {
        state.missed = true;
        continue;
      }
      sends.push(this.send(peer, state, batch, false));
    }
    await Promise.all(sends);
  }

  /** Sends a full-state report to every peer not busy. Resolves when all settled; never rejects. */
  async fullSync(): Promise<void> {
    if (this.stopped) return;
    const sends: Promise<void>[] = [];
    for (const peer of this.others()) {
      const state = this.stateOf(peer);
      if (state.busy) state.missed = true;
      else sends.push(this.sendFull(peer, state));
    }
    await Promise.all(sends);
  }

  /**
   * Applies the results `peer` sent: each one only when `peer` owns its service in this member's
   * view (a stale sender, e.g. a former owner, is ignored).
   */
  receive(peer: string, results: readonly InstanceHealth[]): { applied: number; ignored: number } {
    let applied = 0;
    let ignored = 0;
    for (const result of results) {
      if (this.options.ownerOf(result.serviceName) !== peer || peer === this.options.self) {
        ignored++;
        continue;
      }
      if (this.options.apply(result)) applied++;
    }
    this.counters.received += results.length;
    this.counters.applied += applied;
    this.counters.ignored += ignored;
    return { applied, ignored };
  }

  /** A copy of the counters. */
  stats(): HealthSyncStats {
    return { pending: this.pending.size, ...this.counters };
  }

  private others(): string[] {
    const peers = this.options.peers().filter((p) => p !== this.options.self);
    // Forget members that left (their state would otherwise stay forever).
    for (const known of this.peerStates.keys()) if (!peers.includes(known)) this.peerStates.delete(known);
    return peers;
  }

  private stateOf(peer: string): PeerState {
    let state = this.peerStates.get(peer);
    if (!state) {
      // A peer seen for the first time (or again after it was DOWN) may have missed anything.
      state = { busy: false, missed: true, lastFullAt: Number.NEGATIVE_INFINITY };
      this.peerStates.set(peer, state);
    }
    return state;
  }

  private async sendFull(peer: string, state: PeerState): Promise<void> {
    state.lastFullAt = this.now();
    const self = this.options.self;
    const results = this.options.fullState((_ns, serviceName) => this.options.ownerOf(serviceName) === self).map(toWire);
    state.missed = false;
    await this.send(peer, state, results, true);
  }

  /** Sends `results` to `peer` in reports of at most `maxResults`, one after the other. */
  private async send(peer: string, state: PeerState, results: WireHealthResult[], full: boolean): Promise<void> {
    state.busy = true;
    try {
      for (let i = 0; i < results.length && !this.stopped; i += this.maxResults) {
        const chunk = results.slice(i, i + this.maxResults);
        const body = JSON.stringify({ v: HEALTH_SYNC_VERSION, full, results: chunk } satisfies HealthReport);
        try {
          const res = await this.options.client.request(peer, {
            method: 'POST',
            path: PEER_PATHS.INSTANCE_HEALTH,
            body,
            headers: { 'content-type': 'application/json' },
            timeoutMs: this.options.timeoutMs ?? 2000,
            maxResponseBytes: 64 * 1024,
          });
          if (res.status < 200 || res.status >= 300) throw new Error(`${peer} answered ${res.status}`);
        } catch (err) {
          this.counters.sendFailures++;
          state.missed = true;
          this.options.onSendError?.(peer, err);
          return;
        }
        this.counters.sentReports++;
        this.counters.sentResults += chunk.length;
        if (full) this.counters.sentFullReports++;
      }
    } finally {
      state.busy = false;
    }
  }
}
