import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { encodePushPacket, GZIP_THRESHOLD_BYTES, MAX_DATAGRAM_BYTES, parseAck } from './push-packet';
import { normalizeAddress, type PushSubscriberSource, type PushTarget } from './push-target';

/** What the host renders for one push: the subscriber's view of the service. */
export interface RenderRequest {
  namespaceId: string;
  /** Grouped service name. */
  serviceName: string;
  /** The subscriber's `clusters` string (echo it as `clusters`, filter hosts by it). */
  clusters: string;
  /** The subscriber's User-Agent. */
  agent: string;
}

/**
 * Renders the instance/list JSON body for a push, or undefined to skip (e.g. the service is gone).
 * It must be what `GET instance/list` would answer that subscriber with `healthyOnly=false`:
 * `name` = grouped name, `clusters` = the subscriber's string, disabled hosts left out, unhealthy
 * ones kept, `cacheMillis` = pushCacheMillis (10000), `lastRefTime` = wall-clock ms. Synchronous;
 * must not throw (a throw skips that subscriber).
 */
export type PushRenderer = (request: RenderRequest) => string | undefined;

/** Timer functions, injectable for tests. The real ones are unref'd. */
export interface PushTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: PushTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Options of {@link UdpPushService}. */
export interface UdpPushServiceOptions {
  subscribers: PushSubscriberSource;
  render: PushRenderer;
  /** Switch `pushEnabled`; false → coalesced pushes are dropped. Default: always true. */
  isEnabled?: () => boolean;
  /** Coalescing delay per service, ms (Nacos 1000; default 200 so a change lands within 1 s). */
  delayMs?: number;
  /** Wait for an ack this long before resending or failing, ms (Nacos 10000). */
  retryMs?: number;
  /** Sends per packet, first included (Nacos 2: one resend). */
  maxSends?: number;
  /** Gzip packets of at least this many bytes (Nacos 1024). */
  gzipThresholdBytes?: number;
  /** Failed pushes kept for `pushState({detail:true})` (newest kept). Default 100. */
  maxFailuresKept?: number;
  /** Socket family; `udp4` (default) can reach IPv4 subscribers only. */
  type?: 'udp4' | 'udp6';
  /** Local address to bind (default all interfaces) and port (default 0 = ephemeral, as Nacos). */
  bindAddress?: string;
  port?: number;
  timers?: PushTimers;
  /** Wall-clock ms, for `lastRefTime` values and failure times. Default Date.now. */
  wallNow?: () => number;
  /** Told when a packet to a subscriber finally fails (e.g. so the host can forget it sooner). */
  onFailed?: (target: PushTarget, reason: string) => void;
}

/** One failed push, as `operator/push/state?detail=true` lists it. */
export interface FailedPush {
  namespaceId: string;
  serviceName: string;
  clusters: string;
  /** `ip:port` of the subscriber. */
  addrStr: string;
  agent: string;
  lastRefTime: number;
  sends: number;
  reason: string;
  /** Wall-clock ms of the failure. */
  failedAt: number;
}

/** `GET /operator/push/state`: succeed = total − failed, ratio = succeed / total (0 when none). */
export interface PushState {
  succeed: number;
  total: number;
  ratio: number;
  reset: boolean;
  data?: FailedPush[];
}

/** Counters beyond what Nacos reports. */
export interface PushStats {
  /** Packets pushed (each counted once, whatever its resends). */
  total: number;
  failed: number;
  acked: number;
  /** Sent and waiting for an ack. */
  pending: number;
  /** Dropped unacked because a newer packet went to the same subscriber for the same service. */
  superseded: number;
  /** Resends after an ack timeout. */
  resends: number;
  /** Acks that matched no pending packet (late, duplicate or foreign). */
  unmatchedAcks: number;
  /** Services waiting for their coalescing delay. */
  scheduledServices: number;
}

interface PendingPacket {
  ackKey: string;
  slotKey: string;
  target: PushTarget;
  bytes: Buffer;
  lastRefTime: number;
  sends: number;
  timer: unknown;
  lastError: string | undefined;
}

function serviceKeyOf(namespaceId: string, serviceName: string): string {
  return `${namespaceId}\u0000${serviceName}`;
}

function ackKeyOf(address: string, port: number, lastRefTime: string | number): string {
  return `${normalizeAddress(address)},${port},${lastRefTime}`;
}

/**
 * The Nacos 1.x UDP push sender (NACOS-FACTS §4), one socket per server.
 *
 * The host calls {@link serviceChanged} on every change of a service; changes are coalesced per
 * service for `delayMs`, after which every live subscriber of the service gets one packet
 * `{"type":"dom","data":"<rendered body>","lastRefTime":N}` (gzipped from 1 KB). A packet not
 * acked within `retryMs` is resent, up to `maxSends` sends, then counted as failed. An ack must come
 * from the address and port the packet went to and echo its `lastRefTime`. A newer packet to the same
 * subscriber for the same service replaces an unacked older one (which is then neither resent nor
 * counted failed), so a resend never delivers stale data after fresh data.
 *
 * `lastRefTime` values are unique and increasing (microseconds since the epoch, bumped on ties);
 * Nacos uses `System.nanoTime()`, and clients only echo it.
 */
