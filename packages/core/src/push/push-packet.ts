import { gunzipSync, gzipSync } from 'node:zlib';

/** Packets at or above this many bytes are gzipped, as Nacos does (clients detect the 1f 8b magic). */
export const GZIP_THRESHOLD_BYTES = 1024;

/** The largest UDP/IPv4 payload (65535 − 8 − 20); a bigger packet cannot be sent at all. */
export const MAX_DATAGRAM_BYTES = 65_507;

/**
 * A server → client push (NACOS-FACTS §4). `data` is the instance/list JSON **as a string** (the
 * nacos-naming client drops the packet when it is an object); `lastRefTime` identifies the packet
 * and is echoed in the ack.
 */
export interface PushPacket {
  type: 'dom' | 'service' | 'dump';
  data: string;
  lastRefTime: number;
}

/** A client → server ack: `{"type":"push-ack","lastRefTime":<echoed>,"data":""}`. */
export interface PushAck {
  /** `push-ack`, `dump-ack` or `unknown-ack`. */
  type: string;
  /** The echoed value, as a decimal string (Java clients send a string, nacos-naming a number). */
  lastRefTime: string;
  data: string;
}

/**
 * Serialises a packet to UTF-8 JSON and gzips it when it is at least `gzipThresholdBytes` long.
 * The result may exceed {@link MAX_DATAGRAM_BYTES}; the caller decides what to do then.
 */
export function encodePushPacket(packet: PushPacket, gzipThresholdBytes = GZIP_THRESHOLD_BYTES): Buffer {
  const json = Buffer.from(JSON.stringify({ type: packet.type, data: packet.data, lastRefTime: packet.lastRefTime }), 'utf8');
  return json.length >= gzipThresholdBytes ? gzipSync(json) : json;
}

/** True when the bytes start with the gzip magic `1f 8b`. */
export function isGzipped(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a datagram as JSON, gunzipping first when it carries the gzip magic. Returns undefined for
 * anything that is not a JSON object (corrupt gzip included); never throws.
 */
export function decodeDatagram(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const text = (isGzipped(bytes) ? gunzipSync(bytes) : bytes).toString('utf8');
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses an ack datagram; undefined unless it is a JSON object whose `type` ends in `-ack` and whose
 * `lastRefTime` is a number or a string of digits.
 */
export function parseAck(bytes: Buffer): PushAck | undefined {
  const value = decodeDatagram(bytes);
  if (!value) return undefined;
  const { type, lastRefTime, data } = value;
  if (typeof type !== 'string' || !type.endsWith('-ack')) return undefined;
  let ref: string;
  if (typeof lastRefTime === 'number' && Number.isSafeInteger(lastRefTime)) ref = String(lastRefTime);
  else if (typeof lastRefTime === 'string' && /^\d+$/.test(lastRefTime)) ref = lastRefTime;
  else return undefined;
  return { type, lastRefTime: ref, data: typeof data === 'string' ? data : '' };
}
