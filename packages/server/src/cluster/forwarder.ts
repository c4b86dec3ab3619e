import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { isClusterError } from './errors';
import { type HeaderSource, hasPeerHeaders, type PeerAuthFailure, type PeerSigner, type PeerVerifier } from './peer-auth';
import { DEFAULT_PEER_TIMEOUT_MS, PeerClient, type PeerUrlResolver } from './peer-http';

/** A client request to pass on, as this member received it. */
export interface ForwardRequest {
  method: string;
  /** Path with query string exactly as received (`req.originalUrl`). */
  url: string;
  headers: IncomingHttpHeaders;
  /**
   * The body bytes as the urlencoded parser saw them (stash them with {@link saveRawBody}). Only
   * `application/x-www-form-urlencoded` bodies are forwarded — they are the only bodies Nacos'
   * servlet parameters (and Tacos' handlers) read; any other body is dropped with its content type,
   * so the receiver (whose form parser leaves such bodies unread) verifies the same empty body.
   */
  body?: Uint8Array | string;
  /** The client's address (signed along as `x-tacos-origin`, so the owner can trust it). */
  origin?: string;
}

/** The target's answer, ready to relay. */
export interface ForwardResult {
  status: number;
  contentType: string;
  body: string;
  /** The member that answered (or failed). */
  forwardedTo: string;
  /**
   * The Raft index the target had applied when it answered ({@link RAFT_APPLIED_HEADER}), when it
   * said; a member that relayed a write waits until it applied as much before answering.
   */
  raftApplied?: number;
}

/**
 * Response header on answers to signed (forwarded) requests: the Raft index the answering member
 * had applied when it wrote the answer. A write's answer is written after the write applied, so a
 * member that waits until it applied this index shows the write (read-your-write) without asking
 * the leader again.
 */
export const RAFT_APPLIED_HEADER = 'x-tacos-raft-applied';

// Hop-by-hop headers (RFC 9110 §7.6.1), ones node recomputes, accept-encoding (we relay the body
// as text) and our own peer headers (the forwarder signs afresh; a client must not smuggle them).
// content-encoding too: the parser hands us the decoded body.
const DROPPED_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'content-encoding', 'accept-encoding', 'expect']);

/** True for `application/x-www-form-urlencoded` (any parameters). */
export function isFormContentType(contentType: string | string[] | undefined): boolean {
  const v = Array.isArray(contentType) ? contentType[0] : contentType;
  return v !== undefined && v.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** Options of {@link Forwarder}. */
export interface ForwarderOptions {
  signer: PeerSigner;
  /** Whole-exchange timeout, ms. Default 2000 (Nacos' DistroFilter). */
  timeoutMs?: number;
  /** Base URL of a member's *client* routes; default `http://<member>`. */
  resolveUrl?: PeerUrlResolver;
  /** Keep-alive sockets per target member. Default {@link DEFAULT_FORWARD_SOCKETS}. */
  maxSockets?: number;
}

/**
 * Sockets per target of the forwarder: every client request in flight on this member may be
 * waiting on one forwarded exchange (a closed-loop client keeps one request per connection), so
 * a small pool (8) queues forwarded writes behind each other; 256 covers hundreds of client
 * connections and still bounds the file descriptors one member can hold open to another.
 */
export const DEFAULT_FORWARD_SOCKETS = 256;

/** The 503 text when the target cannot be reached. */
export function forwardFailureText(target: string, reason: string): string {
  return `forwarding to ${target} failed: ${reason}; retry or ask another member`;
}

/** Nacos' answer (400) when a request forwarded by a peer would have to be forwarded again. */
export function invalidRedirectText(peer: string): string {
  return `receive invalid redirect request from peer ${peer}`;
}

/**
 * Proxies a client request to another member (the distro owner of the key, or the Raft leader), as
 * Nacos' DistroFilter does: same method, path, query, body and headers (minus hop-by-hop ones),
 * signed as a peer request so the receiver knows it was forwarded and must not forward it again.
 * Relays the target's status, content type and body. Never rejects: when the target is
 * unreachable, times out, or refuses our signature, it resolves 503 with
 * {@link forwardFailureText}, so the client sees one answer either way.
 */
export class Forwarder {
  private readonly client: PeerClient;

  constructor(options: ForwarderOptions) {
    this.client = new PeerClient({
      signer: options.signer,
      resolveUrl: options.resolveUrl ?? ((m) => `http://${m}`),
      timeoutMs: options.timeoutMs ?? DEFAULT_PEER_TIMEOUT_MS,
      maxSockets: options.maxSockets ?? DEFAULT_FORWARD_SOCKETS,
    });
  }

  /** Forwards `req` to `target` (`ip:port`). See the class comment. */
  async forward(target: string, req: ForwardRequest): Promise<ForwardResult> {
    const isForm = isFormContentType(req.headers['content-type']);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || DROPPED_HEADERS.has(name) || name.startsWith('x-tacos-')) continue;
      if (name === 'content-type' && !isForm) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const forwardedBody = isForm ? req.body : undefined;
    try {
      const res = await this.client.request(target, { method: req.method, path: req.url, body: forwardedBody, headers, origin: req.origin });
      const body = res.body.toString('utf8');
      if (res.status === 401 && body.startsWith('peer authentication failed')) {
        return this.failure(target, `${target} refused this member's signature (${body.slice('peer authentication failed: '.length)}); check that both use the same cluster secret and synchronized clocks`);
      }
      const contentType = res.headers['content-type'] ?? 'text/plain; charset=utf-8';
      const out: ForwardResult = { status: res.status, contentType, body, forwardedTo: target };
      const applied = res.headers[RAFT_APPLIED_HEADER];
      if (typeof applied === 'string' && /^\d{1,15}$/.test(applied)) out.raftApplied = Number(applied);
      return out;
    } catch (err) {
      return this.failure(target, isClusterError(err) ? err.message : String(err));
    }
  }

  /** Closes pooled sockets. */
  close(): void {
    this.client.close();
  }

  private failure(target: string, reason: string): ForwardResult {
    return { status: 503, contentType: 'text/plain; charset=utf-8', body: forwardFailureText(target, reason), forwardedTo: target };
  }
}

