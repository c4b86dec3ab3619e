import { accessSync, constants, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { encodeAuthEntry, NamingRegistry, RegistryRuntime, type RegistryRuntimeOptions } from '@tacos/core';
import pino, { type Logger } from 'pino';
import { createApp } from './app';
import { answerClientErrors } from './client-error';
import { createFastPath, type FastPath } from './fast-path';
import { installHotFront } from './hot-front';
import { AUTH_STATE_HANDLER, type AuthLayer, type AuthStartOptions, authProposer, startAuth } from './auth-layer';
import { type AuthState, checkPasswordPolicy, MAX_HEADER_BYTES, parseTokenSecret } from './auth';
import { ServerMetrics } from './metrics';
import { ClusterError, resolveClusterMembers } from './cluster';
import { type ClusterRuntime, startClusterRuntime } from './cluster-mode';
import { defaultConsoleDir } from './console-static';
import { TACOS_VERSION } from './deps';
import { type DataDirLock, lockDataDir } from './data-dir-lock';
import type { LoopDelayStats, MemberView, ServerDeps } from './deps';
import { InstanceWatchHub, type InstanceWatchOptions } from './instance-watch';
import { openStandalonePersistence, type Persistence } from './persistence';
import { RequestClasses } from './request-classes';

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 8848; 0 picks a free one). */
  port?: number;
  /** Data directory; Raft's LMDB store lives in `<dataDir>/raft`. Required. */
  dataDir: string;
  /**
   * Answer beats, list polls and query-string registrations with the hot front's own HTTP reader
   * (hot-front.ts) rather than node's (default true; `--hot-front false` / TACOS_HOT_FRONT=false).
   * Never with auth on or debug logs, where those calls take the express path anyway.
   */
  hotFront?: boolean;
  /** Logger (default: pino at `TACOS_LOG_LEVEL` or `info`, to stdout). */
  logger?: Logger;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Expiry check period in ms (default 500). */
  expiryCheckMs?: number;
  /** Built console to serve under `/nacos/` (default: the repository's apps/console/dist when built). */
  consoleDir?: string;
  /** Called if the persistent layer fails fatally (storage error); the server is then not ready. */
  onFatal?: (error: Error) => void;
  /**
   * UDP push settings (default: an ephemeral port on the HTTP host's address, all interfaces when the
   * host is a wildcard; 200 ms coalescing, 10 s ack timeout, 2 sends).
   */
  push?: RegistryRuntimeOptions['push'];
  /** Health-check settings (default: 128 probes in flight). */
  health?: RegistryRuntimeOptions['health'];
  /** SSE watch settings (default: 10,000 streams, 50 ms coalescing, 15 s pings). */
  watch?: InstanceWatchOptions;
  /**
   * Cluster members (`ip:port`, self included). Empty/absent: `<dataDir>/cluster.conf` if present,
   * else standalone. Needs {@link clusterSecret}.
   */
  members?: string[];
  /** Secret shared by the members (≥ 16 bytes); signs every peer request. */
  clusterSecret?: string;
  /** Serve peer routes on `port + offset` (same on every member) instead of the client port. */
  peerPortOffset?: number;
  /** Join an existing cluster: start Raft with no voters and wait for the leader's `cluster add`. */
  join?: boolean;
  /** Cluster mode: Raft snapshot period in applied entries (default 10000). */
  raftSnapshotEntries?: number;
  /** Cluster mode, for fault tests: dial peers at `port + this` (default {@link peerPortOffset}). */
  peerDialOffset?: number;
  /**
   * Auth on (`--auth`): every request needs a user with the route's permission. `tokenSecret` must be
   * at least 32 bytes and not a published Nacos default, or the server refuses to start.
   */
  auth?: AuthStartOptions & { tokenSecret: string | undefined };
}

/** A started server. */
export interface RunningServer {
  /** `http://host:port` */
  url: string;
  host: string;
  port: number;
  registry: NamingRegistry;
  /** UDP push and persistent-instance health checks of this server. */
  runtime: RegistryRuntime;
  /** Cluster mode: Raft, Distro and membership of this member (undefined when standalone). */
  cluster?: ClusterRuntime;
  /** Stops accepting, closes connections, stops expiry and Raft. Safe to call twice. */
  close(): Promise<void>;
}

