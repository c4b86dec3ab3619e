import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ClusterRef,
  EPHEMERAL_DATA_TYPE,
  EphemeralReplicator,
  type InstanceHealth,
  type NamingRegistry,
  type RegistryRuntime,
  routingKeyOfEphemeral,
} from '@tacos/core';
import { DistroNode, systemClock } from '@tacos/distro';
import type { RaftNode } from '@tacos/raft';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import {
  type ClusterPlumbing,
  type ClusterRequest,
  clusterRoutes,
  createClusterPlumbing,
  invalidRedirectText,
  peerClassifier,
  peerUrlResolver,
  RAFT_APPLIED_HEADER,
} from './cluster';
import { API_SECURITY_HEADERS, hostileInputProblem } from './auth-layer';
import { FORWARD_BATCH_RPC, type ForwardBatchServer, type ForwardBatchStats, ForwardBatcher, type ForwardItem, type ForwardItemResult, forwardBatchRoute, forwardBatchRpc, itemHeaders } from './cluster/forward-batch';
import { HealthSync } from './cluster/health-sync';
import { hasPeerHeaders } from './cluster/peer-auth';
import type { PeerStreamListener } from './cluster/peer-stream';
import { aggregatedSubscribersRoute } from './cluster-subscribers';
import type { ServerDeps } from './deps';
import { FAST_ROUTES, type FastPath, type HotResponse } from './fast-path';
import { type HandlerRequest, text } from './handler';
import { Params } from './params';
import { QueryParams } from './query-string';
import { openStandalonePersistence, type Persistence } from './persistence';
import { buildRouteTable, dispatchNow } from './route-table';
import type { RouteDef } from './routes/route';

/** How long a leader waits for a persistent write to commit before answering 503 (never an ack). */
const COMMIT_TIMEOUT_MS = 5000;

/**
 * How long a member that relayed a write to the leader waits, at most, to apply what the leader had
 * applied when it answered, before answering anyway (a partitioned follower must not hang).
 */
const READ_YOUR_WRITE_WAIT_MS = 1000;

/** How long the readiness probe waits, at most, for every member to have answered a probe. */
const VIEW_SETTLE_GRACE_MS = 10_000;

/** Options of {@link startClusterRuntime}. */
export interface ClusterRuntimeOptions {
  self: string;
  members: string[];
  secret: string;
  dataDir: string;
  registry: NamingRegistry;
  logger: Logger;
  version: string;
  /** Peer routes on `port + offset` (same on every member); 0 = on the client port. */
  peerPortOffset?: number;
  /**
   * Dial other members' peer routes at `port + this` instead of `port + peerPortOffset` (tests put a
   * proxy per pair of members there to cut links).
   */
  peerDialOffset?: number;
  /** Start Raft with no voters and wait to be added by the leader (`cluster add`). */
  join?: boolean;
  /** Raft snapshot period in applied entries (default 10000). */
  snapshotEntries?: number;
  onFatal?: (error: Error) => void;
}

