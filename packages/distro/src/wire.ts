import type { ChecksumBatch, KeyChecksum } from './checksum';
import { DISTRO_ERROR_CODES, DistroError, type DistroErrorCode } from './errors';
import type { DistroRequest, DistroResponse, TransferEntry } from './transport';
import type { TypedKey } from './typed-key';
import type { Version } from './versioned-entry';

/**
 * Version of the JSON wire encoding. Every message carries it as `v`; a decoder refuses any other
 * value with BAD_MESSAGE, so members of different versions fail loudly instead of misreading.
 *
 * Version 1 (all fields required unless marked):
 * - entry: `{"type","key","ts","origin","value"}` — `value` is base64 bytes or null (tombstone).
 * - key checksum: `{"type","key","ts","origin","digest","tombstone"}`.
 * - requests: `{"v":1,"kind":"sync","from","entries":[entry]}`,
 *   `{"v":1,"kind":"checksum","from","batch":{"from","viewDigest","authoritative","purgeHorizon","batchDigest","entries":[key checksum]}}`,
 *   `{"v":1,"kind":"fetch","from","keys":[{"type","key"}]}`, `{"v":1,"kind":"snapshot","from"}`.
 * - responses: `{"v":1,"kind":"ack"}`, `{"v":1,"kind":"entries","purgeHorizon","entries":[entry]}`,
 *   and for failures `{"v":1,"kind":"error","code","message"}` (sent with a non-2xx status over HTTP).
 */