export class UdpPushService {
  private readonly subscribers: PushSubscriberSource;
  private readonly render: PushRenderer;
  private readonly isEnabled: () => boolean;
  private readonly delayMs: number;
  private readonly retryMs: number;
  private readonly maxSends: number;
  private readonly gzipThresholdBytes: number;
  private readonly maxFailuresKept: number;
  private readonly timers: PushTimers;
  private readonly wallNow: () => number;
  private readonly onFailed: ((target: PushTarget, reason: string) => void) | undefined;
  private readonly socket: dgram.Socket;
  private readonly bindAddress: string | undefined;
  private readonly bindPort: number;
  private readonly scheduled = new Map<string, unknown>();
  private readonly byAck = new Map<string, PendingPacket>();
  private readonly bySlot = new Map<string, PendingPacket>();
  private failures: FailedPush[] = [];
  private lastRefTime = 0;
  private bound: AddressInfo | undefined;
  private closed = false;
  private counters = { total: 0, failed: 0, acked: 0, superseded: 0, resends: 0, unmatchedAcks: 0 };

  constructor(options: UdpPushServiceOptions) {
    this.subscribers = options.subscribers;
    this.render = options.render;
    this.isEnabled = options.isEnabled ?? (() => true);
    this.delayMs = options.delayMs ?? 200;
    this.retryMs = options.retryMs ?? 10_000;
    this.maxSends = Math.max(1, options.maxSends ?? 2);
    this.gzipThresholdBytes = options.gzipThresholdBytes ?? GZIP_THRESHOLD_BYTES;
    this.maxFailuresKept = options.maxFailuresKept ?? 100;
    this.timers = options.timers ?? REAL_TIMERS;
    this.wallNow = options.wallNow ?? Date.now;
    this.onFailed = options.onFailed;
    this.bindAddress = options.bindAddress;
    this.bindPort = options.port ?? 0;
    this.socket = dgram.createSocket({ type: options.type ?? 'udp4' });
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    // Send failures are reported per packet through the send callback; a socket-level error must not
    // crash the process (an unhandled 'error' event would).
    this.socket.on('error', () => {});
  }

