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
 * RaftError BAD_MESSAGE, so a future binary version can be introduced side by side.
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

/** Decodes what {@link encodeMessages} produced. Throws RaftError BAD_MESSAGE on anything else. */
export function decodeMessages(bytes: Uint8Array): Message[] {
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
    if (!raw || typeof raw !== 'object' || !TYPES.has(raw.type as string) || typeof raw.from !== 'string' || typeof raw.to !== 'string' || typeof raw.term !== 'number') {
      throw new RaftError('BAD_MESSAGE', 'malformed raft message');
    }
    const msg = { ...raw } as unknown as Message;
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
