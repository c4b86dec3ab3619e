import type { NamingRegistry } from '@tacos/core';
import type { DistroStats } from '@tacos/distro';
import type { RaftStatus } from '@tacos/raft';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ForwardBatchStats } from './cluster/forward-batch';
import type { RaftTransportStats } from './cluster/raft-http-transport';
import type { LoopDelayStats, RuntimeView } from './deps';
import type { HandlerResult } from './handler';
import type { HotFrontStats } from './hot-front';
import type { RouteDef } from './routes/route';

/** Path of the Prometheus scrape endpoint (Spring Boot actuator's, as Nacos serves it). */
export const PROMETHEUS_PATH = '/nacos/actuator/prometheus';

/** What {@link ServerMetrics} reads at scrape time. Every source is optional. */
export interface MetricSources {
  registry: NamingRegistry;
  raftStatus?: () => RaftStatus;
  distroStats?: () => DistroStats;
  /** Cluster mode: the Raft transport's counters. */
  raftTransportStats?: () => RaftTransportStats;
  /** Cluster mode: counters of the batches of relayed client calls. */
  forwardStats?: () => ForwardBatchStats;
  /** Connections of the hot front (hot-front.ts). */
  hotFrontStats?: () => HotFrontStats;
  runtime?: RuntimeView;
  loopDelay?: (reset: boolean) => LoopDelayStats;
  ready?: () => boolean;
}

const ROLES = ['LEADER', 'FOLLOWER', 'CANDIDATE', 'PRE_CANDIDATE'];

/** Unlabelled gauges, each reading one number off `source()` when scraped. */
function sourceGauges<T>(reg: Registry, source: () => T, gauges: ReadonlyArray<readonly [name: string, help: string, read: (s: T) => number]>): void {
  for (const [name, help, read] of gauges) {
    new Gauge({ name, help, registers: [reg], collect() {
      this.set(read(source()));
    } });
  }
}

/** One fast-path request in this many is timed into the latency histogram. */
export const HOT_LATENCY_SAMPLING = 16;