  /**
   * Binds the socket; resolves with the local address. Pushes whose delay ends before binding are
   * dropped, so call it at server start. Rejects (with the bind error as `cause`) if the port cannot
   * be bound.
   */
  start(): Promise<AddressInfo> {
    if (this.bound) return Promise.resolve(this.bound);
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new Error('cannot bind the UDP push socket', { cause: err }));
      this.socket.once('error', onError);
      this.socket.bind({ port: this.bindPort, address: this.bindAddress, exclusive: true }, () => {
        this.socket.off('error', onError);
        this.socket.unref();
        this.bound = this.socket.address();
        resolve(this.bound);
      });
    });
  }

  /** The bound local address, or undefined before {@link start}. */
  address(): AddressInfo | undefined {
    return this.bound;
  }

  /**
   * Reports that a service changed (instances, health, metadata). The push for it goes out `delayMs`
   * later with the state of that moment; further calls while it is scheduled are merged into it.
   * Cheap and synchronous; ignored after {@link close}.
   */
  serviceChanged(namespaceId: string, serviceName: string): void {
    if (this.closed) return;
    const key = serviceKeyOf(namespaceId, serviceName);
    if (this.scheduled.has(key)) return;
    this.scheduled.set(
      key,
      this.timers.setTimeout(() => {
        this.scheduled.delete(key);
        this.pushService(namespaceId, serviceName);
      }, this.delayMs),
    );
  }

  /**
   * `operator/push/state`: Nacos' numbers; with `detail`, the kept failures as `data`; with `reset`,
   * the counters and failures are cleared after being read.
   */
  pushState(options: { detail?: boolean; reset?: boolean } = {}): PushState {
    const { total, failed } = this.counters;
    const succeed = total - failed;
    const state: PushState = { succeed, total, ratio: total > 0 ? succeed / total : 0, reset: options.reset === true };
    if (options.detail) state.data = this.failures.slice();
    if (options.reset) {
      this.counters = { total: 0, failed: 0, acked: 0, superseded: 0, resends: 0, unmatchedAcks: 0 };
      this.failures = [];
    }
    return state;
  }

  /** All counters (diagnostics and tests). */
  stats(): PushStats {
    return { ...this.counters, pending: this.byAck.size, scheduledServices: this.scheduled.size };
  }

  /**
   * Cancels scheduled pushes and resends and closes the socket. Pending packets are left uncounted.
   * Idempotent; resolves once the socket is closed.
   */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const handle of this.scheduled.values()) this.timers.clearTimeout(handle);
    this.scheduled.clear();
    for (const p of this.byAck.values()) this.timers.clearTimeout(p.timer);
    this.byAck.clear();
    this.bySlot.clear();
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        // Never bound: nothing to close.
        resolve();
      }
    });
  }

  private pushService(namespaceId: string, serviceName: string): void {
    if (this.closed || !this.bound || !this.isEnabled()) return;
    // Subscribers with the same clusters and agent see the same body: render it once per push.
    const bodies = new Map<string, string | undefined>();
    for (const target of this.subscribers.subscribersOf(namespaceId, serviceName)) {
      // No address (blank clientIP and no source) or no port: nowhere to send; dgram would pick localhost.
      if (target.address === '' || !Number.isInteger(target.port) || target.port <= 0 || target.port > 65535) continue;
      const bodyKey = `${target.clusters}\u0000${target.agent}`;
      let body: string | undefined;
      if (bodies.has(bodyKey)) {
        body = bodies.get(bodyKey);
      } else {
        try {
          body = this.render({ namespaceId, serviceName, clusters: target.clusters, agent: target.agent });
        } catch {
          body = undefined;
        }
        bodies.set(bodyKey, body);
      }
      if (body !== undefined) this.send(target, body);
    }
  }

  private nextLastRefTime(): number {
    this.lastRefTime = Math.max(this.lastRefTime + 1, Math.floor(this.wallNow() * 1000));
    return this.lastRefTime;
  }

  private send(target: PushTarget, body: string): void {
    const slotKey = `${target.namespaceId}\u0000${target.serviceName}\u0000${target.clusters}\u0000${normalizeAddress(target.address)}\u0000${target.port}`;
    const older = this.bySlot.get(slotKey);
    if (older) {
      this.forget(older);
      this.counters.superseded++;
    }
    const lastRefTime = this.nextLastRefTime();
    const bytes = encodePushPacket({ type: 'dom', data: body, lastRefTime }, this.gzipThresholdBytes);
    const packet: PendingPacket = {
      ackKey: ackKeyOf(target.address, target.port, lastRefTime),
      slotKey,
      target,
      bytes,
      lastRefTime,
      sends: 0,
      timer: undefined,
      lastError: undefined,
    };
    this.counters.total++;
    if (bytes.length > MAX_DATAGRAM_BYTES) {
      this.fail(packet, `packet too large: ${bytes.length} bytes`);
      return;
    }
    this.byAck.set(packet.ackKey, packet);
    this.bySlot.set(slotKey, packet);
    this.transmit(packet);
  }

  private transmit(packet: PendingPacket): void {
    packet.sends++;
    try {
      this.socket.send(packet.bytes, packet.target.port, packet.target.address, (err) => {
        if (err) packet.lastError = err.message;
      });
    } catch (err) {
      packet.lastError = (err as Error).message;
    }
    packet.timer = this.timers.setTimeout(() => this.ackTimedOut(packet), this.retryMs);
  }

  private ackTimedOut(packet: PendingPacket): void {
    packet.timer = undefined;
    if (this.byAck.get(packet.ackKey) !== packet || this.closed) return;
    if (packet.sends < this.maxSends) {
      this.counters.resends++;
      this.transmit(packet);
      return;
    }
    this.forget(packet);
    this.fail(packet, packet.lastError ?? 'no ack');
  }

  private forget(packet: PendingPacket): void {
    if (packet.timer !== undefined) this.timers.clearTimeout(packet.timer);
    packet.timer = undefined;
    this.byAck.delete(packet.ackKey);
    if (this.bySlot.get(packet.slotKey) === packet) this.bySlot.delete(packet.slotKey);
  }

  private fail(packet: PendingPacket, reason: string): void {
    this.counters.failed++;
    const t = packet.target;
    this.failures.push({
      namespaceId: t.namespaceId,
      serviceName: t.serviceName,
      clusters: t.clusters,
      addrStr: `${t.address}:${t.port}`,
      agent: t.agent,
      lastRefTime: packet.lastRefTime,
      sends: packet.sends,
      reason,
      failedAt: this.wallNow(),
    });
    if (this.failures.length > this.maxFailuresKept) this.failures.splice(0, this.failures.length - this.maxFailuresKept);
    if (this.onFailed) {
      try {
        this.onFailed(t, reason);
      } catch {
        // A host callback must not break the sender.
      }
    }
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const ack = parseAck(msg);
    if (!ack) return;
    const packet = this.byAck.get(ackKeyOf(rinfo.address, rinfo.port, ack.lastRefTime));
    if (!packet) {
      this.counters.unmatchedAcks++;
      return;
    }
    this.forget(packet);
    this.counters.acked++;
  }
}
