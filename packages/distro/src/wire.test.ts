import fc from 'fast-check';
import { batchDigestOf } from './checksum';
import { DistroError, isDistroError } from './errors';
import type { DistroRequest, DistroResponse, TransferEntry } from './transport';
import { decodeRequest, decodeResponse, encodeError, encodeRequest, encodeResponse } from './wire';

const entryArb: fc.Arbitrary<TransferEntry> = fc.record({
  type: fc.string(),
  key: fc.string(),
  version: fc.record({ ts: fc.integer({ min: 0, max: 2 ** 50 }), origin: fc.string() }),
  value: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
});

const requestArb: fc.Arbitrary<DistroRequest> = fc.oneof(
  fc.record({ kind: fc.constant('sync' as const), from: fc.string(), entries: fc.array(entryArb, { maxLength: 5 }) }),
  fc.record({ kind: fc.constant('fetch' as const), from: fc.string(), keys: fc.array(fc.record({ type: fc.string(), key: fc.string() }), { maxLength: 5 }) }),
  fc.record({ kind: fc.constant('snapshot' as const), from: fc.string() }),
  fc
    .record({
      from: fc.string(),
      viewDigest: fc.string(),
      authoritative: fc.boolean(),
      purgeHorizon: fc.nat(),
      entries: fc.array(
        fc.record({
          type: fc.string(),
          key: fc.string(),
          version: fc.record({ ts: fc.nat(), origin: fc.string() }),
          digest: fc.string(),
          tombstone: fc.boolean(),
        }),
        { maxLength: 5 },
      ),
    })
    .map((b) => ({ kind: 'checksum' as const, from: b.from, batch: { ...b, batchDigest: batchDigestOf(b.entries) } })),
);

describe('wire encoding v1', () => {
  it('property: requests round-trip', () => {
    fc.assert(fc.property(requestArb, (req) => expect(decodeRequest(encodeRequest(req))).toEqual(req)), { numRuns: 300 });
  });

  it('property: responses round-trip', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 5 }), fc.nat(), (entries, purgeHorizon) => {
        const res: DistroResponse = { kind: 'entries', entries, purgeHorizon };
        expect(decodeResponse(encodeResponse(res))).toEqual(res);
      }),
      { numRuns: 200 },
    );
    expect(decodeResponse(encodeResponse({ kind: 'ack' }))).toEqual({ kind: 'ack' });
  });

  it('writes the documented shape', () => {
    const text = encodeRequest({ kind: 'sync', from: 'a:1', entries: [{ type: 't', key: 'k', version: { ts: 5, origin: 'a:1' }, value: new Uint8Array([104, 105]) }] });
    expect(JSON.parse(text)).toEqual({ v: 1, kind: 'sync', from: 'a:1', entries: [{ type: 't', key: 'k', ts: 5, origin: 'a:1', value: 'aGk=' }] });
  });

  it.each([
    ['not json', '{'],
    ['other version', '{"v":2,"kind":"snapshot","from":"a"}'],
    ['unknown kind', '{"v":1,"kind":"gossip","from":"a"}'],
    ['missing from', '{"v":1,"kind":"snapshot"}'],
    ['bad value', '{"v":1,"kind":"sync","from":"a","entries":[{"type":"t","key":"k","ts":1,"origin":"a","value":5}]}'],
    ['bad ts', '{"v":1,"kind":"sync","from":"a","entries":[{"type":"t","key":"k","ts":"1","origin":"a","value":null}]}'],
    ['array body', '[1]'],
  ])('rejects %s with BAD_MESSAGE', (_name, text) => {
    expect(() => decodeRequest(text)).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE' }));
  });

  it('carries DistroError codes through error envelopes; hides other errors', () => {
    expect.assertions(3);
    try {
      decodeResponse(encodeError(new DistroError('NOT_READY', 'loading')));
    } catch (err) {
      expect(isDistroError(err, 'NOT_READY')).toBe(true);
    }
    try {
      decodeResponse(encodeError(new Error('secret detail')));
    } catch (err) {
      expect(isDistroError(err, 'PEER_FAILED')).toBe(true);
      expect((err as Error).message).not.toContain('secret');
    }
  });
});