/** A running cluster member's replication machinery. */
export interface ClusterRuntime {
  readonly plumbing: ClusterPlumbing;
  readonly raft: RaftNode;
  readonly distro: DistroNode;
  readonly persistence: Persistence;
  /** Counters of the batches of relayed client calls this member sent. */
  readonly forwardStats: ForwardBatchStats;
  /**
   * Checks of persistent instances: only the Distro owner of a service checks it. Give
   * `isResponsible` and `onHealthChange` to the RegistryRuntime, then `bind` it: the owner's flips
   * (and full reports) go to the other members, whose `sync` applies them (see health-sync.ts).
   */
  readonly healthChecks: {
    isResponsible(ref: ClusterRef): boolean;
    onHealthChange(change: InstanceHealth): void;
    bind(runtime: Pick<RegistryRuntime, 'checkedInstanceHealth' | 'applyRemoteHealth'>): void;
    readonly sync: HealthSync;
  };
  /** Middleware for the client app: classify forwarded requests, then route writes to owner/leader. */
  readonly middleware: RequestHandler[];
  /** The cluster endpoints (state, nodes, distro owner, member add/remove). */
  readonly routes: RouteDef[];
  /** Ready to serve data: the Distro snapshot is loaded and the store is healthy. */
  dataReady(): boolean;
  /** Readiness probe: data ready and a Raft leader known. */
  ready(): boolean;
  /**
   * Wraps the standalone fast path (see `createFastPath`) for cluster mode: hot client calls are
   * relayed to their owner or leader, or served here, without express (see {@link clusterFastPath}).
   */
  fastPath(local: FastPath, deps: ServerDeps): FastPath;
  /** Peer listener (mounted before the app on the client port, or on its own port). */
  peerListener: (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;
  /** Attach to the `upgrade` event of the server that serves {@link peerListener}: peer streams. */
  streamListener: PeerStreamListener;
  start(): void;
  close(): Promise<void>;
}

function raftLoggerOf(logger: Logger) {
  const raftLog = logger.child({ module: 'raft' });
  return {
    debug: (m: string, f?: Record<string, unknown>) => raftLog.debug(f ?? {}, m),
    info: (m: string, f?: Record<string, unknown>) => raftLog.info(f ?? {}, m),
    warn: (m: string, f?: Record<string, unknown>) => raftLog.warn(f ?? {}, m),
    error: (m: string, f?: Record<string, unknown>) => raftLog.error(f ?? {}, m),
  };
}

/**
 * Builds a cluster member around the registry: plumbing (peer auth, membership, transports,
 * forwarder), Raft on `<dataDir>/raft` with member id = `ip:port`, Distro with the ephemeral
 * replicator, and the middleware that sends each write to the member that must take it.
 */
export async function startClusterRuntime(options: ClusterRuntimeOptions): Promise<ClusterRuntime> {
  const { self, registry, logger } = options;
  // Batches of hot calls other members relay here; served once the app's handlers exist.
  let batchServer: ForwardBatchServer | undefined;
  // Persistent-instance health results from their owner (late-bound: distro and the runtime come later).
  let healthRuntime: Pick<RegistryRuntime, 'checkedInstanceHealth' | 'applyRemoteHealth'> | undefined;
  const healthLog = logger.child({ module: 'health-sync' });
  const healthSync = new HealthSync({
    self,
    client: { request: (member, call) => plumbing.peerClient.request(member, call) },
    peers: () => plumbing.membership.members().filter((m) => m.state !== 'DOWN').map((m) => m.address),
    ownerOf: (serviceName) => distro.ownerOf(serviceName),
    fullState: (owns) => healthRuntime?.checkedInstanceHealth(owns) ?? [],
    apply: (result) => healthRuntime?.applyRemoteHealth(result) ?? false,
    onSendError: (peer, err) => healthLog.debug({ peer, err: (err as Error)?.message }, 'health report not delivered'),
  });
  const plumbing = createClusterPlumbing({
    extraPeerRoutes: [forwardBatchRoute(() => batchServer), healthSync.route],
    self,
    members: options.members,
    secret: options.secret,
    version: options.version,
    peerPortOffset: options.peerPortOffset,
    ...(options.peerDialOffset === undefined ? {} : { resolvePeerUrl: peerUrlResolver({ peerPortOffset: options.peerDialOffset }) }),
    logger: logger.child({ module: 'cluster' }),
  });
  let persistence: Persistence;
  let opened = false;
  try {
    persistence = await openStandalonePersistence({
      snapshotEntries: options.snapshotEntries,
      // Bound the commit wait: a leader cut off from its majority must answer (503), not hang.
      commitTimeoutMs: COMMIT_TIMEOUT_MS,
      onRestore: () => {
        // At start-up the member restores its own snapshot; later ones come from the leader.
        if (opened) logger.info('installed a Raft snapshot sent by the leader');
      },
      dataDir: options.dataDir,
      id: self,
      peers: options.join ? [] : [...options.members],
      transport: plumbing.raftTransport,
      registry,
      logger: raftLoggerOf(logger),
      onFatal: (error) => {
        logger.error({ err: error }, 'persistent store failed; this member is no longer ready');
        options.onFatal?.(error);
      },
    });
  } catch (err) {
    plumbing.close();
    throw err;
  }
  opened = true;
  const raft = persistence.raft;
  plumbing.bindRaft(raft);
  registry.setProposer(raft, () => persistence.isReady() && distro.isReady);

  const replicator = new EphemeralReplicator(registry, {
    onError: (err, key) => logger.warn({ err: (err as Error)?.message, key }, 'ephemeral data not written to distro'),
  });
  const distroLog = logger.child({ module: 'distro' });
  const distro = new DistroNode({
    self,
    membership: plumbing.membership,
    clock: systemClock,
    transport: plumbing.distroTransport,
    processors: [replicator.processor],
    routingKeyOf: (_type, key) => routingKeyOfEphemeral(key),
    // Sync soon (visible everywhere well within 2 s); give up waiting for peers' snapshots after 5 s.
    config: { syncDelayMs: 100, loadTimeoutMs: 5000, verifyIntervalMs: 2000 },
    logger: {
      debug: (m, f) => distroLog.debug(f ?? {}, m),
      warn: (m, f) => distroLog.warn(f ?? {}, m),
    },
  });
  replicator.bind(distro);
  distro.onOwnershipChange((change) => replicator.ownershipChanged(change));
  plumbing.bindDistro(distro);

  const dataReady = () => persistence.isReady() && distro.isReady;
  // Ownership comes from each member's own view of the others. Right after start a member may have
  // probed a peer before it listened (refused → DOWN until the next probe), so two members can map a
  // service to different owners and a forwarded write is refused. The readiness probe waits until
  // every member has answered here once, or a grace period passed (a dead member must not hold
  // readiness back forever).
  const startedAt = Date.now();
  const viewSettled = () =>
    Date.now() - startedAt > VIEW_SETTLE_GRACE_MS ||
    plumbing.membership.nacosMembers().every((m) => m.state === 'UP' && m.extendInfo.lastRefreshTime > 0);
  const ready = () => dataReady() && raft.status().leaderId !== '' && viewSettled();

  // Raft's configuration is the member list: follow it (after `cluster add|remove`) in membership,
  // and so in Distro ownership, on every member.
  let lastConfig = '';
  const followConfig = setInterval(() => {
    const members = raft.status().members;
    const sorted = [...members].sort();
    const key = sorted.join(',');
    if (sorted.length === 0 || key === lastConfig) return;
    lastConfig = key;
    const current = plumbing.membership.members().map((m) => m.address).sort().join(',');
    if (current !== key) {
      logger.info({ members: sorted }, 'member list follows the Raft configuration');
      plumbing.membership.setMembers(sorted);
    }
  }, 1000);
  followConfig.unref();

  const membershipChange = (add: boolean): RouteDef['handler'] => async (req) => {
    const address = new Params(req).required('address');
    const st = raft.status();
    if (st.role !== 'LEADER') return text(`not the Raft leader (leader: ${st.leaderId || 'unknown'}); retry`, 503);
    try {
      if (add) await raft.addMember(address);
      else await raft.removeMember(address);
    } catch (err) {
      return text(`membership change refused: ${(err as Error).message}`, 400);
    }
    return text('ok');
  };
  const routes: RouteDef[] = [
    ...clusterRoutes({ membership: plumbing.membership, raftStatus: () => raft.status(), distroOwnerOf: (name) => distro.ownerOf(name) }),
    { method: 'POST', path: '/nacos/v1/core/cluster/members', handler: membershipChange(true) },
    { method: 'DELETE', path: '/nacos/v1/core/cluster/members', handler: membershipChange(false) },
    aggregatedSubscribersRoute({
      self,
      registry,
      members: () => plumbing.membership.nacosMembers(),
      forward: (target, req) => plumbing.forwarder.forward(target, req),
    }),
  ];

  const gate = clusterGate({ self, registry, plumbing, raft, distro });
  // Forward batches over peer streams when open (the same route serves them), else POSTs.
  const rpc = plumbing.rpc;
  rpc?.handle(FORWARD_BATCH_RPC, forwardBatchRpc(() => batchServer));
  const batcher = new ForwardBatcher({
    client: plumbing.peerClient,
    single: (target, req) => plumbing.forwarder.forward(target, req),
    ...(rpc ? { exchange: (target: string, body: string, timeoutMs: number) => rpc.call(target, FORWARD_BATCH_RPC, body, timeoutMs) } : {}),
  });
  return {
    plumbing,
    raft,
    distro,
    persistence,
    forwardStats: batcher.stats,
    healthChecks: {
      isResponsible: (ref) => distro.ownerOf(ref.serviceName) === self,
      onHealthChange: (change) => healthSync.record(change),
      bind(runtime) {
        healthRuntime = runtime;
        healthSync.start();
      },
      sync: healthSync,
    },
    middleware: [peerClassifier(plumbing.verifier), gate],
    routes,
    dataReady,
    ready,
    peerListener: plumbing.peerListener(),
    streamListener: plumbing.streamListener,
    fastPath: (local, deps) => {
      const relay = { self, registry, plumbing, raft, distro };
      batchServer = forwardBatchServer(relay, deps);
      return clusterFastPath({ ...relay, batcher }, local);
    },
    start() {
      plumbing.start();
      distro.start();
    },
    async close() {
      clearInterval(followConfig);
      healthSync.stop();
      replicator.close();
      distro.stop();
      await persistence.close();
      plumbing.close();
    },
  };
}

/** Writes whose data lives in Distro (Nacos' `@CanDistro` endpoints), by method and path. */
const NS = '/nacos/v1/ns';

type Target = { kind: 'local' } | { kind: 'owner'; service: string } | { kind: 'leader' } | { kind: 'read-index' };

function handlerRequestOf(req: Request): HandlerRequest {
  const query = req.query as Record<string, unknown>;
  const body = (req.body ?? undefined) as Record<string, unknown> | undefined;
  const first = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);
  return {
    method: req.method,
    path: req.path,
    param: (name) => first(query[name]) ?? (body ? first(body[name]) : undefined),
    header: (name) => first(req.headers[name]),
    remoteAddress: req.socket.remoteAddress,
  };
}

