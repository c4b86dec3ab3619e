import { createHmac, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLUSTER_ERROR_CODES, ClusterError } from './errors';
import { PEER_HEADERS, type PeerAuthFailure, type PeerSigner, type PeerVerifier } from './peer-auth';
import { PEER_PATHS, type PeerUrlResolver, peerUrlResolver } from './peer-http';

/**
 * Peer streams: a long-lived, one-way, authenticated connection from one member to another for a
 * stream of small messages (Raft's), instead of one signed HTTP POST per batch. On one shared core
 * the POSTs' HTTP work on both sides cost more than the messages they carried.
 *
 * Handshake: `GET /nacos/v1/ns/peer/stream?channel=<name>` with `Upgrade: tacos-peer-stream/1`,
 * signed like every peer request (so it is refused unless signed with the cluster secret, within
 * the clock window, and never accepted twice). The receiver answers `101 Switching Protocols` and
 * from then on only reads. A member without streams answers anything else (or closes the
 * connection), and the sender keeps using POSTs.
 *
 * Frames: `[u32 length][payload][16-byte MAC]`, the MAC being the first 16 bytes of
 * HMAC-SHA256(key, u64 frame number ‖ payload) under a key derived from the secret and the
 * handshake's signature (new for every stream). So a frame cannot be forged, altered, replayed,
 * dropped from the middle or moved to another stream without the receiver closing the stream.
 */
export const PEER_STREAM_PROTOCOL = 'tacos-peer-stream/1';

/** Largest frame payload accepted (a Raft snapshot chunk is 1 MiB by default). */
export const MAX_FRAME_BYTES = 32 * 1024 * 1024;

const LENGTH_BYTES = 4;
const MAC_BYTES = 16;
const EMPTY = Buffer.alloc(0);

function frameMac(key: Buffer, seq: number, payload: Uint8Array): Buffer {
  const number = Buffer.allocUnsafe(8);
  number.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), 0);
  number.writeUInt32BE(seq >>> 0, 4);
  return createHmac('sha256', key).update(number).update(payload).digest().subarray(0, MAC_BYTES);
}

/** Frame number `seq` of a stream keyed `key`. */
export function encodeFrame(key: Buffer, seq: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(LENGTH_BYTES + payload.byteLength + MAC_BYTES);
  out.writeUInt32BE(payload.byteLength, 0);
  out.set(payload, LENGTH_BYTES);
  frameMac(key, seq, payload).copy(out, LENGTH_BYTES + payload.byteLength);
  return out;
}

/** Reassembles and checks the frames of one stream, in order. */
export class FrameReader {
  private buffered: Buffer = EMPTY;
  private seq = 0;

  constructor(
    private readonly key: Buffer,
    private readonly maxFrameBytes = MAX_FRAME_BYTES,
  ) {}

  /**
   * Feeds received bytes; calls `onPayload` for each frame they complete, in order. Throws at the
   * first bad frame (after delivering the good ones before it): close the stream then.
   */
  push(chunk: Buffer, onPayload: (payload: Buffer) => void): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= LENGTH_BYTES) {
      const length = this.buffered.readUInt32BE(0);
      if (length > this.maxFrameBytes) throw new ClusterError(CLUSTER_ERROR_CODES.TOO_LARGE, `peer stream frame of ${length} bytes (at most ${this.maxFrameBytes})`);
      const end = LENGTH_BYTES + length + MAC_BYTES;
      if (this.buffered.length < end) break;
      const payload = this.buffered.subarray(LENGTH_BYTES, LENGTH_BYTES + length);
      const mac = this.buffered.subarray(LENGTH_BYTES + length, end);
      if (!timingSafeEqual(mac, frameMac(this.key, this.seq, payload))) {
        throw new ClusterError(CLUSTER_ERROR_CODES.PEER_UNREACHABLE, `peer stream frame ${this.seq} failed its check (altered, replayed or out of order)`);
      }
      this.seq++;
      this.buffered = this.buffered.subarray(end);
      onPayload(payload);
    }
  }
}

/** The sending end of a stream. */
export interface OutboundStream {
  /** Queues one frame; false when the stream is closed (the payload is not sent). */
  send(payload: Uint8Array): boolean;
  /** Bytes written but not yet handed to the OS (grows while the receiver is slow or gone). */
  readonly bufferedBytes: number;
  readonly closed: boolean;
  /** Called once when the stream ends for any reason. */
  onClose(listener: () => void): void;
  close(): void;
}

