import { decodeMessages, encodeMessages, encodeMessagesBinary, MESSAGE_TYPES, type Message, type Transport } from '@tacos/raft';
import { PEER_PATHS, type PeerClient, type PeerReply, type PeerRoute } from './peer-http';
import { type OutboundStream, type StreamChannelHandler, StreamLinks } from './peer-stream';

/**
 * The peer-stream channel Raft messages travel on, each frame one batch in the binary format
 * (`encodeMessagesBinary`); POST bodies stay JSON (`encodeMessages`), which every version reads.
 * Development builds whose streams carried JSON used channel `raft`: they refuse this one (404),
 * so members of both kinds fall back to POSTs between them instead of misreading frames.
 */
export const RAFT_STREAM_CHANNEL = 'raft-binary';

/** Options of {@link RaftHttpTransport}. */
export interface RaftHttpTransportOptions {
  /** Signed HTTP client; its `self` must equal the Raft member id of this node. */
  client: PeerClient;
  /** Batches in flight per peer; more wait in the queue. Default 2. */
  maxInFlightPerPeer?: number;
  /** Messages waiting per peer; beyond this the oldest are dropped (Raft retransmits). Default 1024. */
  maxQueuedPerPeer?: number;
  /** Messages per POST. Default 64. Snapshot messages always travel alone. */
  maxBatchMessages?: number;
  /** Timeout per POST, ms. Default 5000 (a snapshot chunk of 1 MiB must fit). */
  timeoutMs?: number;
  /**
   * How long, at most, a receiver holds the answer to a POST that allows replies
   * ({@link RAFT_REPLY_HEADER}) waiting for messages of its own to that sender, ms. 0 turns replies
   * off. Default 3: a follower's acknowledgement (after its fsync) usually comes well within it.
   */
  replyWaitMs?: number;
  /** Called for failed sends and dropped inbound batches (debug logs; loss is normal). */
  onError?: (err: unknown, peer: string) => void;
  /**
   * Opens a peer stream to a member (peer-stream.ts, channel {@link RAFT_STREAM_CHANNEL}). When
   * given, messages go over one long-lived stream per peer instead of POSTs; POSTs remain for a
   * peer while its stream is being opened, and for a while after it refused one (an older member).
   */
  openStream?: (member: string) => Promise<OutboundStream>;
}

/** A stream with more than this many bytes not yet taken by the OS is closed (the peer is stuck or gone; Raft resends). */
const MAX_STREAM_BUFFER_BYTES = 16 * 1024 * 1024;


/**
 * Header of a Raft POST whose sender accepts messages in the answer (`1`). A receiver that knows it
 * may answer 200 with a batch of its own messages for the sender instead of 204 and a POST of its
 * own; one that does not answers 204 as before, so members of both kinds work together.
 */
export const RAFT_REPLY_HEADER = 'x-tacos-raft-reply';

interface ReplyWaiter {
  deliver(messages: Message[]): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Counters for tests and metrics. Monotonic. */
export interface RaftTransportStats {
  sentBatches: number;
  sentMessages: number;
  failedBatches: number;
  droppedMessages: number;
  receivedMessages: number;
  rejectedMessages: number;
  /** Batches sent as the answer to a peer's POST (no POST of their own). */
  repliedBatches: number;
  /** Batches sent as frames of a peer stream. */
  streamedBatches: number;
  /** Peer streams opened (including reopened ones). */
  streamsOpened: number;
}

interface PeerQueue {
  pending: Message[];
  inFlight: number;
}

const isSnapshot = (m: Message) => m.type === MESSAGE_TYPES.SNAP || m.type === MESSAGE_TYPES.SNAP_CHUNK;

/**
 * @tacos/raft's `Transport` over HTTP: `send` queues messages per destination member (the
 * message's `to`, an `ip:port` member address) and POSTs them, batched with
 * `encodeMessages`, to `<peer>/nacos/v1/ns/peer/raft`, signed with the cluster secret, over the
 * client's keep-alive agent. Delivery is best effort, as the interface allows: at most
 * `maxInFlightPerPeer` POSTs per peer, a bounded queue that drops its oldest messages when full, a
 * timeout per POST, and failures are dropped (Raft's heartbeats and retries repair loss).
 * `send` never throws or blocks.
 *
 * The receiving side is {@link route}: mount it with the other peer routes; it verifies (done by
 * the peer listener), decodes, checks that each message is addressed to this member and comes from
 * the authenticated peer, and hands it to the handler Raft registered with `onMessage`.
 *
 * Replies ride on answers: a POST carries {@link RAFT_REPLY_HEADER}, and the receiver holds its answer
 * up to `replyWaitMs` for messages of its own to the sender (an AppendEntries acknowledgement, once
 * persisted) and sends them as the answer's body. A replication round then costs two HTTP exchanges
 * instead of four; on one shared core the saved wake-ups and requests were the largest share of a
 * persistent write's cost. Messages that are already waiting for the sender go out at once.
 */
export class RaftHttpTransport implements Transport {
  private readonly client: PeerClient;
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  private readonly timeoutMs: number;
  private readonly onError: ((err: unknown, peer: string) => void) | undefined;
  private readonly replyWaitMs: number;
  private readonly queues = new Map<string, PeerQueue>();
  /** Answers held open per sender, oldest first, waiting for messages to that sender. */
  private readonly replyWaiters = new Map<string, ReplyWaiter[]>();
  private handler: ((message: Message) => void) | undefined;
  private closed = false;
  /** See {@link RaftTransportStats}. */
  readonly stats: RaftTransportStats = { sentBatches: 0, sentMessages: 0, failedBatches: 0, droppedMessages: 0, receivedMessages: 0, rejectedMessages: 0, repliedBatches: 0, streamedBatches: 0, streamsOpened: 0 };
  private readonly streams: StreamLinks | undefined;

