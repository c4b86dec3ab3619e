import { BINARY_WIRE_VERSION, decodeMessages, encodeMessages, encodeMessagesBinary, WIRE_VERSION } from './codec';
import { RaftError } from './errors';
import type { Message } from './types';

describe('wire codec v1', () => {
  it('round-trips messages with entries and snapshots', () => {
    const msgs: Message[] = [
      { type: 'App', from: 'a', to: 'b', term: 3, index: 4, logTerm: 2, commit: 4, entries: [{ term: 3, index: 5, type: 0, data: new Uint8Array([0, 255, 7]) }] },
      { type: 'Snap', from: 'a', to: 'c', term: 3, snapshot: { meta: { index: 9, term: 2, confState: { voters: ['a', 'b', 'c'], learners: [] } }, data: new Uint8Array([1, 2]) } },
      { type: 'AppResp', from: 'b', to: 'a', term: 3, index: 4, reject: true, rejectHint: 2, hintTerm: 1 },
    ];
    const bytes = encodeMessages(msgs);
    expect(JSON.parse(new TextDecoder().decode(bytes)).v).toBe(WIRE_VERSION);
    expect(decodeMessages(bytes)).toEqual(msgs);
  });

  it('refuses other versions and malformed input with BAD_MESSAGE', () => {
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    for (const bad of [enc({ v: 2, m: [] }), enc({ v: 1, m: [{ type: 'Nope', from: 'a', to: 'b', term: 1 }] }), new Uint8Array([1, 2, 3])]) {
      expect(() => decodeMessages(bad)).toThrow(RaftError);
      try {
        decodeMessages(bad);
      } catch (err) {
        expect((err as RaftError).code).toBe('BAD_MESSAGE');
      }
    }
  });
});

describe('wire codec v2 (binary)', () => {
  const confState = { voters: ['a', 'b', 'c'], learners: [] };
  const msgs: Message[] = [
    { type: 'App', from: 'a', to: 'b', term: 3, index: 4, logTerm: 2, commit: 4, entries: [{ term: 3, index: 5, type: 0, data: new Uint8Array([0, 255, 7]) }, { term: 3, index: 6, type: 1, data: new Uint8Array(0) }] },
    { type: 'App', from: 'a', to: 'b', term: 3, index: 6, logTerm: 3, commit: 6, entries: [] },
    { type: 'Heartbeat', from: 'a', to: 'c', term: 3, commit: 6, context: 'a/7' },
    { type: 'Snap', from: 'a', to: 'c', term: 3, snapshot: { meta: { index: 9, term: 2, confState }, data: new Uint8Array([1, 2]) } },
    { type: 'SnapChunk', from: 'a', to: 'c', term: 3, snapshot: { meta: { index: 9, term: 2, confState }, data: new Uint8Array([3]) }, chunkOffset: 2, chunkTotal: 3 },
    { type: 'AppResp', from: 'b', to: 'a', term: 3, index: 4, reject: true, rejectHint: 2, hintTerm: 1 },
  ];

  it('round-trips every kind of message, keeping an empty entry list apart from none', () => {
    const bytes = encodeMessagesBinary(msgs);
    expect(bytes[0]).toBe(BINARY_WIRE_VERSION);
    const back = decodeMessages(bytes);
    expect(back).toEqual(msgs);
    expect(back[1]?.entries).toEqual([]);
    expect('entries' in (back[2] as Message)).toBe(false);
    expect(decodeMessages(encodeMessagesBinary([]))).toEqual([]);
  });

  it('copies entry data out of the received bytes (the log must not pin the frame)', () => {
    const bytes = encodeMessagesBinary(msgs.slice(0, 1));
    const entry = decodeMessages(bytes)[0]?.entries?.[0];
    bytes.fill(9);
    expect(Array.from(entry?.data ?? [])).toEqual([0, 255, 7]);
    expect(entry?.data.buffer).not.toBe(bytes.buffer);
  });

  it('is smaller than version 1 for AppendEntries: no base64', () => {
    const data = new TextEncoder().encode(JSON.stringify({ op: 'putInstances', ns: 'public', service: 'DEFAULT_GROUP@@s', instances: [{ ip: '10.0.0.1', port: 8080 }] }));
    const app: Message = { type: 'App', from: 'a', to: 'b', term: 3, index: 4, logTerm: 3, commit: 4, entries: Array.from({ length: 20 }, (_, i) => ({ term: 3, index: 5 + i, type: 0, data })) };
    expect(encodeMessagesBinary([app]).byteLength).toBeLessThan(0.85 * encodeMessages([app]).byteLength);
  });

  it('refuses cut, padded, inconsistent or malformed batches with BAD_MESSAGE', () => {
    const good = encodeMessagesBinary(msgs);
    const header = new TextEncoder().encode(JSON.stringify({ type: 'Snap', from: 'a', to: 'b', term: 1, snapshot: { index: 1, term: 1, confState } }));
    const frame = (...parts: number[][]) => new Uint8Array(parts.flat());
    const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
    const bad = [
      good.subarray(0, good.byteLength - 1),
      new Uint8Array([...good, 0]),
      frame([BINARY_WIRE_VERSION], u32(1_000_000)),
      // A Snap header without snapshot data.
      frame([BINARY_WIRE_VERSION], u32(1), u32(header.byteLength), Array.from(header), u32(0xffffffff), u32(0xffffffff)),
      frame([BINARY_WIRE_VERSION], u32(1), u32(2), [123, 125], u32(0xffffffff), u32(0xffffffff)),
      frame([BINARY_WIRE_VERSION], u32(1), u32(3), [123, 34, 125], u32(0xffffffff), u32(0xffffffff)),
    ];
    for (const bytes of bad) {
      let caught: unknown;
      try {
        decodeMessages(bytes);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(RaftError);
      expect((caught as RaftError).code).toBe('BAD_MESSAGE');
    }
  });
});