/** How a request on a client route should be treated. */
export type IncomingKind =
  | { kind: 'client' }
  /** Forwarded by `peer` (signature valid): serve it here, never forward it again. */
  | { kind: 'peer'; peer: string; origin?: string }
  /** Claims to come from a peer but does not verify: answer 401 (never treat it as a plain client request, which could bounce between members). */
  | { kind: 'rejected'; reason: PeerAuthFailure; detail: string };

/**
 * Classifies a request on a client route: plain client (no peer headers), a request forwarded by a
 * peer (valid signature — the only evidence accepted; `User-Agent: Nacos-Server` or identity
 * headers mean nothing), or a rejected one. Needs the raw body as received.
 */
export function classifyIncoming(verifier: PeerVerifier, req: { method: string; url: string; headers: HeaderSource; body?: Uint8Array | string }): IncomingKind {
  if (!hasPeerHeaders(req.headers)) return { kind: 'client' };
  const v = verifier.verify(req);
  if (!v.ok) return { kind: 'rejected', reason: v.reason, detail: v.detail };
  return v.origin === undefined ? { kind: 'peer', peer: v.peer } : { kind: 'peer', peer: v.peer, origin: v.origin };
}

/** An express request after {@link saveRawBody} and {@link peerClassifier}. */
export interface ClusterRequest extends Request {
  /** The urlencoded body bytes (decoded), when the form parser read one. */
  rawBody?: Buffer;
  /** Set when a peer forwarded this request (valid signature): its address. Never forward such a request again. */
  forwardedBy?: string;
  /** The client address a forwarding peer vouched for. */
  forwardedFor?: string;
}

/**
 * The `verify` hook for `express.urlencoded({ verify: saveRawBody })`: keeps the body bytes on
 * `req.rawBody`, so forwarded requests can be verified and forwarded requests relayed byte for byte.
 */
export function saveRawBody(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  (req as ClusterRequest).rawBody = Buffer.from(buf);
}

/**
 * Express middleware for the client routes, mounted after the urlencoded parser (with
 * {@link saveRawBody}): classifies each request with {@link classifyIncoming}. A validly signed
 * request gets `req.forwardedBy` (and `req.forwardedFor`); one with peer headers that do not verify
 * is answered 401 `peer authentication failed: <reason>`; anything else passes untouched.
 */
export function peerClassifier(verifier: PeerVerifier, onReject?: (info: { reason: PeerAuthFailure; detail: string; path: string }) => void): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const r = req as ClusterRequest;
    // Already verified by the cluster fast path (the replay cache would refuse a second check).
    if (r.forwardedBy !== undefined) return next();
    const kind = classifyIncoming(verifier, { method: req.method, url: req.originalUrl, headers: req.headers, body: r.rawBody ?? '' });
    if (kind.kind === 'rejected') {
      onReject?.({ reason: kind.reason, detail: kind.detail, path: req.path });
      res.status(401).type('text/plain').send(`peer authentication failed: ${kind.reason}`);
      return;
    }
    if (kind.kind === 'peer') {
      r.forwardedBy = kind.peer;
      if (kind.origin !== undefined) r.forwardedFor = kind.origin;
    }
    next();
  };
}
