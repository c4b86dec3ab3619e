import { Agent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest, type ServerResponse } from 'node:http';
import { CLUSTER_ERROR_CODES, ClusterError } from './errors';
import { type PeerAuthFailure, type PeerSigner, type PeerVerifier, readBody } from './peer-auth';

/** Paths of the internal peer routes (all signed; see README). */
export const PEER_PATHS = {
  /** POST, body = `encodeMessages(batch)` from @tacos/raft; answers 204. */
  RAFT: '/nacos/v1/ns/peer/raft',
  /** POST, body = `encodeRequest(req)` from @tacos/distro; answers `encodeResponse`/`encodeError`. */
  DISTRO: '/nacos/v1/ns/peer/distro',
  /** GET, answers this member's {@link PeerHealthReport} as JSON. */
  HEALTH: '/nacos/v1/ns/peer/health',
  /** POST, body = a batch of relayed client calls (forward-batch.ts); answers their results as JSON. */
  FORWARD: '/nacos/v1/ns/peer/forward',
  /** POST, body = a report of persistent-instance health results from their owner (health-sync.ts). */
  INSTANCE_HEALTH: '/nacos/v1/ns/peer/instance-health',
  /** GET with `Upgrade`: a signed, framed one-way stream of messages (peer-stream.ts). */
  STREAM: '/nacos/v1/ns/peer/stream',
} as const;

/** Default timeout of a peer call (Nacos' DistroFilter uses 2000 ms connect and read timeouts). */
export const DEFAULT_PEER_TIMEOUT_MS = 2000;

/** Turns a member address (`ip:port`, the client port) into the base URL its peer routes listen on. */
export type PeerUrlResolver = (member: string) => string;

/**
 * The usual resolver: `http://<ip>:<port + peerPortOffset>`. With a separate peer port, every
 * member must use the same offset (e.g. 8848 clients, 8848 + 1 peers). Offset 0 = peer routes on the
 * client port.
 */
export function peerUrlResolver(options: { peerPortOffset?: number } = {}): PeerUrlResolver {
  const offset = options.peerPortOffset ?? 0;
  return (member) => {
    if (offset === 0) return `http://${member}`;
    const split = member.lastIndexOf(':');
    return `http://${member.slice(0, split)}:${Number(member.slice(split + 1)) + offset}`;
  };
}

/** A peer's answer. `body` is complete (bounded by `maxResponseBytes`). */
export interface PeerResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One call to a peer. */
export interface PeerCall {
  method: string;
  /** Path with query string (`/nacos/v1/ns/peer/raft`). */
  path: string;
  body?: Uint8Array | string;
  /** Extra headers (not the peer headers, which the client sets). */
  headers?: Record<string, string>;
  /** Whole-exchange timeout in ms; default the client's. */
  timeoutMs?: number;
  /** Client address of a forwarded request; signed along. */
  origin?: string;
  /** Largest accepted answer; default 64 MiB. */
  maxResponseBytes?: number;
}

/** Options of {@link PeerClient}. */
export interface PeerClientOptions {
  signer: PeerSigner;
  /** Default {@link peerUrlResolver}() (peer routes on the member's own port). */
  resolveUrl?: PeerUrlResolver;
  /** Default timeout, ms. Default {@link DEFAULT_PEER_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Keep-alive sockets per peer. Default 8. */
  maxSockets?: number;
}

/**
 * Sends signed requests to peers over one keep-alive agent. Every call has a deadline for the
 * whole exchange; failures reject with ClusterError PEER_REFUSED (connection refused: nothing
 * listens), PEER_TIMEOUT, PEER_UNREACHABLE (anything else) or TOO_LARGE. A non-2xx answer is not a
 * failure: it resolves with its status. `close()` destroys pooled sockets; call it on shutdown.
 */
export class PeerClient {
  private readonly signer: PeerSigner;
  private readonly resolveUrl: PeerUrlResolver;
  private readonly timeoutMs: number;
  private readonly agent: Agent;
  /** Parsed base URL per member. */
  private readonly bases = new Map<string, URL>();