/** Raft member id of a standalone server (stable across restarts on other ports). */
export const STANDALONE_MEMBER_ID = 'standalone';

/** A start-up failure with a message meant for a person (no stack needed). */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

function checkDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new StartupError(`data directory ${dataDir} is not writable (${code}); choose another with --data-dir`, {
      cause: err,
    });
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') {
        reject(new StartupError(`port ${port} on ${host} is already in use; stop the other process or pick another with --port`, { cause: err }));
      } else if (err.code === 'EACCES') {
        reject(new StartupError(`not allowed to listen on ${host}:${port} (EACCES); pick a port above 1023 with --port`, { cause: err }));
      } else if (err.code === 'EADDRNOTAVAIL') {
        reject(new StartupError(`address ${host} is not available on this machine; check --host`, { cause: err }));
      } else {
        reject(new StartupError(`cannot listen on ${host}:${port}: ${err.message}`, { cause: err }));
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Samples this process' event-loop delay (10 ms resolution) for `/operator/metrics`. */
function eventLoopDelayMonitor(): { read: (reset: boolean) => LoopDelayStats; stop: () => void } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  return {
    read: (reset) => {
      const stats = {
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
        count: histogram.count,
      };
      if (reset) histogram.reset();
      return stats;
    },
    stop: () => histogram.disable(),
  };
}