/**
 * Where a client request must run: ephemeral instance writes on the Distro owner of the service,
 * other writes on the Raft leader, `consistent=true` reads after a ReadIndex on the leader; the rest
 * here. Unparseable requests run here so the handler gives its usual error.
 */
export function classifyTarget(req: HandlerRequest, registry: NamingRegistry): Target {
  const { method, path } = req;
  const normalized = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const p = new Params(req);
  try {
    if (method === 'GET' || method === 'HEAD') {
      if ((normalized === `${NS}/instance` || normalized === `${NS}/instance/list`) && p.get('consistent') === 'true') return { kind: 'read-index' };
      return { kind: 'local' };
    }
    if (normalized.startsWith(`${NS}/peer/`)) return { kind: 'local' };
    if (normalized === `${NS}/instance/beat`) return { kind: 'owner', service: p.groupedServiceName() };
    if (normalized === `${NS}/instance` || normalized === `${NS}/health` || normalized === `${NS}/health/instance`) {
      const explicit = p.get('ephemeral');
      let ephemeral: boolean;
      if (explicit !== undefined) ephemeral = explicit.toLowerCase() === 'true';
      else if (method === 'PATCH' || normalized !== `${NS}/instance`) {
        // No flag: the instance decides (a persistent one goes through Raft).
        const entry = registry.state.getService(p.namespaceId(), p.groupedServiceName());
        const ip = p.get('ip');
        const port = p.get('port');
        const persistentHit = entry ? [...entry.persistent.values()].some((i) => i.ip === ip && String(i.port) === port) : false;
        ephemeral = !persistentHit;
      } else ephemeral = registry.switches.defaultInstanceEphemeral;
      return ephemeral ? { kind: 'owner', service: p.groupedServiceName() } : { kind: 'leader' };
    }
    if (normalized === `${NS}/instance/metadata/batch`) {
      // A batch touching persistent instances goes through Raft (on the leader); an ephemeral-only one
      // to the owner, whose change Distro replicates.
      const service = p.groupedServiceName();
      const type = p.get('consistencyType');
      if (type === 'ephemeral') return { kind: 'owner', service };
      if (type === 'persist') return { kind: 'leader' };
      const listed = p.get('instances');
      if (listed !== undefined) {
        let items: unknown;
        try {
          items = JSON.parse(listed);
        } catch {
          return { kind: 'local' };
        }
        const persistent = Array.isArray(items) && items.some((i) => (i as { ephemeral?: unknown })?.ephemeral === false || (i as { ephemeral?: unknown })?.ephemeral === 'false');
        return persistent ? { kind: 'leader' } : { kind: 'owner', service };
      }
      const entry = registry.state.getService(p.namespaceId(), service);
      return entry && entry.persistent.size > 0 ? { kind: 'leader' } : { kind: 'owner', service };
    }
  } catch {
    return { kind: 'local' };
  }
  if (normalized.startsWith('/nacos/v1/')) return { kind: 'leader' };
  return { kind: 'local' };
}

