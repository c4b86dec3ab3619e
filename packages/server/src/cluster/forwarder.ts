import type { IncomingHttpHeaders } from 'node:http';
import { isClusterError } from './errors';
import { type HeaderSource, hasPeerHeaders, type PeerAuthFailure, type PeerSigner, type PeerVerifier } from './peer-auth';
import { DEFAULT_PEER_TIMEOUT_MS, PeerClient, type PeerUrlResolver } from './peer-http';

/** A client request to pass on, as this member received it. */
export interface ForwardRequest {
  method: string;
  /** Path with query string exactly as received (`req.originalUrl`). */
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw body bytes as received (stash them in the body parser's `verify` hook). */
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
}

// Hop-by-hop headers (RFC 9110 §7.6.1), ones node recomputes, accept-encoding (we relay the body
// as text) and our own peer headers (the forwarder signs afresh; a client must not smuggle them).
const DROPPED_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'accept-encoding', 'expect']);

/** Options of {@link Forwarder}. */
export interface ForwarderOptions {
  signer: PeerSigner;
  /** Whole-exchange timeout, ms. Default 2000 (Nacos' DistroFilter). */
  timeoutMs?: number;
  /** Base URL of a member's *client* routes; default `http://<member>`. */
  resolveUrl?: PeerUrlResolver;
}

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
    });
  }

  /** Forwards `req` to `target` (`ip:port`). See the class comment. */
  async forward(target: string, req: ForwardRequest): Promise<ForwardResult> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || DROPPED_HEADERS.has(name) || name.startsWith('x-tacos-')) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    try {
      const res = await this.client.request(target, { method: req.method, path: req.url, body: req.body, headers, origin: req.origin });
      const body = res.body.toString('utf8');
      if (res.status === 401 && body.startsWith('peer authentication failed')) {
        return this.failure(target, `${target} refused this member's signature (${body.slice('peer authentication failed: '.length)}); check that both use the same cluster secret and synchronized clocks`);
      }
      const contentType = res.headers['content-type'] ?? 'text/plain; charset=utf-8';
      return { status: res.status, contentType, body, forwardedTo: target };
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
