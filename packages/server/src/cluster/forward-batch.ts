import type { IncomingHttpHeaders } from 'node:http';
import { isClusterError } from './errors';
import { type ForwardRequest, type ForwardResult, forwardFailureText } from './forwarder';
import { PEER_PATHS, type PeerClient, type PeerReply, type PeerRoute } from './peer-http';
import type { RpcHandler } from './peer-rpc';

/** Wire version of a forward batch (the `v` field). */
export const FORWARD_BATCH_VERSION = 1;

/** One relayed client call without a body (a hot call: beat, registration, list). */
export interface ForwardItem {
  method: string;
  /** Path with query, exactly as the client sent it. */
  url: string;
  /** The client's headers minus hop-by-hop and peer ones. */
  headers: Record<string, string>;
  /** The client's address. */
  origin?: string;
}

/** The receiver's answer to one item. */
export interface ForwardItemResult {
  status: number;
  contentType: string;
  body: string;
}

/** The receiver's answer to a batch: one result per item, in order. */
export interface ForwardBatchReply {
  v: number;
  /** The Raft index the receiver had applied once every item was answered. */
  applied?: number;
  results: ForwardItemResult[];
}

/** Serves the items of a verified batch from `peer` (results in item order). */
export type ForwardBatchServer = (items: ForwardItem[], peer: string, remoteAddress: string | undefined) => Promise<ForwardBatchReply>;

// As the Forwarder: hop-by-hop headers, ones node recomputes, accept-encoding (answers are relayed
// as text) and our own peer headers never travel.
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'content-encoding', 'accept-encoding', 'expect', 'content-type']);

/** The headers of a client call as they travel in a batch item. */
export function itemHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || DROPPED.has(name) || name.startsWith('x-tacos-')) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const MAX_ITEMS = 256;

function decodeItems(body: Buffer): ForwardItem[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const o = parsed as { v?: unknown; items?: unknown };
  if (o?.v !== FORWARD_BATCH_VERSION || !Array.isArray(o.items) || o.items.length === 0 || o.items.length > MAX_ITEMS) return undefined;
  for (const item of o.items as Partial<ForwardItem>[]) {
    if (typeof item?.method !== 'string' || typeof item.url !== 'string' || !item.url.startsWith('/')) return undefined;
    if (item.origin !== undefined && typeof item.origin !== 'string') return undefined;
    if (typeof item.headers !== 'object' || item.headers === null || Object.values(item.headers).some((v) => typeof v !== 'string')) return undefined;
  }
  return o.items as ForwardItem[];
}

/**
 * The peer route `POST /nacos/v1/ns/peer/forward`: a batch of client calls another member relays
 * here in one signed request (the listener verified the signature over the whole batch, items and
 * their origins included). Answers 404 while `server()` gives no server (the app is still being
 * built, or this member serves hot calls through express: auth on), 400 for a malformed batch.
 */
export function forwardBatchRoute(server: () => ForwardBatchServer | undefined): PeerRoute {
  return {
    method: 'POST',
    path: PEER_PATHS.FORWARD,
    handler: (req) => serveBatch(server, req.body, req.peer, req.remoteAddress),
  };
}

/**
 * The same service for batches that come over a peer stream (PeerRpc request {@link FORWARD_BATCH_RPC}).
 * The stream knows its peer's member id, not a socket: the call's address is the id's host part.
 */
export function forwardBatchRpc(server: () => ForwardBatchServer | undefined): RpcHandler {
  return async (peer, body) => {
    const reply = await serveBatch(server, body, peer, peer.slice(0, peer.lastIndexOf(':')).replace(/^\[(.*)\]$/, '$1'));
    return { status: reply.status, body: reply.body ?? '' };
  };
}