/**
 * Adds {@link RAFT_APPLIED_HEADER} to the answer of a request a peer forwarded here: the index this
 * member had applied when the answer was written. A write's handler answers once its entry applied,
 * so the index covers the write.
 */
function stampRaftApplied(res: HotResponse, raft: RaftNode): void {
  const writeHead = res.writeHead as (...args: unknown[]) => unknown;
  res.writeHead = function (this: HotResponse, ...args: unknown[]) {
    if (!this.headersSent) this.setHeader(RAFT_APPLIED_HEADER, String(raft.leadership().appliedIndex));
    return writeHead.apply(this, args);
  } as HotResponse['writeHead'];
}

/**
 * Express middleware (after the urlencoded parser with `saveRawBody` and `peerClassifier`): forwards
 * each client request to the member that must serve it, once; a forwarded request that would need
 * another hop is refused instead (never forward twice).
 */
export function clusterGate(deps: { self: string; registry: NamingRegistry; plumbing: ClusterPlumbing; raft: RaftNode; distro: DistroNode }): RequestHandler {
  const { self, registry, plumbing, raft, distro } = deps;
  return async (req: Request, res: Response, next: NextFunction) => {
    const r = req as ClusterRequest;
    const send = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const relay = async (target: string) => {
      const out = await plumbing.forwarder.forward(target, { method: req.method, url: req.originalUrl, headers: req.headers, body: r.rawBody, origin: req.socket.remoteAddress });
      send(out.status, out.contentType, out.body);
    };
    // Read-your-write on the member that replied: after the leader acknowledged a write, wait
    // (bounded, woken by Raft as it applies) until this member applied what the leader had applied
    // when it answered. A leader that does not send that index (an older version) is asked for its
    // commit index instead.
    const catchUpWith = async (leader: string, leaderApplied: number | undefined) => {
      await raft.waitApplied(leaderApplied ?? (await leaderCommitIndex(plumbing, leader)), READ_YOUR_WRITE_WAIT_MS);
    };
    try {
      const target = classifyTarget(handlerRequestOf(req), registry);
      if (target.kind === 'local') return next();
      if (target.kind === 'owner') {
        const owner = distro.ownerOf(target.service);
        if (owner === undefined || owner === self) return next();
        if (r.forwardedBy) return send(400, 'text/plain; charset=utf-8', invalidRedirectText(r.forwardedBy));
        return await relay(owner);
      }
      const st = raft.leadership();
      if (st.role === 'LEADER') {
        if (target.kind === 'read-index') {
          try {
            await raft.readIndex();
          } catch (err) {
            return send(503, 'text/plain; charset=utf-8', `no linearizable read now (${(err as { code?: string }).code ?? 'error'}); retry`);
          }
        }
        if (r.forwardedBy) stampRaftApplied(res, raft);
        return next();
      }
      if (r.forwardedBy || st.leaderId === '' || st.leaderId === self) {
        return send(503, 'text/plain; charset=utf-8', 'no Raft leader here; retry or ask another member');
      }
      const out = await plumbing.forwarder.forward(st.leaderId, { method: req.method, url: req.originalUrl, headers: req.headers, body: r.rawBody, origin: req.socket.remoteAddress });
      if (out.status < 300 && target.kind === 'leader') await catchUpWith(st.leaderId, out.raftApplied);
      return send(out.status, out.contentType, out.body);
    } catch (err) {
      next(err);
    }
  };
}