  constructor(options: RaftHttpTransportOptions) {
    this.client = options.client;
    this.maxInFlight = Math.max(1, options.maxInFlightPerPeer ?? 2);
    this.maxQueued = Math.max(1, options.maxQueuedPerPeer ?? 1024);
    this.maxBatch = Math.max(1, options.maxBatchMessages ?? 64);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.replyWaitMs = Math.max(0, options.replyWaitMs ?? 3);
    this.onError = options.onError;
    this.streams = options.openStream
      ? new StreamLinks(options.openStream, {
          onOpen: (member) => {
            this.stats.streamsOpened++;
            this.pump(member);
          },
          onError: options.onError,
        })
      : undefined;
  }

  /** Transport: queues messages for their `to` members and starts POSTs as capacity allows. */
  send(messages: readonly Message[]): void {
    if (this.closed) return;
    try {
      const touched = new Set<string>();
      for (const m of messages) {
        if (m.to === this.client.self) continue;
        let q = this.queues.get(m.to);
        if (!q) {
          q = { pending: [], inFlight: 0 };
          this.queues.set(m.to, q);
        }
        q.pending.push(m);
        if (q.pending.length > this.maxQueued) {
          const drop = q.pending.length - this.maxQueued;
          q.pending.splice(0, drop);
          this.stats.droppedMessages += drop;
        }
        touched.add(m.to);
      }
      for (const to of touched) this.pump(to);
    } catch (err) {
      // `send` must never throw into the Raft driver; a lost message is a tolerated failure.
      this.onError?.(err, '*');
    }
  }

  /** Transport: the driver registers its inbound handler on start and `undefined` on stop. */
  onMessage(handler: ((message: Message) => void) | undefined): void {
    this.handler = handler;
  }

  /** Stops sending (queues are dropped, held answers are released empty); POSTs in flight finish or fail on their own. */
  close(): void {
    this.closed = true;
    this.queues.clear();
    this.streams?.close();
    for (const waiters of this.replyWaiters.values()) {
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.deliver([]);
      }
    }
    this.replyWaiters.clear();
  }

  /** The peer route for `POST /nacos/v1/ns/peer/raft` (answers 204; 503 while Raft is not started). */
  get route(): PeerRoute {
    return {
      method: 'POST',
      path: PEER_PATHS.RAFT,
      handler: (req) => {
        const handler = this.handler;
        if (!handler) return { status: 503, body: 'raft is not running on this member' };
        if (!this.deliver(req.peer, req.body)) return { status: 400, body: 'bad raft message batch' };
        if (this.replyWaitMs === 0 || req.headers[RAFT_REPLY_HEADER] !== '1' || this.closed) return { status: 204 };
        return this.holdReply(req.peer);
      },
    };
  }

  /** An answer for `peer` that carries the next batch of messages for it, or 204 after `replyWaitMs`. */
  private holdReply(peer: string): Promise<PeerReply> {
    return new Promise<PeerReply>((resolve) => {
      const waiters = this.replyWaiters.get(peer) ?? [];
      const waiter: ReplyWaiter = {
        deliver: (messages) => {
          if (messages.length === 0) {
            resolve({ status: 204 });
            return;
          }
          this.stats.repliedBatches++;
          this.stats.sentMessages += messages.length;
          resolve({ status: 200, body: encodeMessages(messages), contentType: 'application/octet-stream' });
        },
        timer: setTimeout(() => {
          const list = this.replyWaiters.get(peer);
          const i = list ? list.indexOf(waiter) : -1;
          if (list && i >= 0) list.splice(i, 1);
          if (list && list.length === 0) this.replyWaiters.delete(peer);
          resolve({ status: 204 });
        }, this.replyWaitMs),
      };
      waiters.push(waiter);
      this.replyWaiters.set(peer, waiters);
      // Messages already waiting for this peer (e.g. behind the in-flight limit) go out now.
      this.pump(peer);
    });
  }