async function serveBatch(server: () => ForwardBatchServer | undefined, body: Buffer, peer: string, remoteAddress: string | undefined): Promise<PeerReply> {
  // 404 as from a member without the route: the sender falls back to single forwarded calls,
  // which the app answers (still starting, or with auth on: the fast path, hence batches, off).
  const serve = server();
  if (!serve) return { status: 404, body: 'forward batches are not served by this member' };
  const items = decodeItems(body);
  if (!items) return { status: 400, body: 'bad forward batch' };
  const reply = await serve(items, peer, remoteAddress);
  return { status: 200, contentType: JSON_TYPE, body: JSON.stringify(reply) };
}

interface Pending {
  item: ForwardItem;
  resolve: (result: ForwardResult) => void;
}

interface TargetQueue {
  pending: Pending[];
  inFlight: number;
}

/** Options of {@link ForwardBatcher}. */
export interface ForwardBatcherOptions {
  client: PeerClient;
  /** Sends one call the old way (a target that does not serve batches). */
  single: (target: string, req: ForwardRequest) => Promise<ForwardResult>;
  /** Batches in flight per target; calls arriving meanwhile wait for the next batch. Default 4. */
  maxInFlight?: number;
  /** Whole-exchange timeout of a batch, ms. Default 2000 (as a single forwarded call). */
  timeoutMs?: number;
  /** How long a target that does not serve batches is sent single calls, ms. Default 10000. */
  retryBatchesAfterMs?: number;
  /**
   * Sends a batch over a peer stream instead of a POST (PeerRpc.call, request `forward`): answers
   * undefined while no stream to the target is open, and the batch is POSTed then. A batch whose
   * exchange fails (no answer in time, the stream broke) is POSTed instead, and so is every batch
   * to that target for `retryBatchesAfterMs`: an answer that cannot come back over a stream (say,
   * only the other direction is cut) costs one timeout, not one per batch.
   */
  exchange?: (target: string, body: string, timeoutMs: number) => Promise<{ status: number; body: Buffer }> | undefined;
}

/** What a {@link ForwardBatcher} counts. */
export interface ForwardBatchStats {
  streamedBatches: number;
  postedBatches: number;
  /** Stream exchanges that failed (their batches were POSTed). */
  streamFailures: number;
}

/** The PeerRpc request name of a forward batch (same body and answer as the POST route). */
export const FORWARD_BATCH_RPC = 'forward';

/**
 * Relays hot client calls (no body) to another member in batches: the calls for one target that
 * arrive while up to `maxInFlight` batches are on their way (or in the same event-loop turn) travel
 * together in one signed POST (or one frame of a peer stream, see `exchange`), and each caller gets
 * its own result. Under load this turns dozens of
 * forwarded exchanges into a few, on both members. A target that does not serve batches (an older
 * member: 404/405) gets single calls through `single` for a while; a batch the target cannot be
 * reached for answers every caller 503 ({@link forwardFailureText}), as a single call would.
 */
export class ForwardBatcher {
  private readonly client: PeerClient;
  private readonly single: ForwardBatcherOptions['single'];
  private readonly maxInFlight: number;
  private readonly timeoutMs: number;
  private readonly retryAfterMs: number;
  private readonly exchange: ForwardBatcherOptions['exchange'];
  /** Batches sent since start, over peer streams and as POSTs. */
  readonly stats: ForwardBatchStats = { streamedBatches: 0, postedBatches: 0, streamFailures: 0 };
  private readonly queues = new Map<string, TargetQueue>();
  /** Targets that refused batches, until when. */
  private readonly noBatches = new Map<string, number>();
  /** Targets whose stream exchange failed, until when (their batches are POSTed meanwhile). */
  private readonly noStreams = new Map<string, number>();