  constructor(options: PeerClientOptions) {
    this.signer = options.signer;
    this.resolveUrl = options.resolveUrl ?? peerUrlResolver();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PEER_TIMEOUT_MS;
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 8, keepAliveMsecs: 1000 });
  }

  /** This member's address (the signer's). */
  get self(): string {
    return this.signer.self;
  }

  /** Base URL of `member`'s peer routes. */
  urlOf(member: string): string {
    return this.resolveUrl(member);
  }

  /** Sends one signed request to `member`. See the class comment for how it fails. */
  request(member: string, call: PeerCall): Promise<PeerResponse> {
    const body = call.body === undefined ? Buffer.alloc(0) : typeof call.body === 'string' ? Buffer.from(call.body) : Buffer.from(call.body.buffer, call.body.byteOffset, call.body.byteLength);
    const timeoutMs = call.timeoutMs ?? this.timeoutMs;
    const maxBytes = call.maxResponseBytes ?? 64 * 1024 * 1024;
    // Only the base (host and port) comes from a URL; the path is sent verbatim, exactly as signed,
    // so a forwarded request line reaches the owner byte for byte (URL parsing would re-encode it,
    // and resolve a `//host/...` path to another host).
    let base = this.bases.get(member);
    if (!base) {
      try {
        base = new URL(this.resolveUrl(member));
      } catch (err) {
        return Promise.reject(new ClusterError(CLUSTER_ERROR_CODES.PEER_UNREACHABLE, `bad peer address ${member}`, { cause: err }));
      }
      // Members are few (and the resolver must answer the same for a member every time).
      if (this.bases.size < 1024) this.bases.set(member, base);
    }
    if (base.protocol !== 'http:') return Promise.reject(new ClusterError(CLUSTER_ERROR_CODES.PEER_UNREACHABLE, `peer URL of ${member} must be http:// (TLS between members is not supported yet)`));
    if (!call.path.startsWith('/')) return Promise.reject(new ClusterError(CLUSTER_ERROR_CODES.PEER_UNREACHABLE, `bad path for ${member}: must start with /`));
    const headers: Record<string, string> = {
      ...call.headers,
      ...this.signer.sign({ method: call.method, url: call.path, body, origin: call.origin }),
      'content-length': String(body.length),
    };
    return new Promise<PeerResponse>((resolve, reject) => {
      let settled = false;
      const fail = (err: ClusterError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(err);
      };
      let req: ReturnType<typeof httpRequest>;
      try {
        req = httpRequest({ hostname: base.hostname.replace(/^\[|\]$/g, ''), port: base.port || 80, path: call.path, method: call.method, headers, agent: this.agent });
      } catch (err) {
        // Node refuses paths with unescaped characters and bad header values synchronously.
        settled = true;
        reject(new ClusterError(CLUSTER_ERROR_CODES.PEER_UNREACHABLE, `cannot send to ${member}: ${(err as Error).message}`, { cause: err }));
        return;
      }
      const timer = setTimeout(() => fail(new ClusterError(CLUSTER_ERROR_CODES.PEER_TIMEOUT, `${member} did not answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') fail(new ClusterError(CLUSTER_ERROR_CODES.PEER_REFUSED, `${member} refused the connection`, { cause: err }));
        else fail(new ClusterError(CLUSTER_ERROR_CODES.PEER_UNREACHABLE, `${member}: ${err.code ?? err.message}`, { cause: err }));
      });
      req.on('response', (res: IncomingMessage) => {
        readBody(res, maxBytes).then(
          (buf) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf });
          },
          (err: unknown) => {
            fail(err instanceof ClusterError ? err : new ClusterError(CLUSTER_ERROR_CODES.PEER_UNREACHABLE, `${member}: answer cut off`, { cause: err }));
          },
        );
      });
      req.end(body);
    });
  }

  /** Destroys pooled sockets. Calls in flight fail. */
  close(): void {
    this.agent.destroy();
  }
}

/** An authenticated request on a peer route. */
export interface PeerInbound {
  method: string;
  /** Path with query. */
  url: string;
  /** Path without query. */
  path: string;
  /** The verified sender's address. */
  peer: string;
  body: Buffer;
  headers: IncomingHttpHeaders;
  /** The TCP peer address of the request. */
  remoteAddress?: string;
}

/** The answer of a peer route. */
export interface PeerReply {
  status: number;
  body?: string | Uint8Array;
  contentType?: string;
}

/** A peer route handler. It may throw; the listener answers 500 without details. */
export type PeerHandler = (req: PeerInbound) => PeerReply | Promise<PeerReply>;

/** One peer route. */
export interface PeerRoute {
  method: 'GET' | 'POST';
  path: string;
  handler: PeerHandler;
}

/** Options of {@link createPeerRequestListener}. */
export interface PeerListenerOptions {
  verifier: PeerVerifier;
  routes: readonly PeerRoute[];
  /** Largest accepted body; default 16 MiB (Raft snapshot chunks are 1 MiB by default). */
  maxBodyBytes?: number;
  /** Called for every refused request (for a warn log naming peer and reason). */
  onReject?: (info: { reason: PeerAuthFailure; detail: string; remoteAddress?: string; path: string }) => void;
  /** Called when a handler throws (for an error log). */
  onError?: (err: unknown, path: string) => void;
}

/**
 * A node:http request listener for the peer routes: reads the raw body (bounded), verifies the
 * signature, then calls the route's handler with the authenticated peer. Unknown paths go to
 * `next()` when given (express mounting), else 404. Usable as-is for a separate peer port
 * (`http.createServer(listener)`) or mounted in express *before* any body parser.
 * Refusals answer 401 `peer authentication failed: <reason>`; the details go to `onReject` only.
 */
export function createPeerRequestListener(options: PeerListenerOptions): (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void {
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const byPath = new Map<string, PeerRoute[]>();
  for (const r of options.routes) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);
  const send = (res: ServerResponse, status: number, body: string | Uint8Array = '', contentType = 'text/plain; charset=utf-8') => {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': contentType, 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength });
    res.end(body);
  };
  return (req, res, next) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const routes = byPath.get(path);
    if (!routes) {
      if (next) next();
      else send(res, 404, `no such peer route: ${path}`);
      return;
    }
    const route = routes.find((r) => r.method === req.method);
    if (!route) {
      req.resume();
      send(res, 405, `method ${req.method} not allowed on ${path}`);
      return;
    }
    readBody(req, maxBodyBytes)
      .then(async (body) => {
        const verdict = options.verifier.verify({ method: req.method ?? '', url, headers: req.headers, body });
        if (!verdict.ok) {
          options.onReject?.({ reason: verdict.reason, detail: verdict.detail, remoteAddress: req.socket.remoteAddress, path });
          send(res, 401, `peer authentication failed: ${verdict.reason}`);
          return;
        }
        try {
          const reply = await route.handler({ method: req.method ?? '', url, path, peer: verdict.peer, body, headers: req.headers, remoteAddress: req.socket.remoteAddress });
          send(res, reply.status, reply.body ?? '', reply.contentType);
        } catch (err) {
          options.onError?.(err, path);
          send(res, 500, 'peer route failed');
        }
      })
      .catch((err: unknown) => {
        send(res, err instanceof ClusterError && err.code === CLUSTER_ERROR_CODES.TOO_LARGE ? 413 : 400, 'bad peer request body');
      });
  };
}
