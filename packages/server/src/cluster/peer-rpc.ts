import { type OutboundStream, type StreamChannelHandler, StreamLinks } from './peer-stream';

/** Peer-stream channel of requests. */
export const RPC_CHANNEL = 'rpc';
/** Peer-stream channel of answers. */
export const RPC_ANSWER_CHANNEL = 'rpc-answer';

/** An answer: as a peer route's, without headers. */
export interface RpcAnswer {
  status: number;
  body: Buffer;
}

/** Serves one kind of request from the authenticated `peer`. */
export type RpcHandler = (peer: string, body: Buffer) => Promise<{ status: number; body: Uint8Array | string }>;

interface PendingCall {
  member: string;
  resolve: (answer: RpcAnswer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Options of {@link PeerRpc}. */
export interface PeerRpcOptions {
  /** Opens a peer stream of `channel` to `member` (PeerStreamDialer.open). */
  open: (member: string, channel: string) => Promise<OutboundStream>;
  onError?: (err: unknown, member: string) => void;
}

/**
 * Request/answer exchanges between members over peer streams, for calls that would otherwise be
 * one signed POST each (relayed client calls). A request travels on this member's
 * {@link RPC_CHANNEL} stream to the target, the answer on the target's {@link RPC_ANSWER_CHANNEL}
 * stream back, matched by a request number. Frames (MAC'd by the stream) carry:
 *
 *   request: [u32 id][u16 length of name][name][body]
 *   answer:  [u32 id][u16 status][body]
 *
 * {@link call} answers undefined while no stream to the target is open (it starts opening one):
 * the caller sends its POST then, as with a member that has no streams.
 */
export class PeerRpc {
  private readonly requests: StreamLinks;
  private readonly answers: StreamLinks;
  private readonly handlers = new Map<string, RpcHandler>();
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private readonly onError: PeerRpcOptions['onError'];

  constructor(options: PeerRpcOptions) {
    this.onError = options.onError;
    this.requests = new StreamLinks((member) => options.open(member, RPC_CHANNEL), {
      // Answers to requests sent on a stream that broke may never come: fail them now.
      onClose: (member) => this.failPending(member, `the stream to ${member} closed`),
      onError: (err, member) => this.onError?.(err, member),
    });
    this.answers = new StreamLinks((member) => options.open(member, RPC_ANSWER_CHANNEL), { onError: (err, member) => this.onError?.(err, member) });
  }

  /** Serves requests named `name` (the receiving side). */
  handle(name: string, handler: RpcHandler): void {
    this.handlers.set(name, handler);
  }

  /** Streams opened so far (requests and answers). */
  get streamsOpened(): number {
    return this.requests.opened + this.answers.opened;
  }

  /**
   * Sends request `name` to `member` over its stream and resolves with the answer, or rejects
   * after `timeoutMs` (or when the stream breaks). Undefined when no stream is open yet.
   */
  call(member: string, name: string, body: string | Uint8Array, timeoutMs: number): Promise<RpcAnswer> | undefined {
    const stream = this.requests.get(member);
    if (!stream) return undefined;
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffff_ffff ? 1 : this.nextId + 1;
    const nameBytes = Buffer.from(name, 'utf8');
    const bodyBytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const frame = Buffer.allocUnsafe(6 + nameBytes.length + bodyBytes.byteLength);
    frame.writeUInt32BE(id, 0);
    frame.writeUInt16BE(nameBytes.length, 4);
    nameBytes.copy(frame, 6);
    frame.set(bodyBytes, 6 + nameBytes.length);
    return new Promise<RpcAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${member} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { member, resolve, reject, timer });
      if (!stream.send(frame)) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new Error(`the stream to ${member} closed`));
      }
    });
  }

  /** The receiving end of {@link RPC_CHANNEL} streams. */
  get requestHandler(): StreamChannelHandler {
    return (peer, payload) => {
      void this.serve(peer, payload);
    };
  }

  /** The receiving end of {@link RPC_ANSWER_CHANNEL} streams. */
  get answerHandler(): StreamChannelHandler {
    return (peer, payload) => {
      if (payload.length < 6) return;
      const call = this.pending.get(payload.readUInt32BE(0));
      // Only the member asked may answer (an answer from another stream is ignored).
      if (!call || call.member !== peer) return;
      this.pending.delete(payload.readUInt32BE(0));
      clearTimeout(call.timer);
      call.resolve({ status: payload.readUInt16BE(4), body: payload.subarray(6) });
    };
  }

  /** Ends every stream and fails every call waiting for an answer. */
  close(): void {
    this.requests.close();
    this.answers.close();
    for (const member of new Set([...this.pending.values()].map((p) => p.member))) this.failPending(member, 'closing');
  }

  private async serve(peer: string, payload: Buffer): Promise<void> {
    if (payload.length < 6) return;
    const id = payload.readUInt32BE(0);
    const nameLength = payload.readUInt16BE(4);
    const name = payload.toString('utf8', 6, 6 + nameLength);
    const body = payload.subarray(6 + nameLength);
    const handler = this.handlers.get(name);
    let status: number;
    let answer: Uint8Array | string;
    if (!handler) {
      status = 404;
      answer = `no such request: ${name}`;
    } else {
      try {
        ({ status, body: answer } = await handler(peer, body));
      } catch (err) {
        this.onError?.(err, peer);
        status = 500;
        answer = 'request failed';
      }
    }
    const bytes = typeof answer === 'string' ? Buffer.from(answer, 'utf8') : answer;
    const frame = Buffer.allocUnsafe(6 + bytes.byteLength);
    frame.writeUInt32BE(id, 0);
    frame.writeUInt16BE(status, 4);
    frame.set(bytes, 6);
    // The asker has a stream of requests to us, so it takes streams: open the way back if needed.
    const stream = this.answers.get(peer) ?? (await this.answers.ready(peer));
    if (!stream?.send(frame)) this.onError?.(new Error(`no stream to answer ${peer}; it will time out`), peer);
  }

  private failPending(member: string, why: string): void {
    for (const [id, call] of this.pending) {
      if (call.member !== member) continue;
      this.pending.delete(id);
      clearTimeout(call.timer);
      call.reject(new Error(why));
    }
  }
}
