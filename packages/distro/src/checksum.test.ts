import fc from 'fast-check';
import { batchDigestOf, type ChecksumBatch, type KeyChecksum, planVerify } from './checksum';
import { type EntryStamp, makeEntry } from './versioned-entry';

const stamp = (type: string, key: string, ts: number, origin: string, value: string | null): KeyChecksum => {
  const e = makeEntry({ ts, origin }, value === null ? null : new TextEncoder().encode(value));
  return { type, key, version: e.version, digest: e.digest, tombstone: e.tombstone };
};

const batchOf = (entries: KeyChecksum[], extra: Partial<ChecksumBatch> = {}): ChecksumBatch => ({
  from: 'owner',
  viewDigest: 'v',
  authoritative: true,
  purgeHorizon: 0,
  entries,
  batchDigest: batchDigestOf(entries),
  ...extra,
});

const lookup = (entries: KeyChecksum[]) => {
  const m = new Map(entries.map((e) => [`${e.type}/${e.key}`, e as EntryStamp]));
  return (type: string, key: string) => m.get(`${type}/${key}`);
};

describe('batchDigestOf', () => {
  it('does not depend on order and changes with any stamp', () => {
    const a = stamp('t', 'a', 1, 'n1', 'x');
    const b = stamp('t', 'b', 2, 'n1', 'y');
    expect(batchDigestOf([a, b])).toBe(batchDigestOf([b, a]));
    expect(batchDigestOf([a, b])).not.toBe(batchDigestOf([a, stamp('t', 'b', 3, 'n1', 'y')]));
    expect(batchDigestOf([a])).not.toBe(batchDigestOf([stamp('u', 'a', 1, 'n1', 'x')]));
  });
});

describe('planVerify', () => {
  it('does nothing when the batch digest matches', () => {
    const mine = [stamp('t', 'a', 1, 'n1', 'x')];
    expect(planVerify({ batch: batchOf(mine), localStamp: lookup(mine), localOwnedBySource: mine, canDrop: true, localPurgeHorizon: 0 })).toEqual({
      fetch: [],
      push: [],
      drop: [],
    });
  });

  it('fetches missing and older keys (tombstones too), pushes newer ones', () => {
    const remote = [stamp('t', 'missing', 1, 'o', 'x'), stamp('t', 'older', 5, 'o', 'x'), stamp('t', 'newer', 5, 'o', 'x'), stamp('t', 'dead', 9, 'o', null)];
    const local = [stamp('t', 'older', 4, 'o', 'x'), stamp('t', 'newer', 6, 'r', 'y')];
    const plan = planVerify({ batch: batchOf(remote), localStamp: lookup(local), localOwnedBySource: local, canDrop: true, localPurgeHorizon: 0 });
    expect(plan.fetch.map((k) => k.key)).toEqual(['missing', 'older', 'dead']);
    expect(plan.push.map((k) => k.key)).toEqual(['newer']);
    expect(plan.drop).toEqual([]);
  });

  it('does not re-fetch an absent tombstone no newer than its own purge horizon', () => {
    const remote = [stamp('t', 'purged', 10, 'o', null), stamp('t', 'fresh', 30, 'o', null), stamp('t', 'live', 5, 'o', 'x')];
    const plan = planVerify({ batch: batchOf(remote), localStamp: lookup([]), localOwnedBySource: [], canDrop: true, localPurgeHorizon: 20 });
    expect(plan.fetch.map((k) => k.key)).toEqual(['fresh', 'live']);
  });

  it('drops a live key the owner lacks only when allowed and not newer than the purge horizon', () => {
    const local = [stamp('t', 'old', 10, 'o', 'x'), stamp('t', 'recent', 50, 'r', 'x'), stamp('t', 'gone', 5, 'o', null)];
    const batch = batchOf([], { purgeHorizon: 20 });
    const allowed = planVerify({ batch, localStamp: lookup(local), localOwnedBySource: local, canDrop: true, localPurgeHorizon: 0 });
    expect(allowed.drop.map((k) => k.key)).toEqual(['old']);
    expect(allowed.push.map((k) => k.key)).toEqual(['recent']);
    // An unknown tombstone newer than the horizon goes to the owner too.
    const deadRecent = [stamp('t', 'dead', 30, 'r', null)];
    expect(planVerify({ batch, localStamp: lookup(deadRecent), localOwnedBySource: deadRecent, canDrop: true, localPurgeHorizon: 0 }).push.map((k) => k.key)).toEqual(['dead']);
    const changing = planVerify({ batch, localStamp: lookup(local), localOwnedBySource: local, canDrop: false, localPurgeHorizon: 0 });
    expect(changing.drop).toEqual([]);
    expect(changing.push.map((k) => k.key)).toEqual(['recent']);
  });

  it('property: never drops when not allowed; never plans two actions for one key', () => {
    const keyArb = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const stampArb = fc
      .record({ key: keyArb, ts: fc.integer({ min: 0, max: 30 }), origin: fc.constantFrom('o', 'r'), value: fc.option(fc.constantFrom('x', 'y'), { nil: null }) })
      .map((r) => stamp('t', r.key, r.ts, r.origin, r.value));
    const uniq = (xs: KeyChecksum[]) => [...new Map(xs.map((x) => [x.key, x])).values()];
    fc.assert(
      fc.property(fc.array(stampArb), fc.array(stampArb), fc.boolean(), fc.integer({ min: 0, max: 30 }), (r, l, canDrop, horizon) => {
        const remote = uniq(r);
        const local = uniq(l);
        const plan = planVerify({ batch: batchOf(remote, { purgeHorizon: horizon }), localStamp: lookup(local), localOwnedBySource: local, canDrop, localPurgeHorizon: 0 });
        const all = [...plan.fetch, ...plan.push, ...plan.drop].map((k) => k.key);
        if (new Set(all).size !== all.length) return false;
        if (!canDrop && plan.drop.length > 0) return false;
        // A dropped key is live locally, absent remotely, and not newer than the horizon.
        return plan.drop.every((k) => {
          const mine = local.find((x) => x.key === k.key)!;
          return !mine.tombstone && !remote.some((x) => x.key === k.key) && mine.version.ts <= horizon;
        });
      }),
      { numRuns: 500 },
    );
  });
});