/** What relaying and serving relayed calls needs of a member. */
interface RelayDeps {
  self: string;
  registry: NamingRegistry;
  plumbing: ClusterPlumbing;
  raft: RaftNode;
  distro: DistroNode;
}

/**
 * Serves the hot calls another member relayed here in one batch, each as the express app would
 * serve it forwarded by that member (hostile-input checks, then the gate: a call that would need
 * another hop is refused, never forwarded again; then the handler with the status gate open to the
 * peer). The reply carries the Raft index applied once every call was answered, which covers the
 * writes among them (read-your-write on the sender).
 */
export function forwardBatchServer(relay: RelayDeps, deps: ServerDeps): ForwardBatchServer {
  const { self, registry, raft, distro } = relay;
  const table = buildRouteTable(deps);
  const logger = deps.logger;
  const serveItem = async (item: ForwardItem, peer: string, remoteAddress: string | undefined): Promise<ForwardItemResult> => {
    const q = item.url.indexOf('?');
    const path = q < 0 ? item.url : item.url.slice(0, q);
    if (!FAST_ROUTES.has(`${item.method} ${path}`)) return text(`not a call members relay in batches: ${item.method} ${path}`, 400);
    const query = QueryParams.parse(q < 0 ? '' : item.url.slice(q + 1));
    const param = (name: string) => query.get(name);
    const parsed = new Map<string, unknown>();
    const handlerReq: HandlerRequest = {
      method: item.method,
      path,
      param,
      header: (name) => item.headers[name],
      remoteAddress,
      forwardedBy: peer,
      parsedJson: (name) => parsed.get(name),
    };
    const refused = hostileInputProblem(query, param, logger, parsed);
    if (refused) return refused;
    const target = classifyTarget(handlerReq, registry);
    if (target.kind === 'read-index') return text('consistent reads are not relayed in batches', 400);
    if (target.kind === 'owner') {
      const owner = distro.ownerOf(target.service);
      if (owner !== undefined && owner !== self) return text(invalidRedirectText(peer), 400);
    } else if (target.kind === 'leader' && raft.leadership().role !== 'LEADER') {
      return text('no Raft leader here; retry or ask another member', 503);
    }
    return dispatchNow(table, registry, handlerReq, logger);
  };
  return async (items, peer, remoteAddress) => {
    const answers = await Promise.all(items.map((item) => serveItem(item, peer, remoteAddress)));
    const results = answers.map((a) => ({ status: a.status, contentType: a.contentType, body: a.body }));
    return { v: 1, applied: raft.leadership().appliedIndex, results };
  };
}