export const DISTRO_WIRE_VERSION = 1;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function bad(message: string, cause?: unknown): DistroError {
  return new DistroError(DISTRO_ERROR_CODES.BAD_MESSAGE, `bad distro message: ${message}`, { cause });
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function str(o: Record<string, unknown>, field: string): string {
  const v = o[field];
  if (typeof v !== 'string') throw bad(`${field} is not a string`);
  return v;
}

function num(o: Record<string, unknown>, field: string): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${field} is not a finite number`);
  return v;
}

function bool(o: Record<string, unknown>, field: string): boolean {
  const v = o[field];
  if (typeof v !== 'boolean') throw bad(`${field} is not a boolean`);
  return v;
}

function arr(o: Record<string, unknown>, field: string): unknown[] {
  const v = o[field];
  if (!Array.isArray(v)) throw bad(`${field} is not an array`);
  return v;
}

function encodeEntry(e: TransferEntry): Json {
  return {
    type: e.type,
    key: e.key,
    ts: e.version.ts,
    origin: e.version.origin,
    value: e.value === null ? null : Buffer.from(e.value.buffer, e.value.byteOffset, e.value.byteLength).toString('base64'),
  };
}

function decodeVersion(o: Record<string, unknown>): Version {
  return { ts: num(o, 'ts'), origin: str(o, 'origin') };
}

function decodeEntry(v: unknown): TransferEntry {
  const o = obj(v, 'entry');
  const raw = o.value;
  let value: Uint8Array | null;
  if (raw === null) value = null;
  else if (typeof raw === 'string') value = new Uint8Array(Buffer.from(raw, 'base64'));
  else throw bad('value is neither base64 nor null');
  return { type: str(o, 'type'), key: str(o, 'key'), version: decodeVersion(o), value };
}

function decodeKey(v: unknown): TypedKey {
  const o = obj(v, 'key');
  return { type: str(o, 'type'), key: str(o, 'key') };
}

function encodeChecksum(c: KeyChecksum): Json {
  return { type: c.type, key: c.key, ts: c.version.ts, origin: c.version.origin, digest: c.digest, tombstone: c.tombstone };
}

function decodeChecksum(v: unknown): KeyChecksum {
  const o = obj(v, 'checksum');
  return { type: str(o, 'type'), key: str(o, 'key'), version: decodeVersion(o), digest: str(o, 'digest'), tombstone: bool(o, 'tombstone') };
}

function encodeBatch(b: ChecksumBatch): Json {
  return {
    from: b.from,
    viewDigest: b.viewDigest,
    authoritative: b.authoritative,
    purgeHorizon: b.purgeHorizon,
    batchDigest: b.batchDigest,
    entries: b.entries.map(encodeChecksum),
  };
}

function decodeBatch(v: unknown): ChecksumBatch {
  const o = obj(v, 'batch');
  return {
    from: str(o, 'from'),
    viewDigest: str(o, 'viewDigest'),
    authoritative: bool(o, 'authoritative'),
    purgeHorizon: num(o, 'purgeHorizon'),
    batchDigest: str(o, 'batchDigest'),
    entries: arr(o, 'entries').map(decodeChecksum),
  };
}

function parse(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw bad('not JSON', err);
  }
  const o = obj(v, 'message');
  if (o.v !== DISTRO_WIRE_VERSION) throw bad(`unsupported wire version ${JSON.stringify(o.v)}`);
  return o;
}

/** Encodes a request as version-1 JSON text. Pure; never throws for a well-typed request. */
export function encodeRequest(req: DistroRequest): string {
  let body: Json;
  switch (req.kind) {
    case 'sync':
      body = { v: DISTRO_WIRE_VERSION, kind: 'sync', from: req.from, entries: req.entries.map(encodeEntry) };
      break;
    case 'checksum':
      body = { v: DISTRO_WIRE_VERSION, kind: 'checksum', from: req.from, batch: encodeBatch(req.batch) };
      break;
    case 'fetch':
      body = { v: DISTRO_WIRE_VERSION, kind: 'fetch', from: req.from, keys: req.keys.map((k) => ({ type: k.type, key: k.key })) };
      break;
    case 'snapshot':
      body = { v: DISTRO_WIRE_VERSION, kind: 'snapshot', from: req.from };
      break;
  }
  return JSON.stringify(body);
}

/** Decodes a request. Throws DistroError BAD_MESSAGE on anything malformed or of another version. */
export function decodeRequest(text: string): DistroRequest {
  const o = parse(text);
  const from = str(o, 'from');
  switch (o.kind) {
    case 'sync':
      return { kind: 'sync', from, entries: arr(o, 'entries').map(decodeEntry) };
    case 'checksum':
      return { kind: 'checksum', from, batch: decodeBatch(o.batch) };
    case 'fetch':
      return { kind: 'fetch', from, keys: arr(o, 'keys').map(decodeKey) };
    case 'snapshot':
      return { kind: 'snapshot', from };
    default:
      throw bad(`unknown request kind ${JSON.stringify(o.kind)}`);
  }
}

/** Encodes a reply as version-1 JSON text. */
export function encodeResponse(res: DistroResponse): string {
  if (res.kind === 'ack') return JSON.stringify({ v: DISTRO_WIRE_VERSION, kind: 'ack' });
  return JSON.stringify({ v: DISTRO_WIRE_VERSION, kind: 'entries', purgeHorizon: res.purgeHorizon, entries: res.entries.map(encodeEntry) });
}

/**
 * Encodes a failure of `handle` for the wire. A DistroError keeps its code; anything else becomes
 * PEER_FAILED with a generic message, so internals stay out of the body.
 */
export function encodeError(err: unknown): string {
  if (err instanceof DistroError) return JSON.stringify({ v: DISTRO_WIRE_VERSION, kind: 'error', code: err.code, message: err.message });
  return JSON.stringify({ v: DISTRO_WIRE_VERSION, kind: 'error', code: DISTRO_ERROR_CODES.PEER_FAILED, message: 'peer failed to handle the request' });
}

const KNOWN_CODES = new Set<string>(Object.values(DISTRO_ERROR_CODES));

/**
 * Decodes a reply. An error envelope is thrown as a DistroError with the peer's code (unknown codes
 * become PEER_FAILED); anything malformed throws BAD_MESSAGE.
 */
export function decodeResponse(text: string): DistroResponse {
  const o = parse(text);
  switch (o.kind) {
    case 'ack':
      return { kind: 'ack' };
    case 'entries':
      return { kind: 'entries', purgeHorizon: num(o, 'purgeHorizon'), entries: arr(o, 'entries').map(decodeEntry) };
    case 'error': {
      const code = typeof o.code === 'string' && KNOWN_CODES.has(o.code) ? (o.code as DistroErrorCode) : DISTRO_ERROR_CODES.PEER_FAILED;
      const message = typeof o.message === 'string' ? o.message : 'peer failed';
      throw new DistroError(code, `peer: ${message}`);
    }
    default:
      throw bad(`unknown response kind ${JSON.stringify(o.kind)}`);
  }
}