/**
 * Starts a standalone Tacos server in this process: opens the one-member Raft group on
 * `<dataDir>/raft` (persistent data is loaded before this resolves), starts ephemeral expiry and
 * listens. Rejects with a {@link StartupError} when the data directory is unwritable, the store is
 * locked or damaged, or the port is taken.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 8848;
  const logger = options.logger ?? pino({ level: process.env.TACOS_LOG_LEVEL ?? 'info' });
  // Auth settings are checked before anything listens: a weak secret must never serve a request.
  let authKey: Uint8Array | undefined;
  if (options.auth) {
    try {
      authKey = parseTokenSecret(options.auth.tokenSecret, true)?.key;
    } catch (err) {
      throw new StartupError((err as Error).message);
    }
    const problem = options.auth.adminPassword ? checkPasswordPolicy(options.auth.adminPassword, 'TACOS_ADMIN_PASSWORD') : undefined;
    if (problem !== undefined) throw new StartupError(problem);
  }
  checkDataDir(options.dataDir);

  const registry = new NamingRegistry({
    expiryCheckMs: options.expiryCheckMs,
    onError: (err) => logger.error({ err }, 'expiry round failed'),
  });
  // Users/roles/permissions replicate with the registry (applied the same way with auth on or off).
  registry.stateMachine.setAuthHandler(AUTH_STATE_HANDLER);
  const classes = new RequestClasses();
  const httpServer = createServer({
    maxHeaderSize: MAX_HEADER_BYTES,
    IncomingMessage: classes.IncomingMessage,
    ServerResponse: classes.ServerResponse,
  });
  httpServer.keepAliveTimeout = 65_000;
  answerClientErrors(httpServer);
  // Beats, list polls and query-string registrations skip express (same input checks, handlers and
  // answers). Not with per-request debug logs. With auth on they take the express path too: the
  // fast path has no auth check.
  const useFastPath = !options.auth && !logger.isLevelEnabled('debug');
  // Hot client calls are read and answered before node's HTTP parser sees them (see hot-front.ts);
  // every other connection is handed to it. `fastPath` is set once the app is built.
  // Not installed where the fast path never runs or when turned off: every connection would only
  // be handed over, and node reads a handed-over socket less directly.
  const hotFront =
    (options.hotFront ?? true) && useFastPath
      ? installHotFront(httpServer, {
          handler: () => fastPath,
          maxHeaderBytes: MAX_HEADER_BYTES,
          idleTimeoutMs: httpServer.keepAliveTimeout,
        })
      : undefined;
  /** Stops listening and drops every client connection (node's and the hot front's). */
  const closeHttp = () =>
    new Promise<void>((resolve) => {
      httpServer.close(() => resolve());
      httpServer.closeAllConnections();
      hotFront?.closeAll();
    });
  // Listen first so a taken port fails fast, but answer 503 until persistent state is loaded.
  let app: ReturnType<typeof createApp> | undefined;
  // Cluster mode: peer routes (Raft, Distro, member health) run before the app and must work while
  // the app is still being built (Raft replays and catches up during start-up).
  let peerListener: ClusterRuntime['peerListener'] | undefined;
  let fastPath: FastPath | undefined;
  const toApp = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    if (app) {
      if (fastPath?.(req, res)) return;
      app(req, res);
      return;
    }
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('server is starting, please try again later!');
  };
  httpServer.on('request', (req, res) => {
    if (peerListener) peerListener(req, res, () => toApp(req, res));
    else toApp(req, res);
  });
  await listen(httpServer, requestedPort, host);
  const port = (httpServer.address() as AddressInfo).port;
  const selfAddress = `${host}:${port}`;

  let lock: DataDirLock;
  try {
    lock = lockDataDir(options.dataDir);
  } catch (err) {
    await closeHttp();
    throw new StartupError((err as Error).message, { cause: err });
  }

  let clusterMembers: ReturnType<typeof resolveClusterMembers>;
  try {
    clusterMembers = resolveClusterMembers({ members: options.members, dataDir: options.dataDir, host, port });
    if (clusterMembers && !options.clusterSecret) {
      throw new StartupError('cluster mode needs --cluster-secret (or TACOS_CLUSTER_SECRET), the same on every member');
    }
  } catch (err) {
    lock.release();
    await closeHttp();
    if (err instanceof StartupError) throw err;
    throw new StartupError(err instanceof ClusterError ? err.message : String(err), { cause: err });
  }
  let cluster: ClusterRuntime | undefined;
  let peerServer: Server | undefined;
  let persistence: Persistence;
  try {
    if (clusterMembers) {
      cluster = await startClusterRuntime({
        self: clusterMembers.self,
        members: clusterMembers.members,
        secret: options.clusterSecret as string,
        dataDir: options.dataDir,
        registry,
        logger,
        version: TACOS_VERSION,
        peerPortOffset: options.peerPortOffset,
        join: options.join,
        snapshotEntries: options.raftSnapshotEntries,
        peerDialOffset: options.peerDialOffset,
        onFatal: (error) => options.onFatal?.(error),
      });
      if (options.peerPortOffset) {
        const listener = cluster.peerListener;
        // Peer routes, plus client requests forwarded by members (signed; verified by the app).
        // Unsigned requests have no business on the peer port.
        const peers = createServer((req, res) =>
          listener(req, res, () => {
            if (req.headers['x-tacos-peer'] === undefined) {
              res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
              res.end('peer port: signed member requests only');
              return;
            }
            toApp(req, res);
          }),
        );
        peers.on('upgrade', cluster.streamListener);
        peerServer = peers;
        await listen(peers, port + options.peerPortOffset, host);
      } else {
        peerListener = cluster.peerListener;
        httpServer.on('upgrade', cluster.streamListener);
      }
      cluster.start();
      persistence = cluster.persistence;
    } else {
    const raftLog = logger.child({ module: 'raft' });
    persistence = await openStandalonePersistence({
      dataDir: options.dataDir,
      id: STANDALONE_MEMBER_ID,
      registry,
      logger: {
        debug: (m, f) => raftLog.debug(f ?? {}, m),
        info: (m, f) => raftLog.info(f ?? {}, m),
        warn: (m, f) => raftLog.warn(f ?? {}, m),
        error: (m, f) => raftLog.error(f ?? {}, m),
      },
      onFatal: (error) => {
        logger.error({ err: error }, 'persistent store failed; this server is no longer ready');
        options.onFatal?.(error);
      },
    });
    }
  } catch (err) {
    await cluster?.close().catch(() => undefined);
    peerServer?.close();
    lock.release();
    await closeHttp();
    const message = err instanceof Error ? err.message : String(err);
    throw new StartupError(`cannot open the data store in ${options.dataDir}: ${message}`, { cause: err });
  }
  const consoleDir = options.consoleDir ?? defaultConsoleDir();
  if (!consoleDir) logger.info('console not built (apps/console/dist missing): serving the API only');
  // Push from the interface the API listens on (a loopback-only server stays loopback-only); a
  // wildcard host pushes from all interfaces, as Nacos does.
  const pushBind = isIP(host) !== 0 && host !== '0.0.0.0' && host !== '::' ? host : undefined;
  const runtime = new RegistryRuntime({
    registry,
    push: { ...options.push, bindAddress: options.push?.bindAddress ?? pushBind, type: options.push?.type ?? (isIP(host) === 6 && host !== '::' ? 'udp6' : 'udp4') },
    health: options.health,
    // Cluster mode: only the Distro owner of a service checks its persistent instances and reports
    // its flips to the other members (standalone: this node checks everything).
    ...(cluster ? { isResponsible: cluster.healthChecks.isResponsible, onHealthChange: cluster.healthChecks.onHealthChange } : {}),
  });
  cluster?.healthChecks.bind(runtime);
  try {
    await runtime.start();
  } catch (err) {
    if (cluster) await cluster.close();
    else await persistence.close();
    peerServer?.close();
    lock.release();
    await closeHttp();
    throw new StartupError(`cannot open the UDP push socket: ${(err as Error).message}`, { cause: err });
  }
  const watchHub = new InstanceWatchHub(registry, options.watch);
  const loopDelay = eventLoopDelayMonitor();
  // Requests on the fast path (beats, list polls, registrations) are counted by the fast path itself.
  const metrics = new ServerMetrics({
    registry,
    raftStatus: () => (cluster ? cluster.raft : persistence.raft).status(),
    distroStats: cluster ? () => cluster.distro.stats() : undefined,
    raftTransportStats: cluster ? () => cluster.plumbing.raftTransport.stats : undefined,
    forwardStats: cluster ? () => cluster.forwardStats : undefined,
    hotFrontStats: hotFront?.stats,
    runtime,
    loopDelay: loopDelay.read,
    ready: cluster ? cluster.ready : undefined,
  });
  let authLayer: AuthLayer | undefined;
  if (options.auth && authKey) {
    const raft = cluster ? cluster.raft : persistence.raft;
    authLayer = await startAuth(
      {
        ...options.auth,
        tokenKey: authKey,
        state: () => registry.stateMachine.authState() as AuthState,
        propose: authProposer(raft, encodeAuthEntry),
      },
      { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
    );
  }
  const deps: ServerDeps = {
    authLayer,
    metrics,
    registry,
    selfAddress,
    logger,
    bodyLimit: options.bodyLimit,
    version: TACOS_VERSION,
    consoleDir,
    runtime,
    watchHub,
    loopDelay: loopDelay.read,
    ...(cluster
      ? {
          clusterMiddleware: cluster.middleware,
          extraRoutes: cluster.routes,
          readiness: cluster.ready,
          members: () => cluster.plumbing.membership.nacosMembers() as unknown as MemberView[],
          mode: 'cluster' as const,
        }
      : {}),
  };
  app = createApp(deps);
  classes.adopt(app);
  // In cluster mode the fast path goes through clusterFastPath, which relays the calls to their
  // owner or leader by the cluster middleware's rules first.
  if (useFastPath) {
    fastPath = cluster ? cluster.fastPath(createFastPath(deps), deps) : createFastPath(deps);
  }
  registry.start();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      registry.stop();
      loopDelay.stop();
      // End SSE streams first: an open stream would keep httpServer.close waiting.
      watchHub.close();
      await runtime.close();
      await new Promise<void>((resolve) => {
        // Peer streams other members opened to this one are upgraded sockets, which would keep
        // httpServer.close waiting too (ended in the same turn, so none reconnects in between).
        cluster?.streamListener.closeAll();
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
        hotFront?.closeAll();
      });
      if (cluster) await cluster.close();
      else await persistence.close();
      if (peerServer) {
        const peers = peerServer;
        await new Promise<void>((resolve) => {
          peers.close(() => resolve());
          peers.closeAllConnections();
        });
      }
      lock.release();
    })();
    return closing;
  };
  return { url: `http://${host}:${port}`, host, port, registry, runtime, cluster, close };
}