class SocketStream implements OutboundStream {
  private seq = 0;
  private ended = false;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly socket: Duplex & { setNoDelay?: (on: boolean) => unknown },
    private readonly key: Buffer,
  ) {
    socket.setNoDelay?.(true);
    // A member that vanished without closing is noticed by keep-alive probes, not only by a full buffer.
    (socket as Duplex & { setKeepAlive?: (on: boolean, delayMs: number) => unknown }).setKeepAlive?.(true, 5000);
    // The receiver never sends; anything it does send is ignored.
    socket.on('data', () => undefined);
    socket.on('error', () => this.end());
    socket.on('end', () => socket.destroy());
    socket.on('close', () => this.end());
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  get closed(): boolean {
    return this.ended;
  }

  send(payload: Uint8Array): boolean {
    if (this.ended) return false;
    this.socket.write(encodeFrame(this.key, this.seq++, payload));
    return true;
  }

  onClose(listener: () => void): void {
    if (this.ended) listener();
    else this.listeners.push(listener);
  }

  close(): void {
    this.socket.destroy();
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const l of this.listeners.splice(0)) l();
  }
}

/** Why a stream could not be opened: `refused` = the member answered without switching (an older version, or it refused the signature). */
export class PeerStreamError extends Error {
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message);
    this.name = 'PeerStreamError';
  }
}

/** Options of {@link PeerStreamDialer}. */
export interface PeerStreamDialerOptions {
  signer: PeerSigner;
  resolveUrl?: PeerUrlResolver;
  /** Handshake timeout, ms. Default 2000. */
  timeoutMs?: number;
}

/** Opens streams to other members. */
export class PeerStreamDialer {
  private readonly signer: PeerSigner;
  private readonly resolveUrl: PeerUrlResolver;
  private readonly timeoutMs: number;

  constructor(options: PeerStreamDialerOptions) {
    this.signer = options.signer;
    this.resolveUrl = options.resolveUrl ?? peerUrlResolver();
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  /** Opens a stream of `channel` to `member`. Rejects with {@link PeerStreamError}. */
  open(member: string, channel: string): Promise<OutboundStream> {
    let base: URL;
    try {
      base = new URL(this.resolveUrl(member));
    } catch {
      return Promise.reject(new PeerStreamError(`bad peer address ${member}`, false));
    }
    const path = `${PEER_PATHS.STREAM}?channel=${encodeURIComponent(channel)}`;
    const signed = this.signer.sign({ method: 'GET', url: path });
    const key = this.signer.streamKey(signed[PEER_HEADERS.SIGNATURE] as string);
    return new Promise<OutboundStream>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const req = httpRequest({
        hostname: base.hostname.replace(/^\[|\]$/g, ''),
        port: base.port || 80,
        path,
        method: 'GET',
        agent: false,
        headers: { ...signed, connection: 'Upgrade', upgrade: PEER_STREAM_PROTOCOL },
      });
      const timer = setTimeout(() => {
        settle(() => reject(new PeerStreamError(`${member} did not answer the stream handshake within ${this.timeoutMs} ms`, false)));
        req.destroy();
      }, this.timeoutMs);
      req.on('upgrade', (_res: IncomingMessage, socket: Duplex) => {
        if (settled) {
          socket.destroy(); // too late: the handshake already timed out
          return;
        }
        settle(() => resolve(new SocketStream(socket, key)));
      });
      req.on('response', (res: IncomingMessage) => {
        res.resume();
        settle(() => reject(new PeerStreamError(`${member} answered the stream handshake with ${res.statusCode}`, true)));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A member without streams may just close the connection: treat that as a refusal.
        const refused = err.code === 'ECONNRESET' || err.message === 'socket hang up';
        settle(() => reject(new PeerStreamError(`${member}: ${err.code ?? err.message}`, refused)));
      });
      req.end();
    });
  }
}

/** Receives the payloads of one channel's streams, with the authenticated sender. */
export type StreamChannelHandler = (peer: string, payload: Buffer) => void;

/** Options of {@link peerStreamUpgradeListener}. */
export interface PeerStreamListenerOptions {
  verifier: PeerVerifier;
  /** Handlers by channel name. */
  channels: ReadonlyMap<string, StreamChannelHandler>;
  onReject?: (info: { reason: PeerAuthFailure | 'bad-handshake'; detail: string; remoteAddress?: string }) => void;
  /** A stream closed because of a bad frame. */
  onStreamError?: (err: unknown, peer: string) => void;
}

