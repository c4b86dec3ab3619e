import { type ClientHttp2Session, type ClientHttp2Stream, connect } from 'node:http2';

/**
 * A minimal gRPC client over node:http2 with hand-written protobuf, for the load generator. It
 * exists because @grpc/grpc-js spends several times more CPU per call than this (name resolution,
 * load balancing, filters, a per-call state machine), which made the single generator core, not
 * etcd, the bottleneck of the etcd rows. Only what the benchmark needs: unary calls and one
 * bidirectional stream with one message in flight, no compression, no deadlines (the closed loop
 * bounds time), insecure h2c as etcd serves it on its client port.
 */

// ---- protobuf wire format (proto3): varints and length-delimited fields ----

/** Wire types used here. */
const VARINT = 0;
const LEN = 2;

/** Encodes a non-negative integer (number or bigint, up to 64 bits) as a protobuf varint. */
export function encodeVarint(value: number | bigint): Buffer {
  let v = BigInt(value);
  if (v < 0n) v = BigInt.asUintN(64, v);
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

/** A varint field (int64/uint64/bool). Zero is still written, which proto3 parsers accept. */
export function varintField(field: number, value: number | bigint): Buffer {
  return Buffer.concat([encodeVarint((field << 3) | VARINT), encodeVarint(value)]);
}

/** A length-delimited field (bytes, string, embedded message). */
export function bytesField(field: number, value: Buffer | string): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([encodeVarint((field << 3) | LEN), encodeVarint(data.length), data]);
}

/** One decoded top-level field: varints as bigint, length-delimited as a Buffer view. */
export interface PbField {
  field: number;
  value: bigint | Buffer;
}

/** Decodes the top-level fields of a message, skipping 32/64-bit fixed fields. Throws on truncation. */
export function decodeFields(buf: Buffer): PbField[] {
  const out: PbField[] = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('protobuf: truncated varint');
      const byte = buf[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(readVarint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === VARINT) out.push({ field, value: readVarint() });
    else if (wire === LEN) {
      const len = Number(readVarint());
      if (pos + len > buf.length) throw new Error('protobuf: truncated field');
      out.push({ field, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
  return out;
}

// ---- gRPC message framing ----

/** Prefixes a message with gRPC's 5-byte header (uncompressed flag, 32-bit big-endian length). */
export function grpcFrame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

/** Splits a gRPC byte stream back into messages, whatever the chunk boundaries. */
export class GrpcFrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onMessage: (message: Buffer) => void) {}

  feed(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 5) {
      if (this.buf[0] !== 0) throw new Error('gRPC: compressed messages are not supported');
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) return;
      const message = this.buf.subarray(5, 5 + len);
      this.buf = this.buf.subarray(5 + len);
      this.onMessage(message);
    }
  }
}

/** A non-OK gRPC status. */
export class GrpcError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`gRPC status ${status}: ${message}`);
  }
}

function statusOf(headers: Record<string, unknown>): { status: number; message: string } | undefined {
  const raw = headers['grpc-status'];
  if (raw === undefined) return undefined;
  return { status: Number(raw), message: decodeURIComponent(String(headers['grpc-message'] ?? '')) };
}

/**
 * One HTTP/2 connection to a gRPC server: the generator's unit of "a connection". Calls are
 * streams on this one session; it reconnects lazily if the session went away.
 */
export class GrpcConnection {
  private session: ClientHttp2Session | undefined;

  constructor(private readonly endpoint: string) {}

  private open(): ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const session = connect(`http://${this.endpoint}`);
    session.on('error', () => undefined); // surfaced through the streams that fail
    session.on('close', () => {
      if (this.session === session) this.session = undefined;
    });
    this.session = session;
    return session;
  }

  /** Resolves once the HTTP/2 session is up (bounded by `timeoutMs`). */
  ready(timeoutMs = 10_000): Promise<void> {
    const session = this.open();
    if (!session.connecting) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gRPC connect to ${this.endpoint}: timeout`)), timeoutMs);
      session.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      session.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  private request(path: string): ClientHttp2Stream {
    return this.open().request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
  }

  /** A unary call: sends one message, resolves with the one reply, rejects with {@link GrpcError}. */
  unary(path: string, message: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const stream = this.request(path);
      let reply: Buffer | undefined;
      let status: { status: number; message: string } | undefined;
      const decoder = new GrpcFrameDecoder((m) => {
        reply ??= Buffer.from(m);
      });
      stream.on('response', (headers) => {
        status ??= statusOf(headers); // a trailers-only answer carries the status in its headers
      });
      stream.on('trailers', (trailers) => {
        status ??= statusOf(trailers);
      });
      stream.on('data', (chunk: Buffer) => decoder.feed(chunk));
      stream.on('error', reject);
      stream.on('close', () => {
        if (status && status.status !== 0) reject(new GrpcError(status.status, status.message));
        else if (reply) resolve(reply);
        else reject(new Error(`${path}: stream closed without a reply`));
      });
      stream.end(grpcFrame(message));
    });
  }

  /**
   * Opens a bidirectional stream. `send` writes one message; replies arrive through `onMessage`;
   * `onEnd` is called once when the stream ends or fails.
   */
  stream(path: string, onMessage: (message: Buffer) => void, onEnd: (error: Error) => void): BidiStream {
    const stream = this.request(path);
    let ended = false;
    const end = (error: Error) => {
      if (!ended) {
        ended = true;
        onEnd(error);
      }
    };
    const decoder = new GrpcFrameDecoder(onMessage);
    stream.on('data', (chunk: Buffer) => {
      try {
        decoder.feed(chunk);
      } catch (error) {
        stream.destroy(error as Error);
      }
    });
    stream.on('trailers', (trailers) => {
      const s = statusOf(trailers);
      end(s && s.status !== 0 ? new GrpcError(s.status, s.message) : new Error(`${path}: stream ended`));
    });
    stream.on('error', end);
    stream.on('close', () => end(new Error(`${path}: stream closed`)));
    return {
      send: (message) => {
        stream.write(grpcFrame(message));
      },
      close: () => {
        stream.close();
      },
    };
  }

  close(): void {
    this.session?.destroy();
    this.session = undefined;
  }
}

/** The sending half of a bidirectional stream opened by {@link GrpcConnection.stream}. */
export interface BidiStream {
  send(message: Buffer): void;
  close(): void;
}