const RELAY_HEADERS: Readonly<Record<string, string>> = Object.fromEntries(API_SECURITY_HEADERS);

/**
 * The cluster's counterpart of the standalone fast path, for the hot calls without a body (beats,
 * list polls, query-string registrations), with the same decisions as {@link clusterGate}:
 *
 * - a client call whose owner (Distro) or leader (Raft) is another member is relayed there at once
 *   (after the same hostile-input checks as express), with the read-your-write wait for leader
 *   writes, and answered with the security headers express would have set;
 * - a client call that runs here goes to `local` (the standalone fast path);
 * - a call a peer forwarded here (signed) is verified and served by `local` when it needs no
 *   further hop and the status gate is open (the only place the peer's identity matters then);
 *   its signature is checked once: a refused one is answered 401 as `peerClassifier` would.
 *
 * Everything else (bodies, consistent reads, 503s, refusals, other routes) is left to express,
 * untouched, where {@link clusterGate} answers it as before.
 */
export function clusterFastPath(deps: RelayDeps & { batcher?: Pick<ForwardBatcher, 'forward'> }, local: FastPath): FastPath {
  const { self, registry, plumbing, raft, distro, batcher } = deps;
  // As the status gate (route-table.ts) decides: only when it is open is a peer's request served
  // exactly like a client's.
  const statusUp = () => (registry.switches.overriddenServerStatus ?? (registry.isReady() ? 'UP' : 'DOWN')) === 'UP';
  return (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? '';
    if (!FAST_ROUTES.has(`${method} ${path}`)) return false;
    const length = req.headers['content-length'];
    if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined) return false;
    const query = QueryParams.parse(q < 0 ? '' : url.slice(q + 1));
    const handlerReq: HandlerRequest = { method, path, param: (name) => query.get(name), header: (name) => firstHeader(req.headers[name]), remoteAddress: req.socket.remoteAddress };
    const target = classifyTarget(handlerReq, registry);
    if (target.kind === 'read-index') return false;
    const lead = raft.leadership();
    const owner = target.kind === 'owner' ? distro.ownerOf(target.service) : undefined;
    const here = target.kind === 'local' || (target.kind === 'owner' && (owner === undefined || owner === self)) || (target.kind === 'leader' && lead.role === 'LEADER');

    if (hasPeerHeaders(req.headers)) {
      // Only what this member serves itself, with the gate open: then being forwarded changes
      // nothing in the handler, and the standalone fast path answers exactly as express would.
      if (!here || !statusUp()) return false;
      const verdict = plumbing.verifier.verify({ method, url, headers: req.headers, body: EMPTY_BODY });
      if (!verdict.ok) {
        req.resume();
        const body = `peer authentication failed: ${verdict.reason}`;
        res.writeHead(401, { ...RELAY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return true;
      }
      if (target.kind === 'leader') stampRaftApplied(res, raft);
      if (local(req, res)) return true;
      // Not expected (same routes and conditions): let express serve it, already verified.
      (req as ClusterRequest).forwardedBy = verdict.peer;
      if (verdict.origin !== undefined) (req as ClusterRequest).forwardedFor = verdict.origin;
      return false;
    }
    if (here) return local(req, res);
    const to = target.kind === 'owner' ? owner : lead.leaderId !== '' && lead.leaderId !== self ? lead.leaderId : undefined;
    if (to === undefined) return false;
    const refused = hostileInputProblem(query, handlerReq.param, undefined);
    if (refused) return false;
    req.resume();
    const send = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { ...RELAY_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    void (async () => {
      const origin = req.socket.remoteAddress;
      const out = batcher ? await batcher.forward(to, { method, url, headers: itemHeaders(req.headers), ...(origin === undefined ? {} : { origin }) }) : await plumbing.forwarder.forward(to, { method, url, headers: req.headers, origin });
      if (out.status < 300 && target.kind === 'leader') {
        await raft.waitApplied(out.raftApplied ?? (await leaderCommitIndex(plumbing, to)), READ_YOUR_WRITE_WAIT_MS);
      }
      send(out.status, out.contentType, out.body);
    })().catch((err: unknown) => {
      if (!res.headersSent) send(500, 'text/plain; charset=utf-8', `relay failed: ${(err as Error)?.message ?? String(err)}`);
    });
    return true;
  };
}

const EMPTY_BODY = Buffer.alloc(0);

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The commit index of `leader` (for a leader too old to stamp its applied index); 0 if unknown. */
async function leaderCommitIndex(plumbing: ClusterPlumbing, leader: string): Promise<number> {
  const state = await plumbing.forwarder.forward(leader, { method: 'GET', url: '/nacos/v1/ns/raft/state', headers: {} });
  if (state.status !== 200) return 0;
  return Number((JSON.parse(state.body) as { commitIndex?: number }).commitIndex ?? 0);
}

export { EPHEMERAL_DATA_TYPE };
