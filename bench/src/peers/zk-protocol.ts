/**
 * ZooKeeper's client wire format (jute records, each request and reply prefixed by a 32-bit
 * big-endian length), just the records the benchmark uses: connect, create, getChildren, ping and
 * closeSession. Pure functions over Buffers; the socket lives in zookeeper.ts.
 */

/** Operation codes (ZooDefs.OpCode). */
export const OP = { create: 1, getChildren: 8, ping: 11, closeSession: -11 } as const;

/** Reply error codes (KeeperException.Code) the benchmark tells apart. */
export const ZK_ERR = { ok: 0, noNode: -101, nodeExists: -110 } as const;

/** Create modes (CreateMode flags). */
export const CREATE_MODE = { persistent: 0, ephemeral: 1 } as const;

/** Special xids: ping replies and watch notifications carry these instead of a request's xid. */
export const XID = { ping: -2, notification: -1 } as const;

/** Builds a record from parts, with the 4-byte length prefix the transport needs. */
class Writer {
  private readonly parts: Buffer[] = [];

  int(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }

  long(v: bigint): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }

  bool(v: boolean): this {
    this.parts.push(Buffer.from([v ? 1 : 0]));
    return this;
  }

  /** A jute buffer or ustring: 32-bit length, then the bytes. */
  bytes(v: Buffer | string): this {
    const data = typeof v === 'string' ? Buffer.from(v) : v;
    this.int(data.length);
    this.parts.push(data);
    return this;
  }

  framed(): Buffer {
    const body = Buffer.concat(this.parts);
    const out = Buffer.allocUnsafe(4 + body.length);
    out.writeInt32BE(body.length);
    body.copy(out, 4);
    return out;
  }
}

/** ConnectRequest for a new session (no previous zxid, zero password). */
export function connectRequest(sessionTimeoutMs: number): Buffer {
  return new Writer()
    .int(0) // protocolVersion
    .long(0n) // lastZxidSeen
    .int(sessionTimeoutMs)
    .long(0n) // sessionId
    .bytes(Buffer.alloc(16)) // passwd
    .bool(false) // readOnly
    .framed();
}

/** ConnectResponse fields the client needs. */
export interface ConnectReply {
  timeoutMs: number;
  sessionId: bigint;
}

/** Reads a ConnectResponse record (without its length prefix). */
export function readConnectReply(record: Buffer): ConnectReply {
  // protocolVersion int, timeOut int, sessionId long, passwd buffer[, readOnly bool]
  return { timeoutMs: record.readInt32BE(4), sessionId: record.readBigInt64BE(8) };
}

/** The world:anyone ACL with every permission (ZooDefs.Ids.OPEN_ACL_UNSAFE). */
function openAcl(w: Writer): Writer {
  return w.int(1).int(31).bytes('world').bytes('anyone');
}

/** A create request. */
export function createRequest(xid: number, path: string, data: Buffer, mode: number): Buffer {
  return openAcl(new Writer().int(xid).int(OP.create).bytes(path).bytes(data)).int(mode).framed();
}

/** A getChildren request without a watch. */
export function getChildrenRequest(xid: number, path: string): Buffer {
  return new Writer().int(xid).int(OP.getChildren).bytes(path).bool(false).framed();
}

/** A ping (keeps an idle session alive). */
export function pingRequest(): Buffer {
  return new Writer().int(XID.ping).int(OP.ping).framed();
}

/** A closeSession request: the server ends the session and deletes its ephemeral nodes at once. */
export function closeRequest(xid: number): Buffer {
  return new Writer().int(xid).int(OP.closeSession).framed();
}

/** ReplyHeader plus the offset where the reply's body starts. */
export interface ReplyHeader {
  xid: number;
  err: number;
  bodyOffset: number;
}

/** Reads a ReplyHeader (xid int, zxid long, err int) from a reply record. */
export function readReplyHeader(record: Buffer): ReplyHeader {
  return { xid: record.readInt32BE(0), err: record.readInt32BE(12), bodyOffset: 16 };
}

/** Reads the ustring at `offset`; returns it and the offset after it. */
function readString(record: Buffer, offset: number): [string, number] {
  const len = record.readInt32BE(offset);
  if (len < 0) return ['', offset + 4];
  return [record.toString('utf8', offset + 4, offset + 4 + len), offset + 4 + len];
}

/** A GetChildrenResponse body: vector<ustring>. */
export function readChildren(record: Buffer, offset: number): string[] {
  const count = record.readInt32BE(offset);
  const out: string[] = [];
  let pos = offset + 4;
  for (let i = 0; i < count; i++) {
    const [name, next] = readString(record, pos);
    out.push(name);
    pos = next;
  }
  return out;
}

/** A CreateResponse body: the created path. */
export function readCreatedPath(record: Buffer, offset: number): string {
  return readString(record, offset)[0];
}

/**
 * Splits the byte stream into length-prefixed records, whatever the chunk boundaries.
 * Throws on a negative or absurd length (a corrupt stream).
 */
export class RecordDecoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onRecord: (record: Buffer) => void) {}

  feed(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 4) {
      const len = this.buf.readInt32BE(0);
      if (len < 0 || len > 64 * 1024 * 1024) throw new Error(`ZooKeeper: bad record length ${len}`);
      if (this.buf.length < 4 + len) return;
      const record = this.buf.subarray(4, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      this.onRecord(record);
    }
  }
}