  /** Takes the next batch for `q` (a snapshot travels alone), removing it from the queue. */
  private nextBatch(q: PeerQueue): Message[] {
    let n = 0;
    if (isSnapshot(q.pending[0] as Message)) n = 1;
    else while (n < q.pending.length && n < this.maxBatch && !isSnapshot(q.pending[n] as Message)) n++;
    return q.pending.splice(0, n);
  }

  private pump(to: string): void {
    const q = this.queues.get(to);
    if (!q || this.closed) return;
    const stream = this.streams?.get(to);
    if (stream) {
      this.drainToStream(to, q, stream);
      return;
    }
    // First into answers held open for this peer (snapshots always take a POST of their own).
    const waiters = this.replyWaiters.get(to);
    while (!this.closed && waiters && waiters.length > 0 && q.pending.length > 0 && !isSnapshot(q.pending[0] as Message)) {
      const waiter = waiters.shift() as ReplyWaiter;
      if (waiters.length === 0) this.replyWaiters.delete(to);
      clearTimeout(waiter.timer);
      waiter.deliver(this.nextBatch(q));
    }
    while (!this.closed && q.inFlight < this.maxInFlight && q.pending.length > 0) {
      const batch = this.nextBatch(q);
      q.inFlight++;
      this.post(to, batch).finally(() => {
        q.inFlight--;
        if (q.pending.length > 0) this.pump(to);
        else if (q.inFlight === 0 && this.queues.get(to) === q) this.queues.delete(to);
      });
    }
  }

  private async post(to: string, batch: Message[]): Promise<void> {
    try {
      const body = encodeMessages(batch);
      const res = await this.client.request(to, {
        method: 'POST',
        path: PEER_PATHS.RAFT,
        body,
        headers: { 'content-type': 'application/octet-stream', ...(this.replyWaitMs > 0 ? { [RAFT_REPLY_HEADER]: '1' } : {}) },
        timeoutMs: this.timeoutMs,
        // An answer may carry a batch of the peer's own messages (entries included).
        maxResponseBytes: 16 * 1024 * 1024,
      });
      if (res.status >= 200 && res.status < 300) {
        this.stats.sentBatches++;
        this.stats.sentMessages += batch.length;
        if (res.status === 200 && res.body.length > 0) this.receiveReply(to, res.body);
      } else {
        this.stats.failedBatches++;
        this.onError?.(new Error(`${to} answered ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`), to);
      }
    } catch (err) {
      this.stats.failedBatches++;
      this.onError?.(err, to);
    }
  }

  /** Messages a peer sent back in the answer to our POST: checked like an inbound batch. */
  private receiveReply(peer: string, body: Buffer): void {
    if (!this.closed) this.deliver(peer, body);
  }

  /** The receiving end of peer streams on {@link RAFT_STREAM_CHANNEL}: each frame is an `encodeMessagesBinary` batch. */
  get streamHandler(): StreamChannelHandler {
    return (peer, payload) => {
      if (!this.closed) this.deliver(peer, payload);
    };
  }

  /**
   * Decodes a batch from the authenticated `peer` and hands Raft each message addressed to this
   * member and sent by that peer. A member signs only for itself, so a message claiming another
   * sender, or meant for another member, is refused rather than fed to the core. False when the
   * batch does not decode.
   */
  private deliver(peer: string, body: Uint8Array): boolean {
    let messages: Message[];
    try {
      messages = decodeMessages(body);
    } catch (err) {
      this.onError?.(err, peer);
      return false;
    }
    const handler = this.handler;
    if (!handler) return true;
    for (const m of messages) {
      if (m.to !== this.client.self || m.from !== peer) {
        this.stats.rejectedMessages++;
        continue;
      }
      this.stats.receivedMessages++;
      handler(m);
    }
    return true;
  }

  /** Sends everything queued for `to` as frames of `stream`. */
  private drainToStream(to: string, q: PeerQueue, stream: OutboundStream): void {
    while (q.pending.length > 0) {
      if (stream.bufferedBytes > MAX_STREAM_BUFFER_BYTES) {
        // The peer takes nothing: give this stream up (POSTs, with their timeouts, until one reopens).
        this.stats.droppedMessages += q.pending.length;
        q.pending.length = 0;
        this.onError?.(new Error(`stream to ${to} has ${stream.bufferedBytes} bytes unsent; closing it`), to);
        stream.close();
        break;
      }
      const batch = this.nextBatch(q);
      if (!stream.send(encodeMessagesBinary(batch))) {
        q.pending.unshift(...batch);
        return;
      }
      this.stats.streamedBatches++;
      this.stats.sentMessages += batch.length;
    }
    if (q.inFlight === 0 && this.queues.get(to) === q) this.queues.delete(to);
  }

}
