import fc from 'fast-check';
import {
  compareEntries,
  compareVersions,
  digestOf,
  makeEntry,
  makeLazyEntry,
  nextVersion,
  supersedes,
  TOMBSTONE_DIGEST,
  type VersionedEntry,
} from './versioned-entry';

const bytes = (s: string) => new TextEncoder().encode(s);

const entryArb: fc.Arbitrary<VersionedEntry> = fc
  .record({
    ts: fc.integer({ min: 0, max: 20 }),
    origin: fc.constantFrom('a', 'b', 'c'),
    value: fc.option(fc.constantFrom('x', 'y', 'z'), { nil: null }),
  })
  .map(({ ts, origin, value }) => makeEntry({ ts, origin }, value === null ? null : bytes(value)));

/** The merge a receiver performs: keep the local entry unless the incoming one supersedes it. */
const merge = (local: VersionedEntry | undefined, incoming: VersionedEntry) =>
  supersedes(incoming, local) ? incoming : local!;
const same = (a: VersionedEntry, b: VersionedEntry) => compareEntries(a, b) === 0;

describe('versions', () => {
  it('orders by ts, then origin', () => {
    expect(compareVersions({ ts: 1, origin: 'b' }, { ts: 2, origin: 'a' })).toBeLessThan(0);
    expect(compareVersions({ ts: 2, origin: 'a' }, { ts: 2, origin: 'b' })).toBeLessThan(0);
    expect(compareVersions({ ts: 2, origin: 'a' }, { ts: 2, origin: 'a' })).toBe(0);
  });

  it('nextVersion moves past the previous version even when the clock is behind', () => {
    expect(nextVersion(undefined, 100.7, 'a')).toEqual({ ts: 100, origin: 'a' });
    expect(nextVersion({ ts: 500, origin: 'b' }, 100, 'a')).toEqual({ ts: 501, origin: 'a' });
    expect(nextVersion({ ts: 50, origin: 'b' }, 100, 'a')).toEqual({ ts: 100, origin: 'a' });
  });

  it('property: nextVersion is always newer than prev', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.constantFrom('a', 'b', 'zz'),
        fc.integer({ min: 0, max: 1e12 }),
        fc.constantFrom('a', 'b', 'zz'),
        (pts, porigin, now, origin) => compareVersions(nextVersion({ ts: pts, origin: porigin }, now, origin), { ts: pts, origin: porigin }) > 0,
      ),
    );
  });
});

describe('entries and merge', () => {
  it('digests values with md5 and marks tombstones', () => {
    expect(digestOf(bytes('hello'))).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(digestOf(null)).toBe(TOMBSTONE_DIGEST);
    expect(makeEntry({ ts: 1, origin: 'a' }, null).tombstone).toBe(true);
  });

  it('a tombstone beats an older write, and an older write cannot resurrect it', () => {
    const live = makeEntry({ ts: 1, origin: 'a' }, bytes('x'));
    const dead = makeEntry({ ts: 2, origin: 'a' }, null);
    expect(merge(merge(undefined, live), dead)).toBe(dead);
    expect(merge(merge(undefined, dead), live)).toBe(dead);
  });

  it('a tombstone at the same version beats the live entry (the verifier drop)', () => {
    const live = makeEntry({ ts: 5, origin: 'a' }, bytes('x'));
    const drop = makeEntry({ ts: 5, origin: 'a' }, null);
    expect(supersedes(drop, live)).toBe(true);
    expect(supersedes(live, drop)).toBe(false);
    expect(supersedes(drop, makeEntry({ ts: 6, origin: 'a' }, bytes('y')))).toBe(false);
  });

  it('property: compareEntries is a total order (antisymmetric, transitive)', () => {
    fc.assert(
      fc.property(entryArb, entryArb, entryArb, (a, b, c) => {
        const ab = Math.sign(compareEntries(a, b));
        if (ab !== -Math.sign(compareEntries(b, a))) return false;
        if (compareEntries(a, b) <= 0 && compareEntries(b, c) <= 0 && compareEntries(a, c) > 0) return false;
        return true;
      }),
      { numRuns: 1000 },
    );
  });

  it('property: merge is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(entryArb, entryArb, entryArb, (a, b, c) => {
        const commutative = same(merge(a, b), merge(b, a));
        const associative = same(merge(merge(a, b), c), merge(a, merge(b, c)));
        const idempotent = same(merge(a, a), a);
        return commutative && associative && idempotent;
      }),
      { numRuns: 1000 },
    );
  });

  it('property: any delivery order of any multiset of writes converges to the maximum', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 24 }), (writes, picks) => {
        // A delivery sequence with duplicates and reordering: every write at least once, plus extra picks.
        const sequence = [...writes, ...picks.map((p) => writes[p % writes.length]!)].reverse();
        let replica: VersionedEntry | undefined;
        let applied: VersionedEntry | undefined;
        for (const e of sequence) {
          const next = merge(replica, e);
          // An older entry never replaces a newer one.
          if (replica && compareEntries(next, replica) < 0) return false;
          if (next !== replica) applied = next;
          replica = next;
        }
        const max = writes.reduce((m, e) => (compareEntries(e, m) > 0 ? e : m));
        return replica !== undefined && same(replica, max) && applied !== undefined;
      }),
      { numRuns: 500 },
    );
  });
});

describe('makeLazyEntry', () => {
  it('reads like makeEntry plus the extra fields, and copies carry the digest', () => {
    const value = new TextEncoder().encode('list');
    const lazy = makeLazyEntry({ ts: 5, origin: 'a' }, value, { storedAt: 7 });
    const eager = makeEntry({ ts: 5, origin: 'a' }, value);
    expect(lazy.digest).toBe(eager.digest);
    expect({ ...lazy }).toEqual({ ...eager, storedAt: 7 });
    const tomb = makeLazyEntry({ ts: 6, origin: 'a' }, null, { storedAt: 8 });
    expect([tomb.tombstone, tomb.digest]).toEqual([true, TOMBSTONE_DIGEST]);
  });
});