/**
 * Prometheus metrics of one server, on a registry of its own (several servers in one process, as in
 * tests, do not collide): request rate and latency per route, services and instances per namespace,
 * Raft term, role, commit/apply index and per-follower lag, Distro sync batches and failures, push
 * success ratio, event-loop delay and readiness. Gauges are computed when scraped.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  /** Fast-path requests counted since the last scrape, by `method route status`; flushed by collect(). */
  private readonly hotCounts = new Map<string, { method: string; route: string; status: string; count: number }>();
  private hotSeq = 0;

  constructor(sources: MetricSources) {
    const reg = this.registry;
    const hotCounts = this.hotCounts;
    this.requests = new Counter({
      name: 'tacos_http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['method', 'route', 'status'],
      registers: [reg],
      collect() {
        for (const hot of hotCounts.values()) {
          if (hot.count === 0) continue;
          this.inc({ method: hot.method, route: hot.route, status: hot.status }, hot.count);
          hot.count = 0;
        }
      },
    });
    this.latency = new Histogram({
      name: 'tacos_http_request_duration_seconds',
      help: `HTTP request latency by route and method (beats, list polls and registrations served by the standalone fast path are sampled 1 in ${HOT_LATENCY_SAMPLING}: count their rate with tacos_http_requests_total)`,
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [reg],
    });
    new Gauge({
      name: 'tacos_services',
      help: 'Services per namespace',
      labelNames: ['namespace'],
      registers: [reg],
      collect() {
        this.reset();
        for (const [ns, services] of sources.registry.state.namespaces) this.set({ namespace: ns }, services.size);
      },
    });
    new Gauge({
      name: 'tacos_instances',
      help: 'Instances per namespace and kind',
      labelNames: ['namespace', 'ephemeral'],
      registers: [reg],
      collect() {
        this.reset();
        for (const [ns, services] of sources.registry.state.namespaces) {
          let eph = 0;
          let per = 0;
          for (const entry of services.values()) {
            eph += entry.ephemeral.size;
            per += entry.persistent.size;
          }
          this.set({ namespace: ns, ephemeral: 'true' }, eph);
          this.set({ namespace: ns, ephemeral: 'false' }, per);
        }
      },
    });
    new Gauge({ name: 'tacos_ready', help: '1 when the readiness probe answers OK', registers: [reg], collect() {
      this.set((sources.ready ?? (() => sources.registry.isReady()))() ? 1 : 0);
    } });
    const raftStatus = sources.raftStatus;
    if (raftStatus) {
      sourceGauges<RaftStatus>(reg, raftStatus, [
        ['tacos_raft_term', 'Current Raft term', (s) => s.term],
        ['tacos_raft_commit_index', 'Raft commit index', (s) => s.commitIndex],
        ['tacos_raft_applied_index', 'Raft applied index', (s) => s.appliedIndex],
      ]);
      new Gauge({ name: 'tacos_raft_role', help: '1 for the role this member has', labelNames: ['role'], registers: [reg], collect() {
        const role = raftStatus().role as string;
        for (const r of ROLES) this.set({ role: r }, r === role ? 1 : 0);
      } });
      new Gauge({ name: 'tacos_raft_follower_lag', help: 'Entries a follower lacks behind the leader (leader only)', labelNames: ['follower'], registers: [reg], collect() {
        this.reset();
        const s = raftStatus();
        for (const [id, p] of Object.entries(s.progress ?? {})) if (id !== s.id) this.set({ follower: id }, Math.max(0, s.commitIndex - p.match));
      } });
    }
    const transportStats = sources.raftTransportStats;
    if (transportStats) {
      // Batches per write tell how well group commit amortizes a round (POST, fsync) under load.
      sourceGauges<RaftTransportStats>(reg, transportStats, [
        ['tacos_raft_batches_sent', 'Raft message batches POSTed to peers since start', (s) => s.sentBatches],
        ['tacos_raft_batches_replied', 'Raft message batches sent back in answers to peers since start', (s) => s.repliedBatches],
        ['tacos_raft_batches_failed', 'Raft message batches that failed since start (Raft retransmits)', (s) => s.failedBatches],
        ['tacos_raft_messages_sent', 'Raft messages sent to peers since start', (s) => s.sentMessages],
        ['tacos_raft_messages_received', 'Raft messages received from peers since start', (s) => s.receivedMessages],
        ['tacos_raft_messages_dropped', 'Raft messages dropped from full send queues since start', (s) => s.droppedMessages],
        ['tacos_raft_stream_batches_sent', 'Raft message batches sent as frames of peer streams since start', (s) => s.streamedBatches],
        ['tacos_raft_streams_opened', 'Peer streams opened to other members since start (reopened ones count again)', (s) => s.streamsOpened],
      ]);
    }
    const forwardStats = sources.forwardStats;
    if (forwardStats) {
      sourceGauges<ForwardBatchStats>(reg, forwardStats, [
        ['tacos_forward_batches_streamed', 'Batches of relayed client calls sent over peer streams since start', (s) => s.streamedBatches],
        ['tacos_forward_batches_posted', 'Batches of relayed client calls POSTed to peers since start', (s) => s.postedBatches],
        ['tacos_forward_stream_failures', 'Batches of relayed client calls whose stream exchange failed and that were POSTed instead', (s) => s.streamFailures],
      ]);
    }
    const hotFrontStats = sources.hotFrontStats;
    if (hotFrontStats) {
      sourceGauges<HotFrontStats>(reg, hotFrontStats, [
        ['tacos_http_hot_front_connections', 'Client connections read by the hot front now (beats, list polls, registrations)', (s) => s.open],
        ['tacos_http_hot_front_handed_over', 'Client connections handed to node\'s HTTP parser since start (at their first request the hot front does not answer)', (s) => s.handedOver],
      ]);
    }
    const distroStats = sources.distroStats;
    if (distroStats) {
      sourceGauges<DistroStats>(reg, distroStats, [
        ['tacos_distro_sync_batches_sent', 'Distro sync batches sent since start', (s) => s.syncBatchesSent],
        ['tacos_distro_sync_batches_failed', 'Distro sync batches that failed since start', (s) => s.syncBatchesFailed],
        ['tacos_distro_sync_queue_keys', 'Keys waiting to be synced to peers', (s) => s.syncQueueKeys],
        ['tacos_distro_local_writes', 'Distro writes taken by this member as owner', (s) => s.localWrites],
        ['tacos_distro_applied', 'Distro changes applied from peers', (s) => s.applied],
      ]);
    }
    const runtime = sources.runtime;
    if (runtime) {
      new Gauge({ name: 'tacos_push_success_ratio', help: 'UDP push success ratio since start (1 when nothing was pushed)', registers: [reg], collect() {
        const st = runtime.push.pushState({});
        this.set(st.total === 0 ? 1 : st.succeed / st.total);
      } });
    }
    const loopDelay = sources.loopDelay;
    if (loopDelay) {
      new Gauge({ name: 'tacos_event_loop_delay_ms', help: 'Event-loop delay percentiles in ms', labelNames: ['quantile'], registers: [reg], collect() {
        const d = loopDelay(false);
        this.set({ quantile: '0.5' }, d.p50);
        this.set({ quantile: '0.99' }, d.p99);
        this.set({ quantile: '1' }, d.max);
      } });
    }
  }

  /**
   * Express middleware counting requests and timing them. `routeOf` maps a path to its route
   * label (unknown paths share one label, so scanners cannot blow up the series count).
   */
  middleware(routeOf: (method: string, path: string) => string) {
    return (req: Request, res: Response, next: NextFunction) => {
      const start = process.hrtime.bigint();
      res.once('finish', () => {
        const route = routeOf(req.method, req.path);
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        this.requests.inc({ method: req.method, route, status: String(res.statusCode) });
        this.latency.observe({ method: req.method, route }, seconds);
      });
      next();
    };
  }

  /**
   * Counts one request served outside express (the standalone fast path), for the same
   * `tacos_http_requests_total` series as the middleware; the latency histogram gets one request in
   * {@link HOT_LATENCY_SAMPLING}. A few map operations per call, no label hashing: these routes run at
   * tens of thousands of requests per second.
   */
  recordHot(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let hot = this.hotCounts.get(key);
    if (hot === undefined) {
      hot = { method, route, status: String(status), count: 0 };
      this.hotCounts.set(key, hot);
    }
    hot.count++;
    if (++this.hotSeq % HOT_LATENCY_SAMPLING === 0) this.latency.observe({ method, route }, seconds);
  }

  /** The scrape endpoint as a route. */
  route(): RouteDef {
    return {
      method: 'GET',
      path: PROMETHEUS_PATH,
      handler: async (): Promise<HandlerResult> => ({ status: 200, body: await this.registry.metrics(), contentType: this.registry.contentType }),
    };
  }
}
