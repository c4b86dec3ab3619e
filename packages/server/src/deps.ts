import type { CheckRtStats, ClusterRef, NamingRegistry, PushState } from '@tacos/core';
import type { InstanceWatchHub, InstanceWatchOptions } from './instance-watch';
import type { RequestHandler } from 'express';
import type { AuthLayer } from './auth-layer';
import type { Logger } from 'pino';
import type { ServerMetrics } from './metrics';
import type { RouteDef } from './routes/route';

/** One cluster member as `/operator/servers` shows it. */
export interface MemberView {
  ip: string;
  port: number;
  state: string;
  extendInfo: Record<string, unknown>;
  address: string;
  failAccessCnt: number;
}

/** Event-loop delay percentiles in ms (from `perf_hooks.monitorEventLoopDelay`). */
export interface LoopDelayStats {
  p50: number;
  p99: number;
  max: number;
  /** Samples since the last reset. */
  count: number;
}

/**
 * The node's push and health-check services as the routes see them (core's `RegistryRuntime`
 * fits). Absent in tests that need neither: push/state then reports zeros.
 */
export interface RuntimeView {
  push: { pushState(options: { detail?: boolean; reset?: boolean }): PushState };
  healthChecks: { rtStats(ref: ClusterRef): CheckRtStats | undefined };
}

/**
 * What the HTTP layer needs. `createApp(deps)` never listens; tests pass a registry with a fake clock
 * and an in-test Raft node.
 */
export interface ServerDeps {
  registry: NamingRegistry;
  /** This node's `ip:port` (shown by /health/server and /operator/servers). Default `127.0.0.1:8848`. */
  selfAddress?: string;
  /** Cluster members; default: this node alone, UP. */
  members?: () => MemberView[];
  /** Request/diagnostic logger; when absent nothing is logged. */
  logger?: Logger;
  /** Largest accepted request body (bytes or an express size string such as '1mb'); default 1 MiB. */
  bodyLimit?: number | string;
  /** Version string shown in server state and members. */
  version?: string;
  /** Directory of the built console (index.html + assets), served under `/nacos/`; none = API only. */
  consoleDir?: string;
  /** UDP push and health checks (`operator/push/state`, `catalog/rt/service`). */
  runtime?: RuntimeView;
  /** The SSE watch hub; when absent `createApp` makes one with `watch` options (the caller then cannot close it). */
  watchHub?: InstanceWatchHub;
  /** Options of the hub `createApp` makes when `watchHub` is absent. */
  watch?: InstanceWatchOptions;
  /**
   * Event-loop delay of this process, shown as `loopDelay` in `/operator/metrics` (a Tacos addition);
   * `reset` starts a new measurement window after reading.
   */
  loopDelay?: (reset: boolean) => LoopDelayStats;
  /**
   * Cluster mode: middleware run after the form parser and before the routes (classifies forwarded
   * requests and sends writes to the Distro owner or the Raft leader). The form parser then keeps
   * raw bodies, so forwarded requests can be verified and relayed byte for byte.
   */
  clusterMiddleware?: RequestHandler[];
  /** Cluster mode: extra endpoints (raft state, cluster nodes, member changes). */
  extraRoutes?: RouteDef[];
  /** Readiness probe override (cluster: data loaded and a Raft leader known); default `registry.isReady()`. */
  readiness?: () => boolean;
  /** Prometheus metrics: counts requests and serves `/nacos/actuator/prometheus`. */
  metrics?: ServerMetrics;
  /** Standalone or cluster, as `/console/server/state` reports it. Default standalone. */
  mode?: 'standalone' | 'cluster';
  /** Auth on (`--auth`): authenticates and authorizes every routed request and serves `/nacos/v1/auth/*`. */
  authLayer?: AuthLayer;
}

/** The version Tacos reports. */
export const TACOS_VERSION = '0.1.0';
