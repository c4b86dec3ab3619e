import { createHash } from 'node:crypto';

/**
 * The version of one write to one key. A hybrid logical stamp: `ts` is the writer's clock in
 * milliseconds, pushed past the previous version of the key (`nextVersion`), and `origin` is the
 * writing member's address, which breaks ties between two members that wrote in the same
 * millisecond (possible only while they disagree about ownership).
 *
 * Versions are totally ordered by (ts, origin). Unlike Nacos 1.x (every datum has timestamp 1 and
 * the last arrival wins), a receiver applies an entry only if it is strictly newer than what it
 * holds (`compareEntries`), so delayed, duplicated or reordered messages cannot undo a write.
 */
export interface Version {
  readonly ts: number;
  readonly origin: string;
}

/** Orders versions: negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareVersions(a: Version, b: Version): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  if (a.origin === b.origin) return 0;
  return a.origin < b.origin ? -1 : 1;
}

/**
 * The version for a new local write by `origin`: `max(now, prev.ts + 1)`, so it is newer than
 * every version of the key this member has seen even if its clock is behind the previous writer's.
 * `now` is truncated to an integer.
 */
export function nextVersion(prev: Version | undefined, now: number, origin: string): Version {
  const floor = Math.floor(now);
  return { ts: prev === undefined ? floor : Math.max(floor, prev.ts + 1), origin };
}

/**
 * What checksums carry about an entry: its version, a digest of its value, and whether it is a
 * tombstone. Enough to decide which of two entries is newer without their bytes.
 */
export interface EntryStamp {
  readonly version: Version;
  /** md5 (hex) of the value bytes; `TOMBSTONE_DIGEST` for a tombstone. */
  readonly digest: string;
  readonly tombstone: boolean;
}

/**
 * The stored state of one key: a value or a tombstone, with its version. Deletes are writes of a
 * tombstone, so they replicate like any write and an older write arriving later cannot resurrect
 * the key. Tombstones are purged after a TTL (see `DistroConfig.tombstoneTtlMs`).
 *
 * Entries are immutable; `value` must not be mutated by anyone once stored.
 */
export interface VersionedEntry extends EntryStamp {
  /** The bytes, or null for a tombstone. */
  readonly value: Uint8Array | null;
}

/** The digest recorded for tombstones. */
export const TOMBSTONE_DIGEST = '-';

/** md5 hex of `value`, or `TOMBSTONE_DIGEST` for null. Pure. */
export function digestOf(value: Uint8Array | null): string {
  if (value === null) return TOMBSTONE_DIGEST;
  return createHash('md5').update(value).digest('hex');
}

/** Builds an entry, computing its digest. Does not copy `value`. */
export function makeEntry(version: Version, value: Uint8Array | null): VersionedEntry {
  return { version, value, digest: digestOf(value), tombstone: value === null };
}

/**
 * Like {@link makeEntry} plus `extra` fields, but the digest is computed the first time it is read
 * (and then kept): an owner may overwrite a key many times between two syncs (a service's list on
 * every register), and only checksums and merges of equal versions read the digest. The digest is
 * an own enumerable property, so copies (`{ ...entry }`) carry its value.
 */
export function makeLazyEntry<X extends object>(version: Version, value: Uint8Array | null, extra: X): VersionedEntry & X {
  let digest: string | undefined;
  return {
    ...extra,
    version,
    value,
    tombstone: value === null,
    get digest(): string {
      digest ??= digestOf(value);
      return digest;
    },
  };
}

/**
 * The merge order: by version first. Equal versions normally mean the same write; should two
 * different values ever carry the same version (a member restarted with its clock set back and
 * reused a stamp), a tombstone wins, then the larger digest, so the order stays total and every
 * member still picks the same winner. The verifier's "drop" writes a tombstone at the dropped
 * entry's own version, which by this rule beats exactly that entry and nothing newer.
 *
 * Merging with this order is commutative, associative and idempotent (a join), which is what
 * makes replicas converge whatever order messages arrive in.
 */
export function compareEntries(a: EntryStamp, b: EntryStamp): number {
  const byVersion = compareVersions(a.version, b.version);
  if (byVersion !== 0) return byVersion;
  if (a.tombstone !== b.tombstone) return a.tombstone ? 1 : -1;
  if (a.digest === b.digest) return 0;
  return a.digest < b.digest ? -1 : 1;
}

/** True when `incoming` should replace `local` (absent local, or strictly newer incoming). */
export function supersedes(incoming: EntryStamp, local: EntryStamp | undefined): boolean {
  return local === undefined || compareEntries(incoming, local) > 0;
}