/** The receiving side: a listener for the http server's `upgrade` event, plus a way to end every open stream. */
export interface PeerStreamListener {
  (req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Destroys every open inbound stream (on shutdown). */
  closeAll(): void;
  /** Open inbound streams (for tests and metrics). */
  readonly open: number;
}

function refuse(socket: Duplex, status: number, text: string, body: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** Builds the `upgrade` listener that accepts signed peer streams (see the module comment). */
export function peerStreamUpgradeListener(options: PeerStreamListenerOptions): PeerStreamListener {
  const sockets = new Set<Duplex>();
  const listener = ((req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const channel = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '').get('channel') ?? '';
    if (path !== PEER_PATHS.STREAM || req.method !== 'GET') return refuse(socket, 404, 'Not Found', `no upgrade on ${path}`);
    if ((req.headers.upgrade ?? '').toLowerCase() !== PEER_STREAM_PROTOCOL) {
      options.onReject?.({ reason: 'bad-handshake', detail: `unknown protocol ${req.headers.upgrade ?? '(none)'}`, remoteAddress: req.socket.remoteAddress });
      return refuse(socket, 400, 'Bad Request', `peer streams speak ${PEER_STREAM_PROTOCOL}`);
    }
    const handler = options.channels.get(channel);
    if (!handler) return refuse(socket, 404, 'Not Found', `no stream channel ${channel}`);
    const verdict = options.verifier.verify({ method: 'GET', url, headers: req.headers, body: EMPTY });
    if (!verdict.ok) {
      options.onReject?.({ reason: verdict.reason, detail: verdict.detail, remoteAddress: req.socket.remoteAddress });
      return refuse(socket, 401, 'Unauthorized', `peer authentication failed: ${verdict.reason}`);
    }
    const reader = new FrameReader(options.verifier.streamKey(req.headers[PEER_HEADERS.SIGNATURE] as string));
    const peer = verdict.peer;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // http.Server sockets allow half-open connections: when the sender ends, close our side too.
    socket.on('end', () => socket.destroy());
    (socket as Duplex & { setNoDelay?: (on: boolean) => unknown }).setNoDelay?.(true);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: ${PEER_STREAM_PROTOCOL}\r\nconnection: Upgrade\r\n\r\n`);
    const deliver = (payload: Buffer) => handler(peer, payload);
    const take = (chunk: Buffer) => {
      try {
        reader.push(chunk, deliver);
      } catch (err) {
        options.onStreamError?.(err, peer);
        socket.destroy();
      }
    };
    socket.on('data', take);
    if (head.length > 0) take(head);
  }) as PeerStreamListener;
  listener.closeAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  Object.defineProperty(listener, 'open', { get: () => sockets.size });
  return listener;
}

/** Reopen a broken stream after this long, ms. */
const STREAM_RETRY_MS = 1000;
/** Try a stream again this long after a member refused one (it may have been upgraded since), ms. */
const STREAM_REFUSED_RETRY_MS = 60_000;

interface Link {
  stream?: OutboundStream;
  opening?: Promise<OutboundStream | undefined>;
  retryAt: number;
}

/**
 * The outbound streams of one channel, one per member: {@link get} answers the open stream or
 * starts opening one (callers fall back to POSTs meanwhile). A broken stream is reopened after
 * 1 s, and a member that refused a stream (an older version) is asked again after 60 s.
 */
export class StreamLinks {
  private readonly links = new Map<string, Link>();
  private closed = false;
  /** Streams opened so far (reopened ones count again). */
  opened = 0;

  constructor(
    private readonly open: (member: string) => Promise<OutboundStream>,
    private readonly events: { onOpen?: (member: string) => void; onClose?: (member: string) => void; onError?: (err: unknown, member: string) => void } = {},
  ) {}

  /** The open stream to `member`; undefined while none is open (one is being opened if due). */
  get(member: string): OutboundStream | undefined {
    if (this.closed) return undefined;
    const link = this.linkOf(member);
    if (link.stream && !link.stream.closed) return link.stream;
    if (!link.opening && Date.now() >= link.retryAt) void this.start(member, link);
    return undefined;
  }

  /** The open stream to `member`, opening one now if needed (even before the retry time); undefined if that fails. */
  async ready(member: string): Promise<OutboundStream | undefined> {
    if (this.closed) return undefined;
    const link = this.linkOf(member);
    if (link.stream && !link.stream.closed) return link.stream;
    return link.opening ?? this.start(member, link);
  }

  /** Closes every stream; nothing opens afterwards. */
  close(): void {
    this.closed = true;
    for (const link of this.links.values()) link.stream?.close();
    this.links.clear();
  }

  private linkOf(member: string): Link {
    let link = this.links.get(member);
    if (!link) {
      link = { retryAt: 0 };
      this.links.set(member, link);
    }
    return link;
  }

  private start(member: string, link: Link): Promise<OutboundStream | undefined> {
    const opening = this.open(member).then(
      (stream) => {
        link.opening = undefined;
        if (this.closed || this.links.get(member) !== link) {
          stream.close();
          return undefined;
        }
        link.stream = stream;
        this.opened++;
        stream.onClose(() => {
          if (link.stream !== stream) return;
          link.stream = undefined;
          link.retryAt = Date.now() + STREAM_RETRY_MS;
          this.events.onClose?.(member);
        });
        this.events.onOpen?.(member);
        return stream;
      },
      (err: unknown) => {
        link.opening = undefined;
        link.retryAt = Date.now() + ((err as PeerStreamError)?.refused ? STREAM_REFUSED_RETRY_MS : STREAM_RETRY_MS);
        this.events.onError?.(err, member);
        return undefined;
      },
    );
    link.opening = opening;
    return opening;
  }
}
