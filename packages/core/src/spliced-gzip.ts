import { constants, deflateRawSync } from 'node:zlib';

/**
 * A gzip answer for a body of the form `prefix + middle + suffix` where only the short `middle` changes
 * between requests (instance/list: the body is cached per service version, only `lastRefTime` is new
 * each time). The prefix and suffix are compressed once; each request costs a stored deflate block for
 * the middle, a CRC-32 combine and one small concatenation, so a 35 KB list goes out as ~3 KB of gzip
 * without compressing anything per request.
 *
 * The result is one ordinary gzip member (RFC 1952) holding one deflate stream (RFC 1951):
 * - the prefix, compressed and ended with a full flush (byte-aligned, no back-references across it);
 * - a non-final stored block with the middle's bytes;
 * - the suffix, compressed separately as the final block(s); its back-references stay inside it;
 * - the CRC-32 of the whole text (combined from the parts' CRCs) and its length.
 * Any gzip decoder reads it; nothing here depends on multi-member support.
 */
export class SplicedGzip {
  private readonly head: Buffer;
  private readonly tail: Buffer;
  private readonly prefixCrc: number;
  private readonly suffixCrc: number;
  private readonly prefixLength: number;
  private readonly suffixLength: number;
  /** x^(8·suffixLength) mod P: shifts a CRC past the suffix (the expensive half of a combine, done once). */
  private readonly suffixShift: number;

  /** Compresses `prefix` and `suffix` (UTF-8) once. Costs about as much as gzipping the whole body. */
  constructor(prefix: string, suffix: string) {
    const prefixBytes = Buffer.from(prefix, 'utf8');
    const suffixBytes = Buffer.from(suffix, 'utf8');
    const options = { level: constants.Z_BEST_SPEED, memLevel: 9 };
    const compressedPrefix = deflateRawSync(prefixBytes, { ...options, finishFlush: constants.Z_FULL_FLUSH });
    this.head = Buffer.concat([GZIP_HEADER, compressedPrefix]);
    this.tail = deflateRawSync(suffixBytes, options);
    this.prefixCrc = crc32(prefixBytes);
    this.suffixCrc = crc32(suffixBytes);
    this.prefixLength = prefixBytes.length;
    this.suffixLength = suffixBytes.length;
    this.suffixShift = x2nModP(this.suffixLength, 3);
  }

  /** Bytes of the compressed prefix and suffix: what a request costs on the wire beyond the middle. */
  get compressedSize(): number {
    return this.head.length + this.tail.length + 8;
  }

  /** The gzip of `prefix + middle + suffix`. `middle` must be short (at most 65,535 bytes as UTF-8). */
  with(middle: string): Buffer {
    const middleBytes = Buffer.from(middle, 'utf8');
    const n = middleBytes.length;
    if (n > 0xffff) throw new RangeError('SplicedGzip: the middle part must fit one stored block (65,535 bytes)');
    // Stored block header: BFINAL=0, BTYPE=00, padding to the byte, then LEN and its complement (LE).
    const stored = Buffer.allocUnsafe(5);
    stored[0] = 0;
    stored.writeUInt16LE(n, 1);
    stored.writeUInt16LE(~n & 0xffff, 3);
    const crc = (multModP(this.suffixShift, crc32Combine(this.prefixCrc, crc32(middleBytes), n)) ^ this.suffixCrc) >>> 0;
    const trailer = Buffer.allocUnsafe(8);
    trailer.writeUInt32LE(crc, 0);
    trailer.writeUInt32LE((this.prefixLength + n + this.suffixLength) >>> 0, 4);
    return Buffer.concat([this.head, stored, middleBytes, this.tail, trailer]);
  }
}

/** ID1 ID2, CM=deflate, no flags, MTIME 0, XFL 0, OS 255 (unknown): what zlib writes by default. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);

/** The reflected CRC-32 polynomial of gzip and zlib. */
const POLY = 0xedb88320;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (gzip's) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** a(x)·b(x) mod P(x), in the reflected bit order CRC-32 uses. */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) mod P(x). */
const X2N = (() => {
  const table = new Uint32Array(32);
  let p = 0x40000000; // x^1
  table[0] = p;
  for (let k = 1; k < 32; k++) {
    p = multModP(p, p);
    table[k] = p;
  }
  return table;
})();

/** x^(n·2^k) mod P(x). */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000; // x^0
  while (n) {
    if (n & 1) p = multModP(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/**
 * The CRC-32 of `A + B` from `crcA = crc32(A)`, `crcB = crc32(B)` and B's length, without reading
 * either (shifting crcA by `lengthB` bytes is a multiplication by x^(8·lengthB) mod P).
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA) ^ crcB) >>> 0;
}