  constructor(options: ForwardBatcherOptions) {
    this.client = options.client;
    this.single = options.single;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 4);
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.retryAfterMs = options.retryBatchesAfterMs ?? 10_000;
    this.exchange = options.exchange;
  }

  /** Relays one call to `target`; never rejects. */
  forward(target: string, item: ForwardItem): Promise<ForwardResult> {
    const until = this.noBatches.get(target);
    if (until !== undefined) {
      if (Date.now() < until) return this.single(target, { method: item.method, url: item.url, headers: item.headers, origin: item.origin });
      this.noBatches.delete(target);
    }
    return new Promise<ForwardResult>((resolve) => {
      let q = this.queues.get(target);
      if (!q) {
        q = { pending: [], inFlight: 0 };
        this.queues.set(target, q);
      }
      q.pending.push({ item, resolve });
      // Sent at the end of this turn (calls of the same turn join), or when a batch comes back.
      if (q.pending.length === 1 && q.inFlight < this.maxInFlight) setImmediate(() => this.pump(target));
    });
  }

  private pump(target: string): void {
    const q = this.queues.get(target);
    if (!q) return;
    while (q.pending.length > 0 && q.inFlight < this.maxInFlight) {
      const batch = q.pending.splice(0, MAX_ITEMS);
      q.inFlight++;
      void this.send(target, batch).finally(() => {
        q.inFlight--;
        if (q.pending.length > 0) this.pump(target);
        else if (q.inFlight === 0 && this.queues.get(target) === q) this.queues.delete(target);
      });
    }
  }

  /** The answer to `body` over a peer stream; undefined when no stream is used or the exchange failed (then POST it). */
  private async overStream(target: string, body: string): Promise<{ status: number; body: Buffer } | undefined> {
    if (!this.exchange || (this.noStreams.get(target) ?? 0) > Date.now()) return undefined;
    const answer = this.exchange(target, body, this.timeoutMs);
    if (!answer) return undefined;
    this.stats.streamedBatches++;
    try {
      return await answer;
    } catch {
      this.stats.streamFailures++;
      this.noStreams.set(target, Date.now() + this.retryAfterMs);
      return undefined;
    }
  }

  private async send(target: string, batch: Pending[]): Promise<void> {
    let reply: ForwardBatchReply | undefined;
    let failure: string | undefined;
    try {
      const body = JSON.stringify({ v: FORWARD_BATCH_VERSION, items: batch.map((p) => p.item) });
      let res = await this.overStream(target, body);
      if (!res) {
        this.stats.postedBatches++;
        res = await this.client.request(target, { method: 'POST', path: PEER_PATHS.FORWARD, body, headers: { 'content-type': JSON_TYPE }, timeoutMs: this.timeoutMs });
      }
      if (res.status === 404 || res.status === 405) {
        // An older member: single calls for a while (each is still answered).
        this.noBatches.set(target, Date.now() + this.retryAfterMs);
        await Promise.all(batch.map(async (p) => p.resolve(await this.single(target, { method: p.item.method, url: p.item.url, headers: p.item.headers, origin: p.item.origin }))));
        return;
      }
      if (res.status === 200) {
        const parsed = JSON.parse(res.body.toString('utf8')) as ForwardBatchReply;
        if (Array.isArray(parsed?.results) && parsed.results.length === batch.length) reply = parsed;
        else failure = `${target} answered a batch of ${batch.length} with ${parsed?.results?.length ?? 'no'} results`;
      } else {
        const text = res.body.toString('utf8').slice(0, 200);
        failure = res.status === 401 ? `${target} refused this member's signature (${text}); check that both use the same cluster secret and synchronized clocks` : `${target} answered ${res.status}: ${text}`;
      }
    } catch (err) {
      failure = isClusterError(err) ? err.message : String(err);
    }
    if (!reply) {
      const body = forwardFailureText(target, failure ?? 'no answer');
      for (const p of batch) p.resolve({ status: 503, contentType: 'text/plain; charset=utf-8', body, forwardedTo: target });
      return;
    }
    const applied = typeof reply.applied === 'number' && Number.isSafeInteger(reply.applied) ? reply.applied : undefined;
    batch.forEach((p, i) => {
      const r = reply.results[i] as ForwardItemResult;
      const out: ForwardResult = { status: r.status, contentType: r.contentType, body: r.body, forwardedTo: target };
      if (applied !== undefined) out.raftApplied = applied;
      p.resolve(out);
    });
  }
}
